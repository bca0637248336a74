/*
 * The AtmanOS side of the benchmarks (bench/README.md): each line is
 * "bench NAME VALUE UNIT". The same work, written for Linux, is in
 * linux_bench.c (C, pthreads) and go_bench.go (Go); bench/run runs all
 * three in one boot of the box so every figure comes from one emulator.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atman/chan.h>
#include <atman/task.h>

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

/* Unbuffered ping-pong: two handoffs per round trip. */
static chan_t *ping, *pong;
static long rounds;

static void ponger(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++) {
		long v;
		chan_recv(ping, &v, NULL);
		chan_send(pong, &v);
	}
}

static void bench_pingpong(long n)
{
	ping = chan_make(sizeof(long), 0);
	pong = chan_make(sizeof(long), 0);
	rounds = n;
	go(ponger, NULL);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++) {
		long v = i;
		chan_send(ping, &v);
		chan_recv(pong, &v, NULL);
	}
	report("chan_handoff", now_ns() - t0, 2 * n, "ns/handoff");
}

/* go thread create + exit: each sends once on a buffered channel. */
static chan_t *done;

static void finisher(void *arg)
{
	(void)arg;
	int one = 1;
	chan_send(done, &one);
}

static void bench_go_create(long n)
{
	done = chan_make(sizeof(int), n);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (go(finisher, NULL)) {
			printf("bench go_create FAILED\n");
			return;
		}
	for (long i = 0; i < n; i++) {
		int v;
		chan_recv(done, &v, NULL);
	}
	report("go_create_exit", now_ns() - t0, n, "ns/thread");
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

/* The concurrent prime sieve, as examples/sieve.c. */
struct filter {
	chan_t *in, *out;
	long prime;
};

static void generate(void *arg)
{
	chan_t *out = arg;
	for (long i = 2;; i++)
		chan_send(out, &i);
}

static void filter(void *arg)
{
	struct filter *f = arg;
	for (;;) {
		long v;
		chan_recv(f->in, &v, NULL);
		if (v % f->prime)
			chan_send(f->out, &v);
	}
}

static void bench_sieve(long n)
{
	long long t0 = now_ns();
	chan_t *c;
	c = chan_make(sizeof(long), 0);
	go(generate, c);
	long last = 0;
	for (long i = 0; i < n; i++) {
		chan_recv(c, &last, NULL);
		struct filter *f = malloc(sizeof(*f));
		f->in = c;
		f->prime = last;
		f->out = chan_make(sizeof(long), 0);
		go(filter, f);
		c = f->out;
	}
	printf("bench sieve_%ld_last %ld prime\n", n, last);
	report("sieve_2000", now_ns() - t0, 1000000, "ms");
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
	bench_go_create(2000 * scale);
	bench_pthread_create(1000 * scale);
	bench_sieve(2000);
	return 0;
}
