/*
 * arch.h for host unit tests: what the code under test takes from the
 * CPU layer, without its privileged instructions (kern/lock.h's
 * irq_lock is pushfq; cli on the real CPU). A test puts tests/unit/host
 * ahead of arch/$(ARCH) in its include path (tests/unit/xen.mk,
 * tests/unit/kern.mk).
 */
#ifndef ATMAN_ARCH_H
#define ATMAN_ARCH_H

#include <stddef.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

/* One host thread runs every fake thread: nothing to mask. */
static inline unsigned long arch_irq_save(void)
{
	return 0;
}

static inline void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}

/* Port 0xe9 (kern/console.c): the test's fake, if it links console.c. */
void arch_debugcon_write(const char *buf, size_t len);

#endif
