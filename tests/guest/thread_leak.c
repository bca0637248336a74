/* 1,000 pthreads created and joined in a loop give all their memory back:
 * free RAM (sysinfo) is the same before and after. */
#include <pthread.h>
#include <stdio.h>
#include <sys/sysinfo.h>

static void *nop(void *arg)
{
	return arg;
}

static long free_kib(void)
{
	struct sysinfo si;
	if (sysinfo(&si))
		return -1;
	return (long)(si.freeram * si.mem_unit / 1024);
}

int main(void)
{
	/* One round first, so that what is made once (malloc's first
	 * arenas, the thread-list bookkeeping) is made before we measure. */
	pthread_t t;
	pthread_create(&t, NULL, nop, NULL);
	pthread_join(t, NULL);
	long before = free_kib();
	for (int i = 0; i < 1000; i++) {
		if (pthread_create(&t, NULL, nop, (void *)(long)i)) {
			printf("FAIL: create %d\n", i);
			return 1;
		}
		void *r;
		pthread_join(t, &r);
		if ((long)r != i) {
			printf("FAIL: join %d\n", i);
			return 1;
		}
	}
	long after = free_kib();
	printf("1000 threads: free before %ld KiB, after %ld KiB\n", before,
	       after);
	if (before < 0 || after < before - 16) {
		printf("FAIL: leaked %ld KiB\n", before - after);
		return 1;
	}
	printf("no leak\n");
	return 0;
}
