/*
 * A fake scheduler for host unit tests, behind kern.h's interface:
 * current, sched_block, sched_block_intr, sched_wake, kern_enter,
 * kern_leave, now_ns and go_spawn. Fake threads are ucontext coroutines
 * on one host thread, so blocking really switches threads, and
 * everything is deterministic:
 *
 * - The run queue is FIFO. A thread runs until it blocks, yields, ends,
 *   or is "preempted": with preempt_pct > 0, kern_enter and kern_leave
 *   yield with that chance (from a seeded generator), which is where a
 *   real preemption could let another thread in between two kernel calls.
 * - The clock (fake_now) stands still while anyone can run. When nobody
 *   can, it jumps to the earliest deadline of a blocked thread, and the
 *   threads due wake timed out, earliest first (ties: who blocked first).
 * - Nobody runnable and no deadline: a deadlock, reported (which threads
 *   wait) and the test program aborts.
 *
 * It also checks its callers: sched_block only inside kern_enter,
 * sched_wake only of a thread inside sched_block, and (with the link
 * options in chan.mk) no malloc or free inside kern_enter.
 */
#ifndef FAKE_SCHED_H
#define FAKE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

extern uint64_t fake_now;
extern unsigned long fake_switches;

/* Start over: the caller becomes the only thread; no thread may be
 * left from before (call fake_join_all first). */
void fake_sched_init(uint64_t seed, unsigned preempt_pct);
void fake_yield(void);
void fake_sleep(uint64_t ns);
/* Block until every other thread has ended. */
void fake_join_all(void);
int fake_live_threads(void); /* besides the caller */
bool fake_in_kernel(void);
/* Let the other threads run until each has blocked or ended (the clock
 * stands still meanwhile). */
void fake_settle(void);
/* A signal for t: it ends t's interruptible sleep (sched_block_intr
 * returns -EINTR) and any it starts before it is back in the program
 * (its outermost kern_leave, where a handler would run). */
struct thread;
void fake_signal(struct thread *t);

#endif
