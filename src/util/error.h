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
 * A macro over an inline function, not a function, so that the compiler sees
 * the code each failing path returns: through an opaque call it cannot know
 * that the result is never VH_OK, and then takes "if (err) return err;" after
 * a failed call for a way to reach the success path with the callee's
 * outputs unset (gcc -O3/-Os -Wmaybe-uninitialized). Ignoring the result
 * stays warning-free, as with a function.
 */
static inline int vh_error_code(int err, int message_set)
{
	(void)message_set; /* there for its side effect: the message, recorded first */
	return err;
}
#define vh_set_error(err, ...) vh_error_code((err), (vh_set_errmsg(__VA_ARGS__), 0))

#endif
