/* dyntwice: a dynamically linked program with a second copy of its libc mapped by hand
 * (as malware does to call an unhooked libc, or to hide its calls from hooks on the
 * first): the same file mapped executable at two load addresses. Built dynamically
 * (build-lab.sh: dyn*.c); the plant's range is the second copy's executable segment. */
#include "lab.h"

#define LIBC "/lab/lib/libc.so.6"

int main(void)
{
	uintptr_t text_start, text_end;

	lab_map_library(LIBC, &text_start, &text_end);
	char extra[128];
	snprintf(extra, sizeof extra, "\"name\":\"%s\"", LIBC);
	lab_plant("dyntwice", "lib_twice", text_start, text_end, "r-xp", extra);
	lab_ready_and_wait();
}
