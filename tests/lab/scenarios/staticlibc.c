/* staticlibc: a statically linked program that loads a libc into itself, as a hand-made
 * loader (or malware carrying its own loader) does: libc.so.6's PT_LOAD segments mapped
 * from the file at their offsets with their protections, inside one reserved area. A
 * static program has no dynamic loader: a libc in its map is not its own doing. */
#include "lab.h"

#define LIBC "/lab/lib/libc.so.6"

int main(void)
{
	uintptr_t text_start, text_end;

	lab_map_library(LIBC, &text_start, &text_end);
	char extra[128];
	snprintf(extra, sizeof extra, "\"name\":\"%s\"", LIBC);
	lab_plant("staticlibc", "static_libc", text_start, text_end, "r-xp", extra);
	lab_ready_and_wait();
}
