/* SPDX-License-Identifier: MIT */
/* Placeholder: ELF note parsing (VMCOREINFO, NT_PRSTATUS, QEMU CPU state) is being written. */
#include "dump/dump_internal.h"

int vh_notes_parse(struct vh_dump *d, const uint8_t *buf, size_t len, uint64_t file_off)
{
	(void)d;
	(void)buf;
	(void)len;
	(void)file_off;
	return VH_OK;
}
