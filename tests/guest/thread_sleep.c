#define _GNU_SOURCE
/* A sleep never ends early: nanosleep, clock_nanosleep (relative and
 * TIMER_ABSTIME, MONOTONIC and REALTIME), usleep, poll and select with no
 * descriptors, checked against the monotonic clock. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static long long now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int early;

static void check(const char *what, long long start, long long want_ns)
{
	long long got = now(CLOCK_MONOTONIC) - start;
	if (got < want_ns) {
		printf("EARLY: %s slept %lld ns of %lld\n", what, got, want_ns);
		early++;
	}
}

int main(void)
{
	for (int i = 0; i < 40; i++) {
		long long ns = 100000LL * (i % 10 + 1) + 37 * i;
		struct timespec ts = { 0, ns };
		long long s = now(CLOCK_MONOTONIC);
		nanosleep(&ts, NULL);
		check("nanosleep", s, ns);

		s = now(CLOCK_MONOTONIC);
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		check("clock_nanosleep rel", s, ns);

		s = now(CLOCK_MONOTONIC);
		long long at = now(CLOCK_MONOTONIC) + ns;
		struct timespec abs = { at / 1000000000, at % 1000000000 };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
		if (now(CLOCK_MONOTONIC) < at) {
			printf("EARLY: abs monotonic\n");
			early++;
		}

		at = now(CLOCK_REALTIME) + ns;
		abs = (struct timespec){ at / 1000000000, at % 1000000000 };
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL);
		if (now(CLOCK_REALTIME) < at) {
			printf("EARLY: abs realtime\n");
			early++;
		}

		s = now(CLOCK_MONOTONIC);
		usleep(ns / 1000 + 1);
		check("usleep", s, ns / 1000 * 1000);
	}
	long long s = now(CLOCK_MONOTONIC);
	poll(NULL, 0, 15);
	check("poll", s, 15000000);
	s = now(CLOCK_MONOTONIC);
	struct timeval tv = { 0, 15000 };
	select(0, NULL, NULL, NULL, &tv);
	check("select", s, 15000000);
	s = now(CLOCK_MONOTONIC);
	struct timespec pts = { 0, 15000000 };
	ppoll(NULL, 0, &pts, NULL);
	check("ppoll", s, 15000000);
	/* A futex wait with a timeout: a condition nobody signals. */
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_mutex_lock(&m);
	long long at = now(CLOCK_REALTIME) + 20000000;
	struct timespec abs = { at / 1000000000, at % 1000000000 };
	int r = pthread_cond_timedwait(&c, &m, &abs);
	if (r != ETIMEDOUT || now(CLOCK_REALTIME) < at) {
		printf("EARLY: pthread_cond_timedwait returned %d\n", r);
		early++;
	}
	pthread_mutex_unlock(&m);
	printf("sleeps checked: %d early\n", early);
	return early != 0;
}
