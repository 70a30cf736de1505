/* SPDX-License-Identifier: MIT */
/*
 * Error codes of libvmahunt.
 *
 * Every library function that can fail returns an int: VH_OK (0) on success or
 * one of the negative VH_ERR_* codes below. The code says what kind of failure
 * it was; vh_errmsg() gives the detailed, one-line message of the most recent
 * failure in the calling thread (file, offset or address, what was expected).
 */
#ifndef VMAHUNT_ERROR_H
#define VMAHUNT_ERROR_H

#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vh_error {
	VH_OK = 0,
	VH_ERR_NOMEM = -1,	 /* out of memory */
	VH_ERR_IO = -2,		 /* the operating system refused a read or open */
	VH_ERR_FORMAT = -3,	 /* not a dump vmahunt recognises, or a header is malformed */
	VH_ERR_TRUNCATED = -4,	 /* the file ends before data its headers promise */
	VH_ERR_CORRUPT = -5,	 /* data inconsistent or undecodable (bad compressed page...) */
	VH_ERR_EXCLUDED = -6,	 /* the page existed but the dump tool left it out (-d) */
	VH_ERR_NOT_PRESENT = -7, /* the address is outside every range the dump covers */
	VH_ERR_UNSUPPORTED = -8, /* a valid feature vmahunt does not implement */
	VH_ERR_INVAL = -9,	 /* invalid argument from the caller */
	VH_ERR_NOT_MAPPED = -10, /* the virtual address has no present page-table entry */
	VH_ERR_EXISTS = -11,	 /* an output file exists and overwriting was not asked for */
};

/**
 * vh_strerror() - short fixed text for an error code.
 * @err: a VH_OK or VH_ERR_* value.
 *
 * Return: a static string, never NULL ("unknown error" for unknown codes).
 */
VH_EXPORT const char *vh_strerror(int err);

/**
 * vh_errmsg() - the detailed message of the last failure in this thread.
 *
 * The message names the file and the offset or address involved and what was
 * expected there, e.g. "vmcore: offset 0x1000: page descriptor size 0x20000
 * exceeds the block size 0x1000". It stays valid until the next failing
 * library call in the same thread.
 *
 * Return: the message, or "" when nothing has failed yet.
 */
VH_EXPORT const char *vh_errmsg(void);

#ifdef __cplusplus
}
#endif
#endif
