/*
 * Channels: Go's chan for C threads (the contract is include/atman/chan.h).
 * A channel is a ring of elements plus two queues of blocked callers,
 * senders and receivers. A blocked call waits as one struct waiter on its
 * stack with one struct sudog per case (Go's name), each queued on its
 * case's channel; whoever completes one case unlinks all of the waiter's
 * sudogs at once and wakes it. send, recv and the try forms are selects
 * of one case.
 *
 * Channels are malloc'd in program context. Everything that reads or
 * writes a channel runs between kern_enter and kern_leave: one CPU and
 * interrupts off, so no locks and no lost wake-ups.
 */
#include <errno.h>
#include <stdlib.h>

#include "kern/kern.h"
#include "include/atman/chan.h"

#define CHAN_MAGIC   0x6e616863u /* "chan" */
#define SELECT_STACK 8		 /* cases a select waits on without malloc */

struct sudog;
struct sudogq {
	struct sudog *head, *tail;
};

struct atman_chan {
	uint32_t magic;
	bool closed;
	size_t elem_size, cap;
	size_t head, count; /* buffered: ring slots [head, head + count) */
	struct sudogq sendq, recvq;
	unsigned char *buf; /* cap * elem_size bytes, after the struct */
};

/* One blocked call, on the blocked thread's stack. */
struct waiter {
	struct thread *t;
	struct sudog *sg; /* one per case, in case order */
	size_t n;
	struct sudog *done; /* the case that completed; NULL while waiting */
};

/* One case of a blocked call, queued on its channel. */
struct sudog {
	struct waiter *w;
	struct atman_chan *c;
	void *elem; /* send: read from here; recv: write here (or NULL) */
	bool send, queued;
	bool ok; /* set on completion: transferred, or closed */
	struct sudog *prev, *next;
};

static void q_push(struct sudogq *q, struct sudog *s)
{
	s->next = NULL;
	s->prev = q->tail;
	if (q->tail)
		q->tail->next = s;
	else
		q->head = s;
	q->tail = s;
}

static void q_remove(struct sudogq *q, struct sudog *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		q->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		q->tail = s->prev;
	s->prev = s->next = NULL;
}

static void unlink_all(struct waiter *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct sudog *s = &w->sg[i];
		if (!s->queued)
			continue;
		q_remove(s->send ? &s->c->sendq : &s->c->recvq, s);
		s->queued = false;
	}
}

/*
 * Case s of a blocked call has happened: take the call off every channel
 * it waits on, so no other case can happen too, and wake its thread. The
 * thread may already be runnable (its deadline passed) without having
 * run yet; then done, not the timeout, decides what it returns.
 */
static void complete(struct sudog *s, bool ok)
{
	struct waiter *w = s->w;
	unlink_all(w);
	s->ok = ok;
	w->done = s;
	sched_wake(w->t);
}

static void copy(void *d, const void *s, size_t n)
{
	if (d && n)
		memcpy(d, s, n);
}

static unsigned char *slot(struct atman_chan *c, size_t i)
{
	return c->buf + (i % c->cap) * c->elem_size;
}

static bool can_send(const struct atman_chan *c)
{
	return c->closed || c->recvq.head || c->count < c->cap;
}

static bool can_recv(const struct atman_chan *c)
{
	return c->count || c->sendq.head || c->closed;
}

/* Send on c, which can_send. False if it is closed. */
static bool do_send(struct atman_chan *c, const void *elem)
{
	if (c->closed)
		return false;
	struct sudog *r = c->recvq.head;
	if (r) {
		/* A receiver waits, so the buffer is empty: hand over. */
		copy(r->elem, elem, c->elem_size);
		complete(r, true);
		return true;
	}
	copy(slot(c, c->head + c->count), elem, c->elem_size);
	c->count++;
	return true;
}

/* Receive from c, which can_recv. False if it is closed and drained. */
static bool do_recv(struct atman_chan *c, void *elem)
{
	struct sudog *s = c->sendq.head;
	if (s) {
		/* A sender waits: unbuffered, or the buffer is full. Take
		 * the oldest element and put the sender's in its slot,
		 * which is now the newest: order is kept. */
		if (c->cap == 0) {
			copy(elem, s->elem, c->elem_size);
		} else {
			unsigned char *p = slot(c, c->head);
			copy(elem, p, c->elem_size);
			copy(p, s->elem, c->elem_size);
			c->head = (c->head + 1) % c->cap;
		}
		complete(s, true);
		return true;
	}
	if (c->count) {
		copy(elem, slot(c, c->head), c->elem_size);
		c->head = (c->head + 1) % c->cap;
		c->count--;
		return true;
	}
	return false;
}

/* xorshift64*: the choice among ready cases. Seeded once from the TSC;
 * only ever touched inside kern_enter. */
static uint64_t rng_state;

static uint32_t rng_below(uint32_t n)
{
	if (!rng_state)
		rng_state = __builtin_ia32_rdtsc() | 1;
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	uint64_t r = rng_state * 0x2545f4914f6cdd1dULL;
	return (uint32_t)(((r >> 32) * n) >> 32);
}

static bool valid(const struct atman_chan_case *k)
{
	if (k->op != ATMAN_CHAN_SEND && k->op != ATMAN_CHAN_RECV)
		return false;
	if (!k->chan)
		return true;
	if (k->chan->magic != CHAN_MAGIC)
		return false;
	return k->op == ATMAN_CHAN_RECV || k->elem || !k->chan->elem_size;
}

/* The chosen case k has happened (ok: transferred, else closed). */
static int chosen(struct atman_chan_case *k, size_t i, bool ok)
{
	k->ok = ok;
	if (!ok && k->op == ATMAN_CHAN_RECV && k->elem)
		memset(k->elem, 0, k->chan->elem_size);
	return (int)i;
}

int atman_chan_select(struct atman_chan_case *cases, size_t n,
		      int64_t timeout_ns)
{
	if (n && !cases)
		return -EINVAL;
	if (n > INT32_MAX)
		return -EINVAL;
	struct sudog local[SELECT_STACK];
	struct sudog *sg = local;
	if (n > SELECT_STACK && timeout_ns != 0) {
		sg = malloc(n * sizeof(*sg)); /* program context */
		if (!sg)
			return -ENOMEM;
	}

	unsigned long f = kern_enter();
	int r;
	size_t live = 0, ready = 0, pick = 0;
	for (size_t i = 0; i < n; i++) {
		struct atman_chan_case *k = &cases[i];
		if (!valid(k)) {
			r = -EINVAL;
			goto out;
		}
		if (!k->chan)
			continue;
		live++;
		if (k->op == ATMAN_CHAN_SEND ? can_send(k->chan)
					     : can_recv(k->chan)) {
			/* Reservoir sampling: the j-th ready case replaces
			 * the pick with probability 1/j, so each of the
			 * ready cases ends up chosen with equal chance. */
			if (++ready == 1 || rng_below(ready) == 0)
				pick = i;
		}
	}
	if (ready) {
		struct atman_chan_case *k = &cases[pick];
		bool ok = k->op == ATMAN_CHAN_SEND ? do_send(k->chan, k->elem)
						   : do_recv(k->chan, k->elem);
		r = chosen(k, pick, ok);
		goto out;
	}
	if (timeout_ns == 0) {
		r = -EAGAIN;
		goto out;
	}
	if (timeout_ns < 0 && !live) {
		r = -EDEADLK;
		goto out;
	}

	/* Nothing is ready: wait on every channel at once. */
	struct waiter w = { .t = current, .sg = sg, .n = n };
	for (size_t i = 0; i < n; i++) {
		struct atman_chan_case *k = &cases[i];
		sg[i] = (struct sudog){ .w = &w,
					.c = k->chan,
					.elem = k->elem,
					.send = k->op == ATMAN_CHAN_SEND };
		if (!k->chan)
			continue;
		q_push(sg[i].send ? &k->chan->sendq : &k->chan->recvq, &sg[i]);
		sg[i].queued = true;
	}
	uint64_t deadline =
		timeout_ns > 0 ? now_ns() + (uint64_t)timeout_ns : 0;
	while (!w.done) {
		bool woken = sched_block(deadline);
		if (!woken && !w.done && deadline && now_ns() >= deadline) {
			/* The deadline passed and no case completed: as
			 * interrupts are off, none can complete now. */
			unlink_all(&w);
			r = -ETIMEDOUT;
			goto out;
		}
	}
	size_t i = (size_t)(w.done - sg);
	r = chosen(&cases[i], i, w.done->ok);
out:
	kern_leave(f);
	if (sg != local)
		free(sg);
	return r;
}

int atman_chan_send(atman_chan_t *c, const void *elem)
{
	struct atman_chan_case k = ATMAN_CHAN_SEND_CASE(c, elem);
	int r = atman_chan_select(&k, 1, ATMAN_CHAN_FOREVER);
	return r < 0 ? r : k.ok ? 0 : -EPIPE;
}

int atman_chan_trysend(atman_chan_t *c, const void *elem)
{
	struct atman_chan_case k = ATMAN_CHAN_SEND_CASE(c, elem);
	int r = atman_chan_select(&k, 1, ATMAN_CHAN_NOWAIT);
	return r < 0 ? r : k.ok ? 0 : -EPIPE;
}

int atman_chan_recv(atman_chan_t *c, void *elem, bool *ok)
{
	struct atman_chan_case k = ATMAN_CHAN_RECV_CASE(c, elem);
	int r = atman_chan_select(&k, 1, ATMAN_CHAN_FOREVER);
	if (r < 0)
		return r;
	if (ok)
		*ok = k.ok;
	return 0;
}

int atman_chan_tryrecv(atman_chan_t *c, void *elem, bool *ok)
{
	struct atman_chan_case k = ATMAN_CHAN_RECV_CASE(c, elem);
	int r = atman_chan_select(&k, 1, ATMAN_CHAN_NOWAIT);
	if (r < 0)
		return r;
	if (ok)
		*ok = k.ok;
	return 0;
}

int atman_chan_close(atman_chan_t *c)
{
	if (!c)
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = 0;
	if (c->magic != CHAN_MAGIC) {
		r = -EINVAL;
	} else if (c->closed) {
		r = -EPIPE;
	} else {
		/* Receivers wait only on an empty buffer, senders only on a
		 * full one: nobody waits on both sides. */
		c->closed = true;
		while (c->recvq.head)
			complete(c->recvq.head, false);
		while (c->sendq.head)
			complete(c->sendq.head, false);
	}
	kern_leave(f);
	return r;
}

int atman_chan_create(atman_chan_t **out, size_t elem_size, size_t capacity)
{
	if (!out)
		return -EINVAL;
	size_t room = SIZE_MAX / 2 - sizeof(struct atman_chan);
	if (capacity && elem_size > room / capacity)
		return -EINVAL;
	struct atman_chan *c = malloc(sizeof(*c) + elem_size * capacity);
	if (!c)
		return -ENOMEM;
	*c = (struct atman_chan){ .magic = CHAN_MAGIC,
				  .elem_size = elem_size,
				  .cap = capacity,
				  .buf = (unsigned char *)(c + 1) };
	*out = c;
	return 0;
}

int atman_chan_destroy(atman_chan_t *c)
{
	if (!c)
		return 0;
	unsigned long f = kern_enter();
	int r = 0;
	if (c->magic != CHAN_MAGIC)
		r = -EINVAL;
	else if (c->sendq.head || c->recvq.head)
		r = -EBUSY;
	else
		c->magic = 0;
	kern_leave(f);
	if (r == 0)
		free(c);
	return r;
}
