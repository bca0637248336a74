/* Preemption: a thread spins without ever yielding or making a syscall;
 * another prints every 10 ms. Without preemption the printer would never
 * run again and the test would time out. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static volatile unsigned long spins;

static void *spinner(void *arg)
{
	(void)arg;
	while (!stop)
		spins++;
	return NULL;
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	       (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
	pthread_t s;
	pthread_create(&s, NULL, spinner, NULL);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long last = 0, worst = 0;
	unsigned long seen = 0;
	for (int i = 1; i <= 20; i++) {
		usleep(10000);
		long now = ms_since(&t0);
		if (now - last > worst)
			worst = now - last;
		last = now;
		printf("tick %d\n", i);
		if (i == 20)
			seen = spins;
	}
	stop = 1;
	pthread_join(s, NULL);
	printf("printer ticked 20 times\n");
	printf("spinner ran too: %s\n", seen ? "yes" : "no");
	printf("worst gap between ticks: %ld ms (informational)\n", worst);
	return 0;
}
