/*
 * The scheduler: round-robin over a FIFO run queue on one CPU. A thread
 * gives up the CPU by blocking (wait_event) or yielding; a timer
 * interrupt of program code preempts it (sched_preempt). With nothing to
 * run, the CPU halts until an interrupt (Xen deschedules the vCPU).
 */
#include "kern.h"
#include "arch/x86_64/arch.h"

struct thread *current;
bool need_resched;
static struct waitq runq;

void sched_init(struct thread *first)
{
	current = first;
	first->state = T_RUNNABLE;
}

void sched_add(struct thread *t)
{
	if (t->state == T_DEAD)
		return;
	t->state = T_RUNNABLE;
	if (t != current)
		waitq_add(&runq, t);
}

static struct thread *runq_pop(void)
{
	struct thread *t = runq.head;
	if (t) {
		runq.head = t->next;
		if (!runq.head)
			runq.tail = NULL;
		t->next = NULL;
	}
	return t;
}

void schedule(void)
{
	struct thread *prev = current;
	need_resched = false;
	if (prev->state == T_RUNNABLE && runq.head)
		waitq_add(&runq, prev);
	struct thread *next;
	while (!(next = runq_pop())) {
		if (prev->state == T_RUNNABLE)
			return;
		cpu_idle();
	}
	if (next == prev)
		return;
	cpu_fpu_save(prev->fpu);
	prev->fs_base = cpu_get_fs();
	current = next;
	cpu_fpu_restore(next->fpu);
	cpu_set_fs(next->fs_base);
	switch_to(&prev->sp, next->sp);
}

void sched_preempt(void)
{
	if (need_resched)
		schedule();
}
