/* SPDX-License-Identifier: MIT */
#ifndef VH_UTIL_WARNINGS_H
#define VH_UTIL_WARNINGS_H

#include <stdarg.h>
#include <stddef.h>

/*
 * vh_warnings_vadd() - append a formatted one-line message to a warning
 * list (*list, *n). Returns VH_OK or VH_ERR_NOMEM (the list is unchanged).
 */
int vh_warnings_vadd(char ***list, size_t *n, const char *fmt, va_list ap);

/* Frees the @n messages of @list and @list itself (NULL is fine). */
void vh_warnings_free(char **list, size_t n);

#endif
