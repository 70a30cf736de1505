/* threads: 8 threads (besides the main thread) sharing one mm, each named vh-worker-N. */
#include "lab.h"
#include <pthread.h>
#include <sys/prctl.h>

#define NTHREADS 8
static pid_t tids[NTHREADS];
static pthread_barrier_t bar;

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	char name[16];
	snprintf(name, sizeof name, "vh-worker-%d", i);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	tids[i] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&bar);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_barrier_init(&bar, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, (void *)(intptr_t)i) != 0)
			lab_die("pthread_create");
	}
	pthread_barrier_wait(&bar);
	char extra[512];
	int o = snprintf(extra, sizeof extra, "\"threads\":%d,\"tids\":[", NTHREADS + 1);
	o += snprintf(extra + o, sizeof extra - (size_t)o, "%d", (int)getpid());
	for (int i = 0; i < NTHREADS; i++)
		o += snprintf(extra + o, sizeof extra - (size_t)o, ",%d", (int)tids[i]);
	snprintf(extra + o, sizeof extra - (size_t)o, "]");
	lab_plant("threads", "threads", 0, 0, "----", extra);
	lab_ready_and_wait();
}
