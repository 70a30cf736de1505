/* dynbenign: an ordinary dynamically linked program (the lab's glibc in /lab/lib, its
 * loader named by PT_INTERP): ld.so, libc and the program mapped as the kernel and ld.so
 * map them. Must give no finding above info. Built dynamically (build-lab.sh: dyn*.c). */
#include "lab.h"

int main(void)
{
	char extra[64];
	snprintf(extra, sizeof extra, "\"libc\":\"%s\"", "/lab/lib/libc.so.6");
	lab_plant("dynbenign", "benign", 0, 0, "----", extra);
	lab_ready_and_wait();
}
