/*
 * Fakes of the kernel services below the file layer, for host unit tests
 * (tests/unit/fake_kern.c): kmalloc and pages from the host's malloc,
 * counted so a test can see that everything came back; vm_user_ok that
 * refuses one range a test marks bad; printk into a buffer; signal_send
 * that records what was sent; a console driver fed by the test; a
 * platform whose clocks are the fake scheduler's.
 */
#ifndef FAKE_KERN_H
#define FAKE_KERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern long fake_kmem_live, fake_pages_live; /* allocated, not freed */
extern long fake_pages_max;		     /* page_alloc fails past it */
/* vm_user_ok refuses addresses below 4096 and [fake_bad, +fake_bad_len) */
extern uintptr_t fake_bad;
extern size_t fake_bad_len;
extern char fake_printk[4096]; /* what printk wrote, NUL-terminated */
/* signal_send's calls: how many, and the last one's thread and signal;
 * signal_setmask sets the mask, no more. */
extern int fake_signals, fake_signal_tid, fake_signal_no;
/* The console driver: what the program wrote, and input to read. */
extern char fake_console_out[65536];
extern size_t fake_console_nout;
void fake_console_feed(const char *s); /* then console_input() */
void fake_console_reset(void);
/* Start a case: counters and buffers cleared, the console registered. */
void fake_kern_reset(void);

int go_spawn(void (*fn)(void *), void *arg);

#endif
