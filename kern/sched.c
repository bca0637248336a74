/*
 * The scheduler: round-robin over a FIFO run queue on one CPU. A thread
 * gives up the CPU by blocking or yielding; when others are runnable, the
 * timer ends its 10 ms slice and the interrupt of program code preempts
 * it (sched_preempt, called from entry.S). With nothing to run the CPU
 * halts until an interrupt: on Xen, hlt deschedules the vCPU.
 */
#include <errno.h>

#include "kern.h"
#include "arch.h"
#include "lock.h"

struct thread *current;
bool need_resched;
static struct waitq runq;

void sched_init(struct thread *first)
{
	current = first;
	kstack_top = first->kstack_top;
	first->state = T_RUNNABLE;
}

bool sched_runq_empty(void)
{
	return !runq.head;
}

void sched_add(struct thread *t)
{
	if (t->state == T_DEAD)
		return;
	bool was_queued = t->state == T_RUNNABLE;
	if (unlikely(t->go_worker) && !was_queued)
		go_worker_hook(t, GO_WORKER_WOKEN);
	t->state = T_RUNNABLE;
	if (t == current || was_queued)
		return;
	bool first = !runq.head;
	waitq_add(&runq, t);
	if (first)
		timer_program(); /* someone waits now: arm the slice end */
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

/*
 * The program's FPU/SSE state. A thread preempted, or blocked in a
 * syscall, may have live values in every register: all of it is saved.
 * A thread blocked inside a direct call from the program (a channel
 * operation) is at a function call, where the C ABI keeps only the
 * control words (MXCSR, the x87 control word) and an empty x87 stack:
 * saving 512 bytes or more there would be wasted work on the hottest
 * path. It resumes with the control words restored and the rest as the
 * previous thread left it.
 */
static void fpu_switch_out(struct thread *t)
{
	t->fpu_light = t->in_call;
	if (t->fpu_light)
		cpu_fpu_save_ctl(&t->mxcsr, &t->fcw);
	else
		cpu_fpu_save(t->fpu);
}

/* prev: the thread switched out just now (its state is what the
 * registers hold), or NULL if it died. */
static void fpu_switch_in(struct thread *t, const struct thread *prev)
{
	if (!t->fpu_light) {
		cpu_fpu_restore(t->fpu);
		return;
	}
	/* Two threads both inside calls, with the same control words (the
	 * usual case: channel ping-pong): nothing to do at all. */
	if (prev && prev->fpu_light) {
		if (prev->mxcsr != t->mxcsr || prev->fcw != t->fcw)
			cpu_fpu_load_ctl(t->mxcsr, t->fcw);
		return;
	}
	/* The registers hold a full context: empty the x87 stack too. */
	cpu_fpu_reset_ctl(t->mxcsr, t->fcw);
}

/*
 * Nothing can run, no thread sleeps until a time, none waits for a
 * device: only a thread could wake a thread, and none will. Say so, as
 * Go does ("all goroutines are asleep"), instead of hanging silently.
 */
static noreturn void deadlock(void)
{
	printk("\natman: crash: deadlock: all threads are asleep\n");
	thread_dump();
	crash(NULL, NULL, 0);
}

void (*go_worker_hook)(struct thread *t, int what);

void schedule(void)
{
	struct thread *prev = current;
	need_resched = false;
	/* getrusage's context switches: a sleep counts as voluntary (even
	 * when nobody else runs meanwhile, as on Linux); losing the CPU
	 * while runnable, as involuntary. */
	bool sleeping = prev->state == T_BLOCKED;
	if (sleeping)
		prev->nvcsw++;
	if (unlikely(prev->go_worker) && prev->state != T_DEAD)
		go_worker_hook(prev, prev->state == T_BLOCKED
					     ? GO_WORKER_BLOCKED
					     : GO_WORKER_PREEMPTED);
	struct thread *next;
	for (;;) {
		if (prev->state == T_RUNNABLE && !runq.head)
			return; /* nobody else wants the CPU */
		next = runq_pop();
		if (next)
			break;
		if (!timer_pending() && !device_waiters && !signal_awaited())
			deadlock();
		plat->idle();
	}
	/* prev may have been woken while we idled, together with others:
	 * it goes to the back of the queue, never lost. */
	if (prev->state == T_RUNNABLE) {
		bool first = !runq.head;
		waitq_add(&runq, prev);
		if (first)
			timer_program(); /* prev waits now: arm the slice */
	}
	bool alive = prev->state != T_DEAD;
	if (alive && !sleeping)
		prev->nivcsw++;
	if (alive)
		fpu_switch_out(prev);
	current = next;
	kstack_top = next->kstack_top;
	fpu_switch_in(next, alive ? prev : NULL);
	cpu_set_fs(next->fs_base);
	sched_switches++;
	switch_to(&prev->sp, next->sp);
	/* We run again: whoever ran before us may have died. */
	thread_reap();
}

void sched_preempt(void)
{
	if (need_resched)
		schedule();
}

bool sched_block(uint64_t deadline_ns)
{
	struct thread *t = current;
	t->woken = false;
	t->timed_out = false;
	if (deadline_ns)
		timer_add(t, deadline_ns);
	while (!t->woken && !t->timed_out) {
		t->state = T_BLOCKED;
		schedule();
	}
	if (deadline_ns)
		timer_cancel(t);
	return t->woken;
}

int sched_block_intr(uint64_t deadline_ns)
{
	struct thread *t = current;
	if (signal_next(t))
		return -EINTR;
	t->woken = false;
	t->timed_out = false;
	t->interrupted = false;
	t->intr_sleep = true;
	if (deadline_ns)
		timer_add(t, deadline_ns);
	while (!t->woken && !t->timed_out && !t->interrupted) {
		t->state = T_BLOCKED;
		schedule();
	}
	if (deadline_ns)
		timer_cancel(t);
	t->intr_sleep = false;
	/* Woken wins: the waker took us off its queue. */
	if (t->woken)
		return 1;
	return t->interrupted ? -EINTR : 0;
}

void sched_wake(struct thread *t)
{
	if (t->state == T_DEAD)
		return;
	t->woken = true;
	sched_add(t);
}

#define KERN_NESTED (1UL << 63)

struct irq_lock big_lock = IRQ_LOCK_INIT("big_lock");

/*
 * From the program, big_lock is taken the CPU layer's way (call_enter):
 * interrupts off, as irq_lock would, and whatever else the CPU flavour
 * needs to run kernel code (nothing, today: see arch.h). Inside the
 * kernel already (cpu_in_kernel: the flag cannot change under us, an
 * interrupt of program code puts it back as it found it), this is a
 * plain nested irq_lock.
 */
unsigned long kern_enter(void)
{
	if (cpu_in_kernel)
		return irq_lock(&big_lock) | KERN_NESTED;
	unsigned long flags = cpu_ops->call_enter();
	current->in_call = true;
	cpu_in_kernel = 1;
	return flags;
}

void kern_leave(unsigned long flags)
{
	if (flags & KERN_NESTED)
		return; /* interrupts were off: they stay off */
	if (need_resched)
		schedule();
	current->in_call = false;
	cpu_in_kernel = 0;
	cpu_ops->call_leave(flags);
}
