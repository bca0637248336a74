/*
 * Channels (kern/chan.c) and go (kern/go.c) on the host, with fake
 * threads (fake_sched.c): blocking really switches threads, the clock is
 * fake, and runs with preemption are repeatable from their seed.
 */
#include <errno.h>
#include <stdint.h>

#include "tests/unit/test.h"
#include "tests/unit/fake_sched.h"
#include "include/atman/chan.h"
#include "include/atman/task.h"

#define MS 1000000ULL

static chan_t *make(size_t elem_size, size_t cap)
{
	chan_t *c = chan_make(elem_size, cap);
	if (!c) {
		printf("  chan_make failed\n");
		abort();
	}
	return c;
}

static void spawn(void (*fn)(void *), void *arg)
{
	int r = go(fn, arg);
	CHECK_EQ(r, 0);
	if (r)
		abort();
}

/* Run with no preemption; finish: every thread ended. */
static void begin(void)
{
	fake_sched_init(1, 0);
}

static void finish(void)
{
	fake_join_all();
	CHECK_EQ(fake_live_threads(), 0);
}

/* Unbuffered */

struct sender {
	chan_t *c;
	int from, n;
	int sent; /* sends that returned */
	int err;  /* the first error */
};

static void send_seq(void *p)
{
	struct sender *s = p;
	for (int i = s->from; i < s->from + s->n; i++) {
		int r = chan_send(s->c, &i);
		if (r) {
			s->err = r;
			return;
		}
		s->sent++;
	}
}

static void unbuffered_send_waits(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0);
	struct sender s = { .c = c, .from = 0, .n = 100 };
	spawn(send_seq, &s);
	fake_settle();
	CHECK_EQ(s.sent, 0); /* blocked: nobody receives */
	for (int i = 0; i < 100; i++) {
		int v = -1;
		bool ok = false;
		CHECK_EQ(chan_recv(c, &v, &ok), 0);
		CHECK(ok);
		CHECK_EQ(v, i);
		fake_settle();
		/* The handoff happened; the next send waits again. */
		CHECK_EQ(s.sent, i + 1);
	}
	finish();
	CHECK_EQ(s.err, 0);
	CHECK_EQ(chan_destroy(c), 0);
}

struct receiver {
	chan_t *c;
	int n;
	int got[64];
	bool ok[64];
	int done;
	int err;
};

static void recv_n(void *p)
{
	struct receiver *r = p;
	for (int i = 0; i < r->n; i++) {
		r->got[i] = -1;
		int e = chan_recv(r->c, &r->got[i], &r->ok[i]);
		if (e) {
			r->err = e;
			return;
		}
		r->done++;
	}
}

static void unbuffered_recv_waits(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0);
	struct receiver r = { .c = c, .n = 3 };
	spawn(recv_n, &r);
	fake_settle();
	CHECK_EQ(r.done, 0);
	for (int i = 0; i < 3; i++) {
		int v = 10 + i;
		/* The receiver waits: the send completes at once, straight
		 * into the receiver's variable. */
		CHECK_EQ(chan_send(c, &v), 0);
		CHECK_EQ(r.got[i], 10 + i);
		fake_settle();
	}
	finish();
	CHECK_EQ(r.done, 3);
	CHECK(r.ok[0] && r.ok[1] && r.ok[2]);
	CHECK_EQ(chan_destroy(c), 0);
}

/* Buffered */

static void buffered_capacity_and_order(void)
{
	begin();
	chan_t *c = make(sizeof(int), 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(chan_trysend(c, &i), 0);
	int x = 99;
	CHECK_EQ(chan_trysend(c, &x), -EAGAIN); /* full */
	for (int i = 0; i < 3; i++) {
		int v = -1;
		bool ok = false;
		CHECK_EQ(chan_tryrecv(c, &v, &ok), 0);
		CHECK(ok);
		CHECK_EQ(v, i);
	}
	CHECK_EQ(chan_tryrecv(c, &x, NULL), -EAGAIN); /* empty */

	/* Against a model queue, at every fill level and across the
	 * ring's wrap. */
	unsigned long long seed = 7;
	int model[3], mhead = 0, mcount = 0, next = 0;
	for (int step = 0; step < 5000; step++) {
		if (test_rand(&seed) % 2) {
			int r = chan_trysend(c, &next);
			CHECK_EQ(r, mcount < 3 ? 0 : -EAGAIN);
			if (r == 0) {
				model[(mhead + mcount) % 3] = next;
				mcount++;
			}
			next++;
		} else {
			int v = -1;
			int r = chan_tryrecv(c, &v, NULL);
			CHECK_EQ(r, mcount ? 0 : -EAGAIN);
			if (r == 0) {
				CHECK_EQ(v, model[mhead]);
				mhead = (mhead + 1) % 3;
				mcount--;
			}
		}
	}
	CHECK_EQ(chan_destroy(c), 0);
	finish();
}

static void buffered_blocked_senders_keep_order(void)
{
	/* Three senders on a full buffer of 2; their elements go into the
	 * buffer as the receiver makes room: each sender's order holds. */
	for (unsigned pct = 0; pct <= 30; pct += 15) {
		fake_sched_init(pct + 3, pct);
		chan_t *c = make(sizeof(int), 2);
		struct sender s[3];
		for (int k = 0; k < 3; k++) {
			s[k] = (struct sender){ .c = c,
						.from = k * 1000,
						.n = 500 };
			spawn(send_seq, &s[k]);
		}
		fake_settle();
		int last[3] = { -1, -1, -1 };
		for (int i = 0; i < 1500; i++) {
			int v = -1;
			bool ok = false;
			CHECK_EQ(chan_recv(c, &v, &ok), 0);
			CHECK(ok);
			int k = v / 1000;
			CHECK(k >= 0 && k < 3);
			if (k < 0 || k > 2)
				break;
			CHECK(v % 1000 == last[k] + 1);
			last[k] = v % 1000;
		}
		finish();
		for (int k = 0; k < 3; k++)
			CHECK_EQ(s[k].sent, 500);
		CHECK_EQ(chan_tryrecv(c, NULL, NULL), -EAGAIN);
		CHECK_EQ(chan_destroy(c), 0);
	}
}

/* Close */

static void close_drains_then_not_ok(void)
{
	begin();
	chan_t *c = make(sizeof(int), 4);
	int a = 1, b = 2;
	CHECK_EQ(chan_send(c, &a), 0);
	CHECK_EQ(chan_send(c, &b), 0);
	CHECK_EQ(chan_close(c), 0);
	CHECK_EQ(chan_close(c), -EPIPE);
	CHECK_EQ(chan_send(c, &a), -EPIPE);
	CHECK_EQ(chan_trysend(c, &a), -EPIPE);
	int v = 0;
	bool ok = false;
	CHECK_EQ(chan_recv(c, &v, &ok), 0);
	CHECK(ok);
	CHECK_EQ(v, 1);
	CHECK_EQ(chan_tryrecv(c, &v, &ok), 0);
	CHECK(ok);
	CHECK_EQ(v, 2);
	for (int i = 0; i < 3; i++) {
		v = 0x5a5a5a5a;
		ok = true;
		CHECK_EQ(chan_recv(c, &v, &ok), 0);
		CHECK(!ok);
		CHECK_EQ(v, 0); /* Go's zero value */
		ok = true;
		CHECK_EQ(chan_tryrecv(c, &v, &ok), 0);
		CHECK(!ok);
	}
	CHECK_EQ(chan_destroy(c), 0);
	finish();
}

static void close_wakes_blocked_receivers(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0);
	struct receiver r[3];
	for (int k = 0; k < 3; k++) {
		r[k] = (struct receiver){ .c = c, .n = 1 };
		r[k].ok[0] = true;
		spawn(recv_n, &r[k]);
	}
	fake_settle();
	CHECK_EQ(chan_destroy(c), -EBUSY); /* they wait on it */
	CHECK_EQ(chan_close(c), 0);
	finish();
	for (int k = 0; k < 3; k++) {
		CHECK_EQ(r[k].err, 0);
		CHECK_EQ(r[k].done, 1);
		CHECK(!r[k].ok[0]);
		CHECK_EQ(r[k].got[0], 0);
	}
	CHECK_EQ(chan_destroy(c), 0);
}

static void close_wakes_blocked_senders(void)
{
	begin();
	/* Unbuffered, and buffered with a full buffer. */
	for (size_t cap = 0; cap <= 1; cap++) {
		chan_t *c = make(sizeof(int), cap);
		int first = 42;
		if (cap)
			CHECK_EQ(chan_send(c, &first), 0);
		struct sender s[3];
		for (int k = 0; k < 3; k++) {
			s[k] = (struct sender){ .c = c, .from = k, .n = 1 };
			spawn(send_seq, &s[k]);
		}
		fake_settle();
		CHECK_EQ(chan_close(c), 0);
		finish();
		for (int k = 0; k < 3; k++) {
			CHECK_EQ(s[k].err, -EPIPE);
			CHECK_EQ(s[k].sent, 0);
		}
		int v = -1;
		bool ok = false;
		if (cap) {
			CHECK_EQ(chan_recv(c, &v, &ok), 0);
			CHECK(ok);
			CHECK_EQ(v, 42);
		}
		CHECK_EQ(chan_recv(c, &v, &ok), 0);
		CHECK(!ok);
		CHECK_EQ(chan_destroy(c), 0);
	}
}

/* Try forms and NULL channels */

static void try_ops(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0);
	int v = 5;
	bool ok;
	CHECK_EQ(chan_trysend(c, &v), -EAGAIN);	     /* no receiver */
	CHECK_EQ(chan_tryrecv(c, &v, &ok), -EAGAIN); /* no sender */

	struct receiver r = { .c = c, .n = 1 };
	spawn(recv_n, &r);
	fake_settle();
	v = 77;
	CHECK_EQ(chan_trysend(c, &v), 0); /* a receiver waits */
	CHECK_EQ(r.got[0], 77);
	fake_settle();
	CHECK_EQ(chan_trysend(c, &v), -EAGAIN); /* it is gone */

	struct sender s = { .c = c, .from = 33, .n = 1 };
	spawn(send_seq, &s);
	fake_settle();
	v = 0;
	ok = false;
	CHECK_EQ(chan_tryrecv(c, &v, &ok), 0); /* a sender waits */
	CHECK(ok);
	CHECK_EQ(v, 33);
	finish();
	CHECK_EQ(s.sent, 1);
	CHECK_EQ(chan_destroy(c), 0);
}

static void null_channel(void)
{
	begin();
	int v = 1;
	bool ok;
	CHECK_EQ(chan_trysend(NULL, &v), -EAGAIN);
	CHECK_EQ(chan_tryrecv(NULL, &v, &ok), -EAGAIN);
	CHECK_EQ(chan_send(NULL, &v), -EDEADLK);
	CHECK_EQ(chan_recv(NULL, &v, &ok), -EDEADLK);
	CHECK_EQ(chan_close(NULL), -EINVAL);
	CHECK_EQ(chan_destroy(NULL), 0);

	chan_case_t cs[] = { CHAN_RECV_CASE(NULL, &v),
			     CHAN_SEND_CASE(NULL, &v) };
	CHECK_EQ(chan_select(cs, 2, CHAN_FOREVER), -EDEADLK);
	CHECK_EQ(chan_select(cs, 2, CHAN_NOWAIT), -EAGAIN);
	uint64_t t0 = fake_now;
	CHECK_EQ(chan_select(cs, 2, 3 * MS), -ETIMEDOUT);
	CHECK_EQ(fake_now - t0, 3 * MS);
	CHECK_EQ(chan_select(NULL, 0, CHAN_FOREVER), -EDEADLK);
	CHECK_EQ(chan_select(NULL, 0, CHAN_NOWAIT), -EAGAIN);
	CHECK_EQ(chan_select(NULL, 0, 1 * MS), -ETIMEDOUT); /* a sleep */
	finish();
}

static void invalid_arguments(void)
{
	begin();
	chan_t *c = NULL;
	CHECK_EQ(atman_chan_create(NULL, 4, 1), -EINVAL);
	CHECK_EQ(atman_chan_create(&c, SIZE_MAX, 2), -EINVAL);
	CHECK_EQ(atman_chan_create(&c, 2, SIZE_MAX), -EINVAL);
	CHECK(c == NULL); /* untouched on failure */
	CHECK(chan_make(SIZE_MAX / 4, 4) == NULL);

	c = make(sizeof(int), 1);
	CHECK_EQ(chan_send(c, NULL), -EINVAL);
	CHECK_EQ(chan_trysend(c, NULL), -EINVAL);
	int v = 3;
	chan_case_t bad[] = { CHAN_SEND_CASE(c, &v), { .chan = c, .op = 7 } };
	CHECK_EQ(chan_select(bad, 2, CHAN_NOWAIT), -EINVAL);
	/* Nothing happened: the valid case was not performed. */
	CHECK_EQ(chan_tryrecv(c, &v, NULL), -EAGAIN);
	CHECK_EQ(chan_select(NULL, 1, CHAN_NOWAIT), -EINVAL);
	CHECK_EQ(chan_destroy(c), 0);
	CHECK_EQ(go(NULL, NULL), -EINVAL);
	finish();
}

static void zero_size_elements(void)
{
	begin();
	chan_t *done = make(0, 0);
	chan_t *sem = make(0, 2);
	CHECK_EQ(chan_trysend(sem, NULL), 0);
	CHECK_EQ(chan_trysend(sem, NULL), 0);
	CHECK_EQ(chan_trysend(sem, NULL), -EAGAIN);
	bool ok = false;
	CHECK_EQ(chan_recv(sem, NULL, &ok), 0);
	CHECK(ok);
	CHECK_EQ(chan_trysend(done, NULL), -EAGAIN);
	CHECK_EQ(chan_close(done), 0);
	CHECK_EQ(chan_recv(done, NULL, &ok), 0);
	CHECK(!ok);
	CHECK_EQ(chan_destroy(done), 0);
	CHECK_EQ(chan_destroy(sem), 0);
	finish();
}

/* Select */

static void select_default(void)
{
	begin();
	chan_t *a = make(sizeof(int), 1), *b = make(sizeof(int), 1);
	int va = -1, vb = -1;
	chan_case_t cs[] = { CHAN_RECV_CASE(a, &va), CHAN_RECV_CASE(b, &vb) };
	CHECK_EQ(chan_select(cs, 2, CHAN_NOWAIT), -EAGAIN);
	int x = 8;
	CHECK_EQ(chan_send(b, &x), 0);
	CHECK_EQ(chan_select(cs, 2, CHAN_NOWAIT), 1);
	CHECK(cs[1].ok);
	CHECK_EQ(vb, 8);
	CHECK_EQ(va, -1);

	/* A send case on a full buffer is not ready either. */
	CHECK_EQ(chan_send(a, &x), 0);
	chan_case_t cs2[] = { CHAN_SEND_CASE(a, &x), CHAN_RECV_CASE(b, &vb) };
	CHECK_EQ(chan_select(cs2, 2, CHAN_NOWAIT), -EAGAIN);
	/* A closed channel is ready: a send case fails with ok false. */
	CHECK_EQ(chan_close(a), 0);
	cs2[0].ok = true;
	CHECK_EQ(chan_select(cs2, 2, CHAN_NOWAIT), 0);
	CHECK(!cs2[0].ok);
	CHECK_EQ(chan_destroy(a), 0);
	CHECK_EQ(chan_destroy(b), 0);
	finish();
}

struct later {
	chan_t *c;
	uint64_t after;
	int v;
	int r;
};

static void send_later(void *p)
{
	struct later *l = p;
	fake_sleep(l->after);
	l->r = chan_trysend(l->c, &l->v);
}

static void select_timeout(void)
{
	begin();
	chan_t *a = make(sizeof(int), 0), *b = make(sizeof(int), 0);
	int v = -1;
	chan_case_t cs[] = { CHAN_RECV_CASE(a, &v), CHAN_RECV_CASE(b, &v) };
	uint64_t t0 = fake_now;
	CHECK_EQ(chan_select(cs, 2, 5 * MS), -ETIMEDOUT);
	CHECK_EQ(fake_now - t0, 5 * MS); /* not early */
	/* It left no receiver behind on either channel. */
	CHECK_EQ(chan_trysend(a, &v), -EAGAIN);
	CHECK_EQ(chan_trysend(b, &v), -EAGAIN);

	/* A case ready in time wins, when it is ready. */
	struct later l = { .c = b, .after = 2 * MS, .v = 99 };
	spawn(send_later, &l);
	t0 = fake_now;
	CHECK_EQ(chan_select(cs, 2, 5 * MS), 1);
	CHECK(cs[1].ok);
	CHECK_EQ(v, 99);
	CHECK_EQ(fake_now - t0, 2 * MS);
	finish();
	CHECK_EQ(l.r, 0);
	CHECK_EQ(chan_destroy(a), 0);
	CHECK_EQ(chan_destroy(b), 0);
}

static void select_timeout_race(void)
{
	/*
	 * The deadline and a sender come at the same instant. Whichever
	 * runs first decides, and both sides must agree:
	 *   1. the sender runs first: the receiver's select is still
	 *      queued, so the trysend completes it and select returns 0;
	 *   2. the receiver runs first: it times out and leaves the
	 *      queue, so the trysend finds nobody: -EAGAIN.
	 */
	for (int order = 0; order < 2; order++) {
		begin();
		chan_t *c = make(sizeof(int), 0);
		struct later l = { .c = c, .after = 5 * MS, .v = 7 };
		int v = -1;
		chan_case_t cs[] = { CHAN_RECV_CASE(c, &v) };
		int r;
		if (order == 0) {
			spawn(send_later, &l);
			fake_settle(); /* it sleeps first: it wakes first */
			r = chan_select(cs, 1, 5 * MS);
		} else {
			spawn(send_later, &l);
			/* We block first, then it sleeps. */
			r = chan_select(cs, 1, 5 * MS);
		}
		finish();
		if (order == 0) {
			CHECK_EQ(l.r, 0);
			CHECK_EQ(r, 0);
			CHECK_EQ(v, 7);
		} else {
			CHECK_EQ(l.r, -EAGAIN);
			CHECK_EQ(r, -ETIMEDOUT);
			CHECK_EQ(v, -1);
		}
		CHECK_EQ(chan_destroy(c), 0);
	}
}

static void select_fairness(void)
{
	begin();
	/* Four ready cases (two receives, two sends) and two NULL ones:
	 * over 40000 rounds each ready case is chosen 10000 +- 5 %. */
	chan_t *c[4];
	for (int i = 0; i < 4; i++)
		c[i] = make(sizeof(int), 1);
	int one = 1, v;
	CHECK_EQ(chan_send(c[0], &one), 0);
	CHECK_EQ(chan_send(c[1], &one), 0);
	chan_case_t cs[] = {
		CHAN_RECV_CASE(c[0], &v), CHAN_SEND_CASE(NULL, &one),
		CHAN_RECV_CASE(c[1], &v), CHAN_SEND_CASE(c[2], &one),
		CHAN_RECV_CASE(NULL, &v), CHAN_SEND_CASE(c[3], &one),
	};
	int count[6] = { 0 };
	for (int round = 0; round < 40000; round++) {
		int i = chan_select(cs, 6, CHAN_NOWAIT);
		CHECK(i >= 0 && i < 6);
		if (i < 0 || i >= 6)
			break;
		count[i]++;
		CHECK(cs[i].ok);
		/* Make it ready again. */
		if (cs[i].op == CHAN_RECV)
			CHECK_EQ(chan_send(cs[i].chan, &one), 0);
		else
			CHECK_EQ(chan_recv(cs[i].chan, &v, NULL), 0);
	}
	CHECK_EQ(count[1], 0);
	CHECK_EQ(count[4], 0);
	static const int ready[] = { 0, 2, 3, 5 };
	for (int j = 0; j < 4; j++) {
		int i = ready[j];
		printf("  case %d chosen %d times\n", i, count[i]);
		CHECK(count[i] > 9500 && count[i] < 10500);
	}
	for (int i = 0; i < 4; i++)
		CHECK_EQ(chan_destroy(c[i]), 0);
	finish();
}

/* Who reads after a select blocked in several queues at once. */
struct selector {
	chan_case_t cs[20];
	size_t n;
	int64_t timeout;
	int r;
};

static void run_select(void *p)
{
	struct selector *s = p;
	s->r = chan_select(s->cs, s->n, s->timeout);
}

static void select_waits_on_all_then_leaves_all(void)
{
	begin();
	chan_t *c[3];
	int v[3] = { -1, -1, -1 };
	struct selector s = { .n = 3, .timeout = CHAN_FOREVER };
	for (int i = 0; i < 3; i++) {
		c[i] = make(sizeof(int), 0);
		s.cs[i] = (chan_case_t)CHAN_RECV_CASE(c[i], &v[i]);
	}
	spawn(run_select, &s);
	fake_settle();
	int x = 5;
	CHECK_EQ(chan_trysend(c[1], &x), 0);
	/* The other two channels no longer have a receiver. */
	CHECK_EQ(chan_trysend(c[0], &x), -EAGAIN);
	CHECK_EQ(chan_trysend(c[2], &x), -EAGAIN);
	finish();
	CHECK_EQ(s.r, 1);
	CHECK_EQ(v[1], 5);
	CHECK_EQ(v[0], -1);
	CHECK_EQ(v[2], -1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(chan_destroy(c[i]), 0); /* no waiter left */
}

static void select_send_and_recv_same_channel(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0);
	int out = 11, in = -1;
	struct selector s = { .n = 2, .timeout = CHAN_FOREVER };
	s.cs[0] = (chan_case_t)CHAN_SEND_CASE(c, &out);
	s.cs[1] = (chan_case_t)CHAN_RECV_CASE(c, &in);
	spawn(run_select, &s);
	fake_settle();
	int v = -1;
	bool ok;
	CHECK_EQ(chan_recv(c, &v, &ok), 0); /* takes its send case */
	CHECK_EQ(v, 11);
	finish();
	CHECK_EQ(s.r, 0);
	CHECK(s.cs[0].ok);
	CHECK_EQ(in, -1);
	CHECK_EQ(chan_destroy(c), 0);
}

static void select_blocked_send_closed(void)
{
	begin();
	chan_t *c = make(sizeof(int), 0), *d = make(sizeof(int), 0);
	int out = 1, in = -1;
	struct selector s = { .n = 2, .timeout = CHAN_FOREVER };
	s.cs[0] = (chan_case_t)CHAN_RECV_CASE(d, &in);
	s.cs[1] = (chan_case_t)CHAN_SEND_CASE(c, &out);
	s.cs[1].ok = true;
	spawn(run_select, &s);
	fake_settle();
	CHECK_EQ(chan_close(c), 0);
	finish();
	CHECK_EQ(s.r, 1);
	CHECK(!s.cs[1].ok);
	CHECK_EQ(chan_destroy(c), 0);
	CHECK_EQ(chan_destroy(d), 0);
}

static void select_many_cases(void)
{
	/* More cases than fit on the stack: the waiters are malloc'd,
	 * outside kern_enter (the wrapped malloc checks). */
	begin();
	chan_t *c[20];
	int v = -1;
	struct selector s = { .n = 20, .timeout = CHAN_FOREVER };
	for (int i = 0; i < 20; i++) {
		c[i] = make(sizeof(int), 0);
		s.cs[i] = (chan_case_t)CHAN_RECV_CASE(c[i], &v);
	}
	spawn(run_select, &s);
	fake_settle();
	int x = 17;
	CHECK_EQ(chan_send(c[17], &x), 0);
	finish();
	CHECK_EQ(s.r, 17);
	CHECK_EQ(v, 17);
	/* And the timeout path of a big select. */
	uint64_t t0 = fake_now;
	CHECK_EQ(chan_select(s.cs, 20, 1 * MS), -ETIMEDOUT);
	CHECK_EQ(fake_now - t0, 1 * MS);
	for (int i = 0; i < 20; i++)
		CHECK_EQ(chan_destroy(c[i]), 0);
}

/* Many to many */

#define SENDERS	   8
#define RECEIVERS  6
#define PER_SENDER 1500

struct stress {
	chan_t *unbuf, *buf, *done;
	unsigned char seen[SENDERS * PER_SENDER];
	int received, dups, bad;
};

struct stress_sender {
	struct stress *st;
	int id;
};

static void stress_send(void *p)
{
	struct stress_sender *ss = p;
	struct stress *st = ss->st;
	for (int i = 0; i < PER_SENDER; i++) {
		int v = ss->id * PER_SENDER + i;
		int r;
		switch (i % 3) {
		case 0:
			r = chan_send(st->unbuf, &v);
			break;
		case 1:
			r = chan_send(st->buf, &v);
			break;
		default: {
			chan_case_t cs[] = { CHAN_SEND_CASE(st->unbuf, &v),
					     CHAN_SEND_CASE(st->buf, &v) };
			r = chan_select(cs, 2, CHAN_FOREVER);
			r = r < 0 ? r : cs[r].ok ? 0 : -EPIPE;
		}
		}
		if (r)
			st->bad++;
	}
	CHECK_EQ(chan_send(st->done, NULL), 0);
}

static void stress_recv(void *p)
{
	struct stress *st = p;
	int v;
	chan_case_t cs[] = { CHAN_RECV_CASE(st->unbuf, &v),
			     CHAN_RECV_CASE(st->buf, &v) };
	/* Go's idiom: a closed and drained channel's case becomes NULL;
	 * done when both are. */
	while (cs[0].chan || cs[1].chan) {
		int64_t timeout =
			(st->received & 1) ? (int64_t)MS : CHAN_FOREVER;
		int i = chan_select(cs, 2, timeout);
		if (i == -ETIMEDOUT)
			continue;
		if (i < 0) {
			st->bad++;
			break;
		}
		if (!cs[i].ok) {
			cs[i].chan = NULL;
			continue;
		}
		if (v < 0 || v >= SENDERS * PER_SENDER) {
			st->bad++;
			continue;
		}
		if (st->seen[v]++)
			st->dups++;
		st->received++;
	}
	CHECK_EQ(chan_send(st->done, NULL), 0);
}

static void many_to_many(void)
{
	static struct stress st;
	for (unsigned seed = 1; seed <= 6; seed++) {
		fake_sched_init(seed * 7919, seed * 5);
		memset(&st, 0, sizeof(st));
		st.unbuf = make(sizeof(int), 0);
		st.buf = make(sizeof(int), 4);
		st.done = make(0, 0);
		struct stress_sender ss[SENDERS];
		for (int i = 0; i < RECEIVERS; i++)
			spawn(stress_recv, &st);
		for (int i = 0; i < SENDERS; i++) {
			ss[i] = (struct stress_sender){ &st, i };
			spawn(stress_send, &ss[i]);
		}
		for (int i = 0; i < SENDERS; i++)
			CHECK_EQ(chan_recv(st.done, NULL, NULL), 0);
		CHECK_EQ(chan_close(st.unbuf), 0);
		CHECK_EQ(chan_close(st.buf), 0);
		for (int i = 0; i < RECEIVERS; i++)
			CHECK_EQ(chan_recv(st.done, NULL, NULL), 0);
		finish();
		CHECK_EQ(st.received, SENDERS * PER_SENDER);
		CHECK_EQ(st.dups, 0);
		CHECK_EQ(st.bad, 0);
		for (int v = 0; v < SENDERS * PER_SENDER; v++)
			if (!st.seen[v]) {
				CHECK_EQ(v, -1); /* lost */
				break;
			}
		CHECK_EQ(chan_destroy(st.unbuf), 0);
		CHECK_EQ(chan_destroy(st.buf), 0);
		CHECK_EQ(chan_destroy(st.done), 0);
		printf("  seed %u: %lu switches\n", seed, fake_switches);
	}
}

/* Many go threads, each sending once (the guest test does 10,000). */
struct one {
	chan_t *c;
	int v;
};

static void send_once(void *p)
{
	struct one *o = p;
	CHECK_EQ(chan_send(o->c, &o->v), 0);
}

static void thousands_of_senders(void)
{
	enum { N = 2000 };
	fake_sched_init(99, 10);
	chan_t *c = make(sizeof(int), 0);
	static struct one o[N];
	static unsigned char seen[N];
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < N; i++) {
		o[i] = (struct one){ c, i };
		spawn(send_once, &o[i]);
	}
	long sum = 0;
	for (int i = 0; i < N; i++) {
		int v = -1;
		CHECK_EQ(chan_recv(c, &v, NULL), 0);
		if (v >= 0 && v < N)
			seen[v]++;
		sum += v;
	}
	finish();
	CHECK_EQ(sum, (long)N * (N - 1) / 2);
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_EQ(chan_destroy(c), 0);
}

int main(int argc, char **argv)
{
	test_init("chan", argc, argv);
	RUN(unbuffered_send_waits);
	RUN(unbuffered_recv_waits);
	RUN(buffered_capacity_and_order);
	RUN(buffered_blocked_senders_keep_order);
	RUN(close_drains_then_not_ok);
	RUN(close_wakes_blocked_receivers);
	RUN(close_wakes_blocked_senders);
	RUN(try_ops);
	RUN(null_channel);
	RUN(invalid_arguments);
	RUN(zero_size_elements);
	RUN(select_default);
	RUN(select_timeout);
	RUN(select_timeout_race);
	RUN(select_fairness);
	RUN(select_waits_on_all_then_leaves_all);
	RUN(select_send_and_recv_same_channel);
	RUN(select_blocked_send_closed);
	RUN(select_many_cases);
	RUN(many_to_many);
	RUN(thousands_of_senders);
	return test_summary();
}
