/*
 * The Linux side of the benchmarks, in C with pthreads: the same work as
 * atman_bench.c, run as a process in the box's dom0. Lines are
 * "bench NAME VALUE UNIT". The channel handoff becomes a one-slot
 * mailbox with a mutex and two condition variables (what a C programmer
 * has on Linux instead of channels).
 * Built static on the host: gcc -O2 -static -pthread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void report(const char *name, long long ns, long n, const char *unit)
{
	printf("bench %s %.1f %s\n", name, (double)ns / n, unit);
	fflush(stdout);
}

struct mailbox {
	pthread_mutex_t m;
	pthread_cond_t full, empty;
	int has;
	long v;
};

static void mb_send(struct mailbox *b, long v)
{
	pthread_mutex_lock(&b->m);
	while (b->has)
		pthread_cond_wait(&b->empty, &b->m);
	b->v = v;
	b->has = 1;
	pthread_cond_signal(&b->full);
	/* Unbuffered: wait until it is taken. */
	while (b->has)
		pthread_cond_wait(&b->empty, &b->m);
	pthread_mutex_unlock(&b->m);
}

static long mb_recv(struct mailbox *b)
{
	pthread_mutex_lock(&b->m);
	while (!b->has)
		pthread_cond_wait(&b->full, &b->m);
	long v = b->v;
	b->has = 0;
	pthread_cond_broadcast(&b->empty);
	pthread_mutex_unlock(&b->m);
	return v;
}

static struct mailbox ping = { PTHREAD_MUTEX_INITIALIZER,
			       PTHREAD_COND_INITIALIZER,
			       PTHREAD_COND_INITIALIZER, 0, 0 };
static struct mailbox pong = { PTHREAD_MUTEX_INITIALIZER,
			       PTHREAD_COND_INITIALIZER,
			       PTHREAD_COND_INITIALIZER, 0, 0 };
static long rounds;

static void *ponger(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++)
		mb_send(&pong, mb_recv(&ping));
	return NULL;
}

static void bench_pingpong(long n)
{
	rounds = n;
	pthread_t t;
	pthread_create(&t, NULL, ponger, NULL);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++) {
		mb_send(&ping, i);
		mb_recv(&pong);
	}
	report("chan_handoff", now_ns() - t0, 2 * n, "ns/handoff");
	pthread_join(t, NULL);
}

static void *nothing(void *arg)
{
	return arg;
}

static void bench_pthread_create(long n)
{
	long long t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, nothing, NULL);
		pthread_join(t, NULL);
	}
	report("pthread_create_join", now_ns() - t0, n, "ns/thread");
}

static long yields;

static void *yielder(void *arg)
{
	(void)arg;
	for (long i = 0; i < yields; i++)
		sched_yield();
	return NULL;
}

static void bench_switch(long n)
{
	yields = n;
	pthread_t a, b;
	long long t0 = now_ns();
	pthread_create(&a, NULL, yielder, NULL);
	pthread_create(&b, NULL, yielder, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	report("context_switch", now_ns() - t0, 2 * n, "ns/switch");
}

static void bench_syscall(long n)
{
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	report("syscall_getpid", now_ns() - t0, n, "ns/call");
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	/* Measure from a quiet dom0: for the first ~100 ms of a guest,
	 * dom0 is still finishing its `xl create` (xl, xenconsoled) on the
	 * box's CPU, and a loop timed then runs 2-4x slower. The Linux
	 * guest's kernel takes seconds to boot, so it never saw that; the
	 * same wait on both sides. */
	sleep(1);
	bench_syscall(200000 * scale);
	bench_switch(20000 * scale);
	bench_pingpong(20000 * scale);
	bench_pthread_create(1000 * scale);
	return 0;
}
