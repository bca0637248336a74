/*
 * The CPU layer as host unit tests see it (found before the real one
 * through tests/unit/kern.mk's include path): what the kernel code they
 * compile needs from arch.h, without privileged instructions (cli in a
 * host process would fault). irq_lock counts its depth, so a test can
 * see that code ran under a lock.
 */
#ifndef ATMAN_ARCH_H
#define ATMAN_ARCH_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

extern int fake_irq_depth; /* irq_lock nesting now */

static inline unsigned long arch_irq_save(void)
{
	return fake_irq_depth++;
}

static inline void arch_irq_restore(unsigned long flags)
{
	fake_irq_depth = (int)flags;
}

void arch_debugcon_write(const char *buf, size_t len);

#endif
