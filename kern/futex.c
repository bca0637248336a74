/*
 * Futexes: a thread sleeps until another wakes the word it waits on.
 * Waiters are records on the sleeping thread's own stack, in a small hash
 * table keyed by address (one address space: private and shared futexes
 * are the same). The check of *uaddr and the enqueue happen with
 * interrupts off on one CPU, so no wake can slip in between.
 */
#include <errno.h>

#include "kern.h"

struct futex_waiter {
	struct thread *t;
	int *uaddr;
	uint32_t bitset;
	struct futex_waiter *next;
};

#define NBUCKETS 64
static struct futex_waiter *buckets[NBUCKETS];

static struct futex_waiter **bucket(int *uaddr)
{
	uint64_t h = ((uintptr_t)uaddr >> 2) * 0x9e3779b97f4a7c15ULL;
	return &buckets[h >> 58];
}

static void enqueue(struct futex_waiter *w)
{
	struct futex_waiter **pp = bucket(w->uaddr);
	while (*pp)
		pp = &(*pp)->next;
	w->next = NULL;
	*pp = w;
}

static bool dequeue(struct futex_waiter *w)
{
	for (struct futex_waiter **pp = bucket(w->uaddr); *pp;
	     pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return true;
		}
	return false;
}

static bool word_ok(int *uaddr)
{
	return !((uintptr_t)uaddr & 3) && vm_user_ok(uaddr, sizeof(int), false);
}

long futex_wait(int *uaddr, int val, uint64_t deadline_ns, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	if (!word_ok(uaddr))
		return -EFAULT;
	if (__atomic_load_n(uaddr, __ATOMIC_RELAXED) != val)
		return -EAGAIN;
	struct futex_waiter w = { .t = current,
				  .uaddr = uaddr,
				  .bitset = bitset };
	enqueue(&w);
	int r = sched_block_intr(deadline_ns);
	if (r > 0)
		return 0;
	/* Timed out or a signal. A requeue may have moved us: w.uaddr says
	 * where. An untimed wait starts again after a handler with
	 * SA_RESTART; a timed one would start its whole time again, so it
	 * says EINTR (musl's callers loop either way). */
	dequeue(&w);
	if (r < 0)
		return deadline_ns ? -EINTR : -ERESTARTSYS;
	return -ETIMEDOUT;
}

long futex_wake(int *uaddr, int n, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	int woken = 0;
	struct futex_waiter **pp = bucket(uaddr);
	while (*pp && woken < n) {
		struct futex_waiter *w = *pp;
		if (w->uaddr == uaddr && (w->bitset & bitset)) {
			*pp = w->next;
			sched_wake(w->t);
			woken++;
		} else {
			pp = &w->next;
		}
	}
	return woken;
}

long futex_requeue(int *uaddr, int nwake, int nmove, int *uaddr2)
{
	long woken = futex_wake(uaddr, nwake, ~0u);
	int moved = 0;
	struct futex_waiter **pp = bucket(uaddr);
	while (*pp && moved < nmove) {
		struct futex_waiter *w = *pp;
		if (w->uaddr != uaddr) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->uaddr = uaddr2;
		enqueue(w);
		moved++;
		if (bucket(uaddr) == bucket(uaddr2))
			pp = bucket(uaddr); /* the list changed under us */
	}
	return woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, arg); wake n on uaddr; and if the
 * old *uaddr2 compares true, n2 on uaddr2. */
long futex_wake_op(int *uaddr, int n, int *uaddr2, int n2, uint32_t op)
{
	if (!word_ok(uaddr2))
		return -EFAULT;
	int kind = (op >> 28) & 7, cmp = (op >> 24) & 15;
	int arg = (int)(op << 8) >> 20, cmparg = (int)(op << 20) >> 20;
	if (op & (8u << 28))
		arg = 1 << (arg & 31);
	int old = *uaddr2, val;
	switch (kind) {
	case 0:
		val = arg;
		break;
	case 1:
		val = old + arg;
		break;
	case 2:
		val = old | arg;
		break;
	case 3:
		val = old & ~arg;
		break;
	case 4:
		val = old ^ arg;
		break;
	default:
		return -ENOSYS;
	}
	bool hit;
	switch (cmp) {
	case 0:
		hit = old == cmparg;
		break;
	case 1:
		hit = old != cmparg;
		break;
	case 2:
		hit = old < cmparg;
		break;
	case 3:
		hit = old <= cmparg;
		break;
	case 4:
		hit = old > cmparg;
		break;
	case 5:
		hit = old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	*uaddr2 = val;
	long r = futex_wake(uaddr, n, ~0u);
	if (hit)
		r += futex_wake(uaddr2, n2, ~0u);
	return r;
}
