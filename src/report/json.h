/* SPDX-License-Identifier: MIT */
#ifndef VH_REPORT_JSON_H
#define VH_REPORT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A minimal streaming JSON writer for JSON Lines output. It tracks only whether
 * a comma is due; the caller nests objects and arrays correctly. Addresses go
 * out as hex strings (vh_json_hex) because they exceed 2^53.
 */
struct vh_json {
	FILE *out;
	bool need_comma;
};

void vh_json_init(struct vh_json *j, FILE *out);
void vh_json_begin_object(struct vh_json *j, const char *key);
void vh_json_end_object(struct vh_json *j);
void vh_json_begin_array(struct vh_json *j, const char *key);
void vh_json_end_array(struct vh_json *j);
/* A string value (escaped); NULL writes null. @key is NULL inside arrays. */
void vh_json_str(struct vh_json *j, const char *key, const char *value);
void vh_json_u64(struct vh_json *j, const char *key, uint64_t value);
void vh_json_hex(struct vh_json *j, const char *key, uint64_t value);
void vh_json_bool(struct vh_json *j, const char *key, bool value);
void vh_json_null(struct vh_json *j, const char *key);
/* Ends the current line (one JSON Lines record). */
void vh_json_newline(struct vh_json *j);

#endif
