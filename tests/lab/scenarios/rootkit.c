/* rootkit: the process a Diamorphine-style rootkit hides (see antiforensics/vh_af.c,
 * task_flagged): after the truth, the lab module marks it with the rootkit's flag bit,
 * hooks kill, getdents and getdents64 in sys_call_table and takes itself off the
 * modules list. The process itself is ordinary; only the kernel's state gives it away.
 * "#AF task_flagged PID 0x0 0x0 ---p rootkit" asks /init for it. */
#include "lab.h"

int main(void)
{
	printf("#AF task_flagged %d 0x0 0x0 ---p rootkit\n", (int)getpid());
	fflush(stdout);
	lab_ready_and_wait();
}
