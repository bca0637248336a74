/*
 * Wait queues: FIFO lists of blocked threads. A thread adds itself and
 * blocks (wait_event in kern.h); an event handler or another thread wakes
 * it. One CPU and interrupts off in the kernel: no locks.
 */
#include "kern.h"

int device_waiters;

void waitq_add(struct waitq *q, struct thread *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

void waitq_remove(struct waitq *q, struct thread *t)
{
	struct thread *prev = NULL;
	for (struct thread *p = q->head; p; prev = p, p = p->next) {
		if (p != t)
			continue;
		if (prev)
			prev->next = p->next;
		else
			q->head = p->next;
		if (q->tail == p)
			q->tail = prev;
		p->next = NULL;
		return;
	}
}

bool wake_one(struct waitq *q)
{
	struct thread *t = q->head;
	if (!t)
		return false;
	q->head = t->next;
	if (!q->head)
		q->tail = NULL;
	t->next = NULL;
	sched_wake(t);
	return true;
}

void wake_all(struct waitq *q)
{
	while (wake_one(q))
		;
}

/* A background thread's waits keep nothing alive (kern.h). */
bool wait_device(struct waitq *q, uint64_t deadline_ns)
{
	int counts = !current->background;
	waitq_add(q, current);
	device_waiters += counts;
	bool woken = sched_block(deadline_ns);
	device_waiters -= counts;
	if (!woken)
		waitq_remove(q, current);
	return woken;
}

int wait_device_intr(struct waitq *q, uint64_t deadline_ns)
{
	int counts = !current->background;
	waitq_add(q, current);
	device_waiters += counts;
	int r = sched_block_intr(deadline_ns);
	device_waiters -= counts;
	if (r <= 0)
		waitq_remove(q, current);
	return r;
}
