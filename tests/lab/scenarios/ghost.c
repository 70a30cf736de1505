/* ghost: the target of the lab module's unlinked_task plant (see antiforensics/vh_af.c):
 * a single-threaded process that only sleeps. The module takes it off the kernel's task
 * list after the truth was printed; it stays in the pid table. */
#include "lab.h"

int main(void)
{
	lab_af_target("ghost", "unlinked_task", 0, 0, "----");
	lab_ready_and_wait();
}
