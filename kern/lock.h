/*
 * Locks, named for the SMP to come. Today there is one CPU and kernel
 * code runs with interrupts off, so holding a lock means interrupts off
 * and nothing more. Every place that relies on that says so through this
 * API, on a named lock object: when a second CPU comes, irq_lock becomes
 * "interrupts off and take the spinlock", and each name is one lock to
 * reason about rather than a hunt through the tree.
 *
 * Kernel-internal: include it where a lock is taken (it needs arch.h,
 * which host unit tests replace with their fakes).
 */
#ifndef ATMAN_KERN_LOCK_H
#define ATMAN_KERN_LOCK_H

#include "arch.h"

struct irq_lock {
	const char *name; /* for reports, and for whoever adds SMP */
};
#define IRQ_LOCK_INIT(n)                                                       \
	{                                                                      \
		.name = n                                                      \
	}

/* Take l: returns what irq_unlock needs to put things back as they were
 * (nesting is allowed: an inner pair leaves interrupts off). */
static inline unsigned long irq_lock(struct irq_lock *l)
{
	(void)l;
	return arch_irq_save();
}

static inline void irq_unlock(struct irq_lock *l, unsigned long flags)
{
	(void)l;
	arch_irq_restore(flags);
}

/* The one lock of today's kernel: everything a syscall or a direct call
 * from the program touches (the run queue, wait queues, files, channels).
 * Syscalls take it implicitly (the syscall entry masks interrupts). */
extern struct irq_lock big_lock;

#endif
