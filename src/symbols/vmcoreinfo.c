/* SPDX-License-Identifier: MIT */
/*
 * VMCOREINFO with types. The kernel writes it as KEY=value lines
 * (kernel/crash_core.c, arch/x86/kernel/machine_kexec_64.c):
 *   OSRELEASE=6.1.0-26-amd64        BUILD-ID=<hex>        PAGESIZE=4096
 *   SYMBOL(init_uts_ns)=ffffffff... (hex, no 0x, relocated)
 *   OFFSET(list_head.next)=0        SIZE(page)=64         LENGTH(mem_section)=2048
 *   NUMBER(pgtable_l5_enabled)=0    (decimal, may be negative; 0x-prefixed hex on some arches)
 *   KERNELOFFSET=1e000000 (hex)     CRASHTIME=1700000000 (decimal)
 * The text comes from the dump, so nothing in it is trusted: every value is
 * range-checked and a bad line is kept as invalid with a warning.
 */
#include "symbols/profile_internal.h"
#include "util/error.h"
#include "util/warnings.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's VMCOREINFO is at most a page (VMCOREINFO_BYTES); 64 KiB bounds the table. */
#define VMCI_MAX_LEN (64u << 10)

struct vh_vmcoreinfo {
	char *text;  /* the lines, NUL-split at '\n' and '=' */
	char *names; /* a second copy, NUL-split at ')' for the names in parentheses */
	struct vh_vmci_entry *e;
	size_t n;
	char **warnings;
	size_t nwarnings;
};

static const struct {
	const char *word;
	enum vh_vmci_kind kind;
} paren_kinds[] = {
    {"SYMBOL", VH_VMCI_SYMBOL}, {"OFFSET", VH_VMCI_OFFSET}, {"SIZE", VH_VMCI_SIZE},
    {"LENGTH", VH_VMCI_LENGTH}, {"NUMBER", VH_VMCI_NUMBER},
};

static const struct {
	const char *key;
	enum vh_vmci_kind kind;
} plain_kinds[] = {
    {"OSRELEASE", VH_VMCI_OSRELEASE}, {"BUILD-ID", VH_VMCI_BUILD_ID},
    {"PAGESIZE", VH_VMCI_PAGESIZE},   {"KERNELOFFSET", VH_VMCI_KERNELOFFSET},
    {"CRASHTIME", VH_VMCI_CRASHTIME},
};

static int warn(struct vh_vmcoreinfo *vi, size_t line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records "VMCOREINFO line N: KEY: why", with the key made printable and cut short. */
static int warn(struct vh_vmcoreinfo *vi, size_t line, const char *key, const char *fmt, ...)
{
	char shown[48], why[128], *msg, **w;
	size_t i;
	va_list ap;

	for (i = 0; key[i] && i < sizeof(shown) - 1; i++)
		shown[i] = isprint((unsigned char)key[i]) ? key[i] : '?';
	shown[i] = '\0';
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	w = realloc(vi->warnings, (vi->nwarnings + 1) * sizeof(*w));
	if (!w)
		return VH_ERR_NOMEM;
	vi->warnings = w;
	if (asprintf(&msg, "VMCOREINFO line %zu: %s%s: %s", line, shown, key[i] ? "..." : "", why) <
	    0)
		return VH_ERR_NOMEM;
	w[vi->nwarnings++] = msg;
	return VH_OK;
}

/* Unsigned number in @base, the whole string, no sign, no overflow. */
static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)s[0]) || (base == 10 && !isdigit((unsigned char)s[0])))
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

/* Signed decimal, or 0x-prefixed hex taken as a 64-bit pattern. */
static bool parse_s64(const char *s, int64_t *out)
{
	uint64_t u;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!parse_u64(s, 16, &u))
			return false;
		*out = (int64_t)u;
		return true;
	}
	if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool is_release(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if (!isgraph((unsigned char)s[n]))
			return false;
	}
	return n > 0 && n < 65;
}

static bool is_hex_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if (!isxdigit((unsigned char)s[n]))
			return false;
	}
	return n > 0 && n % 2 == 0 && n <= 128;
}

/* Sets kind and name from the key: "WORD(name)" or a plain key. */
static void classify(struct vh_vmci_entry *e, char *name_copy)
{
	const char *open = strchr(e->key, '(');
	size_t klen = strlen(e->key);

	e->kind = VH_VMCI_OTHER;
	e->name = e->key;
	if (open && klen >= 2 && e->key[klen - 1] == ')') {
		size_t wlen = (size_t)(open - e->key);

		for (size_t i = 0; i < sizeof(paren_kinds) / sizeof(paren_kinds[0]); i++) {
			if (strlen(paren_kinds[i].word) == wlen &&
			    strncmp(e->key, paren_kinds[i].word, wlen) == 0) {
				e->kind = paren_kinds[i].kind;
				memcpy(name_copy, e->key, klen);
				name_copy[klen - 1] = '\0';
				e->name = name_copy + wlen + 1;
				return;
			}
		}
		return;
	}
	for (size_t i = 0; i < sizeof(plain_kinds) / sizeof(plain_kinds[0]); i++) {
		if (strcmp(e->key, plain_kinds[i].key) == 0)
			e->kind = plain_kinds[i].kind;
	}
}

static int check_value(struct vh_vmcoreinfo *vi, struct vh_vmci_entry *e, size_t line)
{
	const char *why = NULL;

	if (e->kind >= VH_VMCI_SYMBOL && e->name[0] == '\0')
		return warn(vi, line, e->key, "empty name in parentheses");
	switch (e->kind) {
	case VH_VMCI_OTHER:
		e->valid = true;
		return VH_OK;
	case VH_VMCI_OSRELEASE:
		e->valid = is_release(e->value);
		why = "not a release string (1 to 64 printable characters, no blanks)";
		break;
	case VH_VMCI_BUILD_ID:
		e->valid = is_hex_id(e->value);
		why = "not an even number (at most 128) of hex digits";
		break;
	case VH_VMCI_SYMBOL:
	case VH_VMCI_KERNELOFFSET:
		e->valid = parse_u64(e->value, 16, &e->u);
		e->s = (int64_t)e->u;
		why = "not a 64-bit hex number";
		break;
	case VH_VMCI_OFFSET:
	case VH_VMCI_SIZE:
	case VH_VMCI_LENGTH:
	case VH_VMCI_PAGESIZE:
		e->valid = parse_u64(e->value, 10, &e->u) && e->u <= UINT32_MAX;
		e->s = (int64_t)e->u;
		why = "not a decimal number between 0 and 2^32-1";
		break;
	case VH_VMCI_NUMBER:
	case VH_VMCI_CRASHTIME:
		e->valid = parse_s64(e->value, &e->s);
		e->u = (uint64_t)e->s;
		why = "not a 64-bit signed decimal (or 0x hex) number";
		break;
	}
	return e->valid ? VH_OK : warn(vi, line, e->key, "%s", why);
}

/* Trailing blanks and '\r' are not part of a value. */
static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int parse_lines(struct vh_vmcoreinfo *vi, size_t len)
{
	size_t line = 0;

	for (size_t pos = 0; pos < len;) {
		char *s = vi->text + pos, *nl = memchr(s, '\n', len - pos), *eq;
		struct vh_vmci_entry *e;
		int err;

		if (nl)
			*nl = '\0';
		pos = nl ? (size_t)(nl - vi->text) + 1 : len;
		line++;
		trim(s);
		if (!s[0])
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			if (warn(vi, line, s, "no '=' in the line"))
				return VH_ERR_NOMEM;
			continue;
		}
		*eq = '\0';
		e = &vi->e[vi->n++];
		e->key = s;
		e->value = eq + 1;
		classify(e, vi->names + (s - vi->text));
		err = check_value(vi, e, line);
		if (err)
			return err;
	}
	return VH_OK;
}

int vh_vmcoreinfo_parse(const char *text, size_t len, struct vh_vmcoreinfo **out)
{
	struct vh_vmcoreinfo *vi;
	size_t lines = 1;
	int err;

	*out = NULL;
	if ((!text && len) || len > VMCI_MAX_LEN)
		return vh_set_error(VH_ERR_INVAL, "VMCOREINFO: %zu bytes: expected at most %u", len,
				    VMCI_MAX_LEN);
	if (text)
		len = strnlen(text, len);
	/* Entries are made only for lines with '=': at most one per '=' in the text. */
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '=';
	vi = calloc(1, sizeof(*vi));
	if (!vi)
		return vh_set_error(VH_ERR_NOMEM, "VMCOREINFO: out of memory");
	vi->text = malloc(len + 1);
	vi->names = malloc(len + 1);
	vi->e = calloc(lines, sizeof(*vi->e));
	if (!vi->text || !vi->names || !vi->e) {
		vh_vmcoreinfo_free(vi);
		return vh_set_error(VH_ERR_NOMEM, "VMCOREINFO: out of memory");
	}
	if (len)
		memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	err = parse_lines(vi, len);
	if (err) {
		vh_vmcoreinfo_free(vi);
		return vh_set_error(VH_ERR_NOMEM, "VMCOREINFO: out of memory");
	}
	*out = vi;
	return VH_OK;
}

void vh_vmcoreinfo_free(struct vh_vmcoreinfo *vi)
{
	if (!vi)
		return;
	vh_warnings_free(vi->warnings, vi->nwarnings);
	free(vi->text);
	free(vi->names);
	free(vi->e);
	free(vi);
}

size_t vh_vmcoreinfo_count(const struct vh_vmcoreinfo *vi)
{
	return vi->n;
}

const struct vh_vmci_entry *vh_vmcoreinfo_entry(const struct vh_vmcoreinfo *vi, size_t i)
{
	return i < vi->n ? &vi->e[i] : NULL;
}

const struct vh_vmci_entry *vh_vmcoreinfo_find(const struct vh_vmcoreinfo *vi,
					       enum vh_vmci_kind kind, const char *name)
{
	for (size_t i = 0; i < vi->n; i++) {
		const struct vh_vmci_entry *e = &vi->e[i];

		if (e->kind == kind && e->valid && (!name || strcmp(e->name, name) == 0))
			return e;
	}
	return NULL;
}

const char *const *vh_vmcoreinfo_warnings(const struct vh_vmcoreinfo *vi, size_t *n)
{
	*n = vi->nwarnings;
	return (const char *const *)vi->warnings;
}
