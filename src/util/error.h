/* SPDX-License-Identifier: MIT */
#ifndef VH_UTIL_ERROR_H
#define VH_UTIL_ERROR_H

#include <vmahunt/vmahunt.h>

/* vh_set_errmsg() - record the detailed message of a failure (see vh_errmsg()). */
void vh_set_errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * vh_set_error() - record the detailed message of a failure and return @err,
 * so call sites read: return vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%llx: ...", ...);
 *
 * A macro, not a function, so that the compiler sees the code each failing
 * path returns: through a call it cannot know that the result is never VH_OK,
 * and then takes "if (err) return err;" after a failed call for a way to reach
 * the success path with the callee's outputs unset (gcc -O2/-Os
 * -Wmaybe-uninitialized). @err is evaluated once, after the message.
 */
#define vh_set_error(err, ...) (vh_set_errmsg(__VA_ARGS__), (int)(err))

#endif
