/* SPDX-License-Identifier: MIT */
/* ELF notes of a vmcore: NT_PRSTATUS, QEMU CPU state, as the ELF and kdump readers parse them. */
#include <stdlib.h>

#include "dump/dump_internal.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_dump *d = calloc(1, sizeof(*d));
	uint8_t *copy = malloc(size ? size : 1); /* exactly @size: ASan sees overreads */

	if (d && copy) {
		d->file.fd = -1;
		d->file.path = strdup("fuzz-notes");
		memcpy(copy, data, size);
		(void)vh_notes_parse(d, copy, size, 0x1000);
	}
	free(copy);
	vh_dump_close(d);
	return 0;
}
