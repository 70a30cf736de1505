/* SPDX-License-Identifier: MIT */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

/* Per-thread, like dwfl_errmsg(): callers on other threads never see it change. */
static _Thread_local char last_msg[1024];

const char *vh_strerror(int err)
{
	switch (err) {
	case VH_OK:
		return "success";
	case VH_ERR_NOMEM:
		return "out of memory";
	case VH_ERR_IO:
		return "I/O error";
	case VH_ERR_FORMAT:
		return "unrecognised or malformed format";
	case VH_ERR_TRUNCATED:
		return "file truncated";
	case VH_ERR_CORRUPT:
		return "corrupt data";
	case VH_ERR_EXCLUDED:
		return "page excluded from the dump";
	case VH_ERR_NOT_PRESENT:
		return "address not in the dump";
	case VH_ERR_UNSUPPORTED:
		return "unsupported feature";
	case VH_ERR_INVAL:
		return "invalid argument";
	case VH_ERR_NOT_MAPPED:
		return "virtual address not mapped";
	case VH_ERR_EXISTS:
		return "file exists";
	}
	return "unknown error";
}

const char *vh_errmsg(void)
{
	return last_msg;
}

void vh_set_errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
}

const char *vh_version(void)
{
	return VMAHUNT_VERSION_STRING;
}
