/*
 * Timers: threads sleeping until a monotonic deadline, in a list sorted
 * by deadline, and the end of the running thread's time slice. The
 * platform's one-shot timer is set for whichever comes first; the slice
 * only counts while another thread is runnable, so a thread running alone
 * takes no timer interrupts (tickless).
 */
#include "kern.h"

static struct thread *sleepers;
static uint64_t slice_end;
static uint64_t armed; /* the deadline the platform timer is set for */

uint64_t now_ns(void)
{
	return plat->monotonic_ns();
}

void timer_program(void)
{
	uint64_t d = sleepers ? sleepers->wake_at : 0;
	/* The slice end matters only while someone waits for the CPU and
	 * no preemption is pending yet. Arming it when it has passed would
	 * make the timer fire again at once, forever, on Xen (the upcall
	 * loop sees the port pending again before it returns). */
	if (!sched_runq_empty() && slice_end && !need_resched &&
	    (!d || slice_end < d))
		d = slice_end;
	if (d != armed) {
		armed = d;
		plat->timer_set(d);
	}
}

void timer_slice_start(void)
{
	slice_end = now_ns() + SLICE_NS;
	if (!sched_runq_empty())
		timer_program();
}

void timer_add(struct thread *t, uint64_t deadline_ns)
{
	t->wake_at = deadline_ns;
	struct thread **pp = &sleepers;
	while (*pp && (*pp)->wake_at <= deadline_ns)
		pp = &(*pp)->tnext;
	t->tnext = *pp;
	*pp = t;
	if (sleepers == t)
		timer_program();
}

void timer_cancel(struct thread *t)
{
	for (struct thread **pp = &sleepers; *pp; pp = &(*pp)->tnext)
		if (*pp == t) {
			*pp = t->tnext;
			break;
		}
	t->tnext = NULL;
	t->wake_at = 0;
}

void timer_sleep_until(uint64_t deadline_ns)
{
	/* Nobody else wakes a sleeper, but loop anyway: a sleep never ends
	 * before its deadline. */
	while (now_ns() < deadline_ns)
		sched_block(deadline_ns);
}

void timer_interrupt(void)
{
	uint64_t now = now_ns();
	armed = 0; /* it fired */
	while (sleepers && sleepers->wake_at <= now) {
		struct thread *t = sleepers;
		sleepers = t->tnext;
		t->tnext = NULL;
		t->wake_at = 0;
		t->timed_out = true;
		sched_add(t);
	}
	if (now >= slice_end && !sched_runq_empty())
		need_resched = true;
	timer_program();
}
