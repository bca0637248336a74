/*
 * Timers: threads sleeping until a monotonic deadline, in a list sorted
 * by deadline; callbacks at a deadline (struct ktimer: the program's
 * interval timers), run from the timer interrupt; and time slices. The platform's one-shot timer is set for
 * the earliest sleeper and, while another thread waits for the CPU, a
 * slice check every SLICE_NS; a thread running alone takes no timer
 * interrupts (tickless).
 *
 * Context switches must stay cheap: they read no clock and make no
 * hypercall. So a slice is measured in checks, not in nanoseconds: a
 * check that finds no switch since the previous one preempts. A thread
 * therefore runs between one and two SLICE_NS before a waiting peer
 * gets the CPU.
 */
#include "kern.h"

static struct thread *sleepers;
static struct ktimer *ktimers; /* sorted by when */
static uint64_t armed;	       /* what the platform timer is set for; 0: off */
static uint64_t slice_check;   /* next slice check; 0: none due */
static uint64_t slice_mark;    /* sched_switches at the previous check */
uint64_t sched_switches;

uint64_t now_ns(void)
{
	return plat->monotonic_ns();
}

void timer_program(void)
{
	uint64_t d = sleepers ? sleepers->wake_at : 0;
	if (ktimers && (!d || ktimers->when < d))
		d = ktimers->when;
	if (sched_runq_empty())
		slice_check = 0;
	else if (!slice_check) {
		slice_check = now_ns() + SLICE_NS;
		slice_mark = sched_switches;
	}
	if (slice_check && (!d || slice_check < d))
		d = slice_check;
	/* A timer set earlier than needed may stay: when it fires we look
	 * again. Only an earlier deadline costs a reprogramming. */
	if (d && (!armed || d < armed)) {
		armed = d;
		plat->timer_set(d);
	}
}

/* A background thread's timed wait does not count (kern.h). */
bool timer_pending(void)
{
	if (ktimers)
		return true;
	for (struct thread *t = sleepers; t; t = t->tnext)
		if (!t->background)
			return true;
	return false;
}

void ktimer_arm(struct ktimer *k, uint64_t when)
{
	ktimer_cancel(k);
	k->when = when;
	struct ktimer **pp = &ktimers;
	while (*pp && (*pp)->when <= when)
		pp = &(*pp)->next;
	k->next = *pp;
	*pp = k;
	k->armed = true;
	if (ktimers == k)
		timer_program();
}

void ktimer_cancel(struct ktimer *k)
{
	if (!k->armed)
		return;
	for (struct ktimer **pp = &ktimers; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	k->next = NULL;
	k->armed = false;
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
	/* A callback may re-arm its timer (an interval): for a later time,
	 * so this ends. */
	while (ktimers && ktimers->when <= now) {
		struct ktimer *k = ktimers;
		ktimers = k->next;
		k->next = NULL;
		k->armed = false;
		k->fn(k);
	}
	if (slice_check && now >= slice_check) {
		if (sched_switches == slice_mark && !sched_runq_empty())
			need_resched = true;
		slice_mark = sched_switches;
		slice_check = 0;
	}
	timer_program();
}
