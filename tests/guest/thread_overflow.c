/* A thread's stack overflow hits its guard page: a crash report that
 * says so, not silent corruption of whatever lies below. */
#include <pthread.h>
#include <stdio.h>

static int deep(int n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	return n ? deep(n - 1) + pad[0] : 0;
}

static void *run(void *arg)
{
	(void)arg;
	printf("recursing in a thread\n");
	fflush(stdout);
	return (void *)(long)deep(1 << 20);
}

int main(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_t t;
	pthread_create(&t, &a, run, NULL);
	pthread_join(t, NULL);
	printf("FAIL: survived\n");
	return 0;
}
