/* SPDX-License-Identifier: MIT */
#ifndef VH_UTIL_ERROR_H
#define VH_UTIL_ERROR_H

#include <vmahunt/vmahunt.h>

/*
 * vh_set_error() - record the detailed message of a failure and return @err,
 * so call sites read: return vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%llx: ...", ...);
 */
int vh_set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
