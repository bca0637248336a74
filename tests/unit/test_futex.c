/*
 * Futexes (kern/futex.c) on the fake scheduler: the value check, FIFO
 * wakes, bitsets, timeouts, requeue (also within one hash bucket),
 * wake-op and signals, with real blocking threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/kern.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_sched.h"

#define MS 1000000ULL

int go_spawn(void (*fn)(void *), void *arg);

/* What futex.c links against, besides the fake scheduler. */
bool vm_user_ok(const void *p, size_t len, bool write)
{
	(void)len;
	(void)write;
	return (uintptr_t)p >= 4096;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	printf("  panic at %s:%d: %s\n", file, line, fmt);
	abort();
}

#define K(expr)                                                                \
	({                                                                     \
		unsigned long fl_ = kern_enter();                              \
		long r_ = (long)(expr);                                        \
		kern_leave(fl_);                                               \
		r_;                                                            \
	})

struct waiter {
	int *uaddr;
	int val;
	uint32_t bitset;
	uint64_t deadline;
	long r;
	int order; /* when it woke, among the waiters */
	uint64_t at;
	struct thread *t;
};

static int woke_count;

static void wait_one(void *p)
{
	struct waiter *w = p;
	w->t = current;
	w->r = K(futex_wait(w->uaddr, w->val, w->deadline,
			    w->bitset ? w->bitset : ~0u));
	w->order = ++woke_count;
	w->at = fake_now;
}

static void begin(void)
{
	fake_sched_init(1, 0);
	woke_count = 0;
}

static void finish(void)
{
	fake_join_all();
	CHECK_EQ(fake_live_threads(), 0);
}

static void value_checked(void)
{
	begin();
	int word = 5;
	CHECK_EQ(K(futex_wait(&word, 4, 0, ~0u)), -EAGAIN);
	CHECK_EQ(K(futex_wait(&word, 5, 0, 0)), -EINVAL);
	CHECK_EQ(K(futex_wait((int *)((char *)&word + 1), 5, 0, ~0u)), -EFAULT);
	CHECK_EQ(K(futex_wait((int *)16, 5, 0, ~0u)), -EFAULT);
	CHECK_EQ(K(futex_wake(&word, 1, 0)), -EINVAL);
	CHECK_EQ(K(futex_wake(&word, 1, ~0u)), 0); /* nobody waits */
	finish();
}

static void wakes_in_order(void)
{
	begin();
	int word = 0;
	struct waiter w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct waiter){ .uaddr = &word, .val = 0, .r = 99 };
		go_spawn(wait_one, &w[i]);
	}
	fake_settle();
	CHECK_EQ(woke_count, 0);
	CHECK_EQ(K(futex_wake(&word, 2, ~0u)), 2);
	fake_settle();
	CHECK_EQ(w[0].r, 0);
	CHECK_EQ(w[1].r, 0);
	CHECK_EQ(w[2].r, 99);
	CHECK_EQ(w[0].order, 1);
	CHECK_EQ(w[1].order, 2);
	CHECK_EQ(K(futex_wake(&word, 10, ~0u)), 2);
	finish();
	CHECK_EQ(w[3].r, 0);
}

static void bitsets(void)
{
	begin();
	int word = 0;
	struct waiter a = {
		.uaddr = &word, .val = 0, .bitset = 1, .deadline = 0, .r = 99
	};
	struct waiter b = {
		.uaddr = &word, .val = 0, .bitset = 2, .deadline = 0, .r = 99
	};
	go_spawn(wait_one, &a);
	go_spawn(wait_one, &b);
	fake_settle();
	CHECK_EQ(K(futex_wake(&word, 10, 2)), 1);
	fake_settle();
	CHECK_EQ(a.r, 99);
	CHECK_EQ(b.r, 0);
	CHECK_EQ(K(futex_wake(&word, 10, 4)), 0);
	CHECK_EQ(K(futex_wake(&word, 10, 3)), 1);
	finish();
	CHECK_EQ(a.r, 0);
}

static void timeouts(void)
{
	begin();
	int word = 0;
	uint64_t t0 = fake_now;
	struct waiter w = { .uaddr = &word,
			    .val = 0,
			    .bitset = 0,
			    .deadline = t0 + 30 * MS,
			    .r = 99 };
	go_spawn(wait_one, &w);
	fake_settle();
	fake_sleep(50 * MS);
	CHECK_EQ(w.r, -ETIMEDOUT);
	CHECK_EQ(w.at, t0 + 30 * MS);
	/* It is off the queue: a wake finds nobody. */
	CHECK_EQ(K(futex_wake(&word, 1, ~0u)), 0);
	finish();
}

static void requeue(void)
{
	begin();
	int a = 0, b = 0;
	struct waiter w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct waiter){ .uaddr = &a, .r = 99 };
		go_spawn(wait_one, &w[i]);
	}
	fake_settle();
	/* Wake one, move two to b, leave one on a. */
	CHECK_EQ(K(futex_requeue(&a, 1, 2, &b)), 3);
	fake_settle();
	CHECK_EQ(w[0].r, 0);
	CHECK_EQ(woke_count, 1);
	CHECK_EQ(K(futex_wake(&b, 10, ~0u)), 2);
	fake_settle();
	CHECK_EQ(w[1].r, 0);
	CHECK_EQ(w[2].r, 0);
	CHECK_EQ(w[3].r, 99);
	CHECK_EQ(K(futex_wake(&a, 10, ~0u)), 1);
	finish();
}

/* futex.c's bucket, to find two words that share one. */
static unsigned bucket_of(int *p)
{
	return (((uintptr_t)p >> 2) * 0x9e3779b97f4a7c15ULL) >> 58;
}

static void requeue_same_bucket(void)
{
	begin();
	static int words[4096];
	int *a = &words[0], *b = NULL;
	for (int i = 1; i < 4096 && !b; i++)
		if (bucket_of(&words[i]) == bucket_of(a))
			b = &words[i];
	CHECK(b != NULL);
	struct waiter w[3];
	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter){ .uaddr = a, .r = 99 };
		go_spawn(wait_one, &w[i]);
	}
	fake_settle();
	CHECK_EQ(K(futex_requeue(a, 0, 3, b)), 3);
	CHECK_EQ(K(futex_wake(a, 10, ~0u)), 0);
	CHECK_EQ(K(futex_wake(b, 10, ~0u)), 3);
	finish();
}

/* A timed-out waiter that was requeued leaves the queue it is on. */
static void requeued_then_timeout(void)
{
	begin();
	int a = 0, b = 0;
	struct waiter w = { .uaddr = &a,
			    .val = 0,
			    .bitset = 0,
			    .deadline = fake_now + 20 * MS,
			    .r = 99 };
	go_spawn(wait_one, &w);
	fake_settle();
	CHECK_EQ(K(futex_requeue(&a, 0, 1, &b)), 1);
	fake_sleep(30 * MS);
	CHECK_EQ(w.r, -ETIMEDOUT);
	CHECK_EQ(K(futex_wake(&b, 1, ~0u)), 0);
	finish();
}

/* A signal ends a wait: restarted (-ERESTARTSYS: under SA_RESTART the
 * program never sees it) when untimed, EINTR when timed; either way the
 * waiter leaves the queue. */
static void interrupted(void)
{
	begin();
	int word = 0;
	struct waiter a = {
		.uaddr = &word, .val = 0, .bitset = 0, .deadline = 0, .r = 99
	};
	struct waiter b = { .uaddr = &word,
			    .val = 0,
			    .bitset = 0,
			    .deadline = fake_now + 1000 * MS,
			    .r = 99 };
	go_spawn(wait_one, &a);
	go_spawn(wait_one, &b);
	fake_settle();
	K((fake_signal(a.t), fake_signal(b.t), 0));
	fake_settle();
	CHECK_EQ(a.r, -ERESTARTSYS);
	CHECK_EQ(b.r, -EINTR);
	CHECK_EQ(K(futex_wake(&word, 10, ~0u)), 0);
	finish();
}

#define OP(kind, arg, cmp, cmparg)                                             \
	(((uint32_t)(kind) << 28) | ((uint32_t)(cmp) << 24) |                  \
	 (((uint32_t)(arg)&0xfff) << 12) | ((uint32_t)(cmparg)&0xfff))

static void wake_op(void)
{
	begin();
	int a = 0, b = 5;
	struct waiter wa = {
		.uaddr = &a, .val = 0, .bitset = 0, .deadline = 0, .r = 99
	};
	struct waiter wb = {
		.uaddr = &b, .val = 5, .bitset = 0, .deadline = 0, .r = 99
	};
	go_spawn(wait_one, &wa);
	go_spawn(wait_one, &wb);
	fake_settle();
	/* b += 3; wake a; wake b if old b == 4: it was 5, so no. */
	CHECK_EQ(K(futex_wake_op(&a, 1, &b, 1, OP(1, 3, 0, 4))), 1);
	CHECK_EQ(b, 8);
	fake_settle();
	CHECK_EQ(wa.r, 0);
	CHECK_EQ(wb.r, 99);
	/* b = 2; wake b if old b > 7: yes. */
	CHECK_EQ(K(futex_wake_op(&a, 1, &b, 1, OP(0, 2, 4, 7))), 1);
	CHECK_EQ(b, 2);
	/* The other operations, and 1 << arg. */
	int c = 6;
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(2, 1, 1, 0))), 0);
	CHECK_EQ(c, 7);
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(3, 2, 2, 0))), 0);
	CHECK_EQ(c, 5);
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(4, 1, 3, 0))), 0);
	CHECK_EQ(c, 4);
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(8 | 0, 4, 5, 0))), 0);
	CHECK_EQ(c, 16);
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(5, 0, 0, 0))), -ENOSYS);
	CHECK_EQ(K(futex_wake_op(&a, 1, &c, 1, OP(0, 0, 6, 0))), -ENOSYS);
	CHECK_EQ(c, 16); /* a bad op changes nothing */
	CHECK_EQ(K(futex_wake_op(&a, 1, (int *)16, 1, 0)), -EFAULT);
	finish();
	CHECK_EQ(wb.r, 0);
}

int main(int argc, char **argv)
{
	test_init("futex", argc, argv);
	RUN(value_checked);
	RUN(wakes_in_order);
	RUN(bitsets);
	RUN(timeouts);
	RUN(requeue);
	RUN(requeue_same_bucket);
	RUN(requeued_then_timeout);
	RUN(wake_op);
	RUN(interrupted);
	return test_summary();
}
