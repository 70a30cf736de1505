/* SPDX-License-Identifier: MIT */
#include "report/json.h"

#include <inttypes.h>

void vh_json_init(struct vh_json *j, FILE *out)
{
	j->out = out;
	j->need_comma = false;
}

/* Length of the valid UTF-8 sequence at @p, or 0 when it is not valid. */
static int utf8_len(const unsigned char *p)
{
	int n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;

	if (p[0] >= 0xf5)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/*
 * Strings from a dump are hostile bytes: control characters are escaped, and
 * bytes that are not valid UTF-8 become \u00XX so every line stays valid JSON.
 */
static void put_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p) {
		int n;

		if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p++, out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, out);
		} else if ((n = utf8_len(p)) > 0) {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		} else {
			fprintf(out, "\\u%04x", *p++);
		}
	}
	fputc('"', out);
}

static void key(struct vh_json *j, const char *k)
{
	if (j->need_comma)
		fputc(',', j->out);
	j->need_comma = true;
	if (k) {
		put_string(j->out, k);
		fputc(':', j->out);
	}
}

void vh_json_begin_object(struct vh_json *j, const char *k)
{
	key(j, k);
	fputc('{', j->out);
	j->need_comma = false;
}

void vh_json_end_object(struct vh_json *j)
{
	fputc('}', j->out);
	j->need_comma = true;
}

void vh_json_begin_array(struct vh_json *j, const char *k)
{
	key(j, k);
	fputc('[', j->out);
	j->need_comma = false;
}

void vh_json_end_array(struct vh_json *j)
{
	fputc(']', j->out);
	j->need_comma = true;
}

void vh_json_str(struct vh_json *j, const char *k, const char *value)
{
	key(j, k);
	if (value)
		put_string(j->out, value);
	else
		fputs("null", j->out);
}

void vh_json_u64(struct vh_json *j, const char *k, uint64_t value)
{
	key(j, k);
	fprintf(j->out, "%" PRIu64, value);
}

void vh_json_hex(struct vh_json *j, const char *k, uint64_t value)
{
	key(j, k);
	fprintf(j->out, "\"0x%" PRIx64 "\"", value);
}

void vh_json_bool(struct vh_json *j, const char *k, bool value)
{
	key(j, k);
	fputs(value ? "true" : "false", j->out);
}

void vh_json_null(struct vh_json *j, const char *k)
{
	key(j, k);
	fputs("null", j->out);
}

void vh_json_newline(struct vh_json *j)
{
	fputc('\n', j->out);
	j->need_comma = false;
}
