/*
 * Timers: threads sleeping until a monotonic deadline, in a list sorted
 * by deadline. The platform's one-shot timer is always set for the
 * earliest one; its interrupt wakes whoever is due.
 */
#include "kern.h"

static struct thread *sleepers;

uint64_t now_ns(void)
{
	return plat->monotonic_ns();
}

static void timer_program(void)
{
	plat->timer_set(sleepers ? sleepers->wake_at : 0);
}

static void sleepers_insert(struct thread *t)
{
	struct thread **pp = &sleepers;
	while (*pp && (*pp)->wake_at <= t->wake_at)
		pp = &(*pp)->tnext;
	t->tnext = *pp;
	*pp = t;
}

void timer_sleep_until(uint64_t deadline_ns)
{
	if (deadline_ns <= now_ns())
		return;
	current->wake_at = deadline_ns;
	sleepers_insert(current);
	timer_program();
	while (current->wake_at) {
		current->state = T_BLOCKED;
		schedule();
	}
}

void timer_interrupt(void)
{
	uint64_t now = now_ns();
	while (sleepers && sleepers->wake_at <= now) {
		struct thread *t = sleepers;
		sleepers = t->tnext;
		t->tnext = NULL;
		t->wake_at = 0;
		sched_add(t);
	}
	timer_program();
	need_resched = true;
}
