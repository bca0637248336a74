/*
 * Timers (kern/timer.c) alone, against a fake platform timer and a fake
 * run queue: sleepers in deadline order, what the platform timer is set
 * for (and when it is not reprogrammed), cancellation, time slices
 * counted in checks, ktimer callbacks, and sleeps that never end early.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kern/kern.h"
#include "tests/unit/test.h"

#define MS 1000000ULL

/* --- what timer.c links against --- */
static uint64_t clock_ns = 1000 * MS;
static uint64_t armed_for; /* the platform timer's last setting */
static int programmed;	   /* how many times it was set */
static bool runq_empty = true;
static struct thread *added[16]; /* sched_add's calls, in order */
static int nadded;
bool need_resched;
struct thread *current;

static uint64_t fake_monotonic(void)
{
	return clock_ns;
}

static void fake_timer_set(uint64_t d)
{
	armed_for = d;
	programmed++;
}

static const struct platform fake_platform = {
	.name = "fake",
	.monotonic_ns = fake_monotonic,
	.timer_set = fake_timer_set,
};
const struct platform *plat = &fake_platform;

bool sched_runq_empty(void)
{
	return runq_empty;
}

void sched_add(struct thread *t)
{
	if (nadded < 16)
		added[nadded++] = t;
	t->state = T_RUNNABLE;
}

/* sched_block as timer_sleep_until sees it: time passes to the deadline,
 * or only half way when a test asks for an early return. */
static bool wake_early;
bool sched_block(uint64_t deadline)
{
	if (wake_early) {
		wake_early = false;
		clock_ns += (deadline - clock_ns) / 2;
		return true;
	}
	clock_ns = deadline;
	timer_interrupt();
	return false;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	printf("  panic at %s:%d: %s\n", file, line, fmt);
	abort();
}

/* --- the cases --- */

static struct thread th[4];

static void begin(void)
{
	/* Fire whatever is left from the case before. */
	clock_ns += 1000000 * MS;
	runq_empty = true;
	timer_interrupt();
	memset(th, 0, sizeof(th));
	nadded = 0;
	programmed = 0;
	armed_for = 0;
	need_resched = false;
	current = &th[0];
}

static void sleepers_in_order(void)
{
	begin();
	uint64_t t0 = clock_ns;
	timer_add(&th[1], t0 + 30 * MS);
	timer_add(&th[2], t0 + 10 * MS);
	timer_add(&th[3], t0 + 20 * MS);
	CHECK(timer_pending());
	CHECK_EQ(armed_for, t0 + 10 * MS); /* the earliest */
	clock_ns = t0 + 25 * MS;
	timer_interrupt();
	CHECK_EQ(nadded, 2);
	CHECK(added[0] == &th[2] && added[1] == &th[3]);
	CHECK(th[2].timed_out && th[3].timed_out && !th[1].timed_out);
	CHECK_EQ(th[2].wake_at, 0);
	CHECK_EQ(armed_for, t0 + 30 * MS);
	clock_ns = t0 + 30 * MS;
	timer_interrupt();
	CHECK_EQ(nadded, 3);
	CHECK(!timer_pending());
}

static void reprogram_only_earlier(void)
{
	begin();
	uint64_t t0 = clock_ns;
	timer_add(&th[1], t0 + 10 * MS);
	CHECK_EQ(programmed, 1);
	/* Later than what the timer is set for: no reprogramming (it will
	 * fire early and look again). */
	timer_add(&th[2], t0 + 50 * MS);
	CHECK_EQ(programmed, 1);
	timer_add(&th[3], t0 + 5 * MS);
	CHECK_EQ(programmed, 2);
	CHECK_EQ(armed_for, t0 + 5 * MS);
	/* Equal deadlines keep their order. */
	timer_cancel(&th[3]);
	timer_add(&th[3], t0 + 10 * MS);
	clock_ns = t0 + 10 * MS;
	timer_interrupt();
	CHECK_EQ(nadded, 2);
	CHECK(added[0] == &th[1] && added[1] == &th[3]);
}

static void cancel(void)
{
	begin();
	uint64_t t0 = clock_ns;
	timer_add(&th[1], t0 + 10 * MS);
	timer_add(&th[2], t0 + 20 * MS);
	timer_add(&th[3], t0 + 30 * MS);
	timer_cancel(&th[2]);
	timer_cancel(&th[2]); /* twice is harmless */
	CHECK_EQ(th[2].wake_at, 0);
	clock_ns = t0 + 40 * MS;
	timer_interrupt();
	CHECK_EQ(nadded, 2);
	CHECK(added[0] == &th[1] && added[1] == &th[3]);
	CHECK(!th[2].timed_out);
}

static void slices(void)
{
	begin();
	uint64_t t0 = clock_ns;
	/* Alone: no slice check, no timer at all. */
	timer_program();
	CHECK_EQ(programmed, 0);
	/* Someone waits: a check SLICE_NS from now. */
	runq_empty = false;
	timer_program();
	CHECK_EQ(armed_for, t0 + SLICE_NS);
	/* The first check finds no switch since it was armed: preempt. */
	clock_ns = t0 + SLICE_NS;
	timer_interrupt();
	CHECK(need_resched);
	need_resched = false;
	CHECK_EQ(armed_for, t0 + 2 * SLICE_NS); /* the next check */
	/* A switch happened in between: no preemption this time. */
	sched_switches++;
	clock_ns = t0 + 2 * SLICE_NS;
	timer_interrupt();
	CHECK(!need_resched);
	/* Nobody waits any more: the checks stop. */
	runq_empty = true;
	int before = programmed;
	clock_ns = t0 + 3 * SLICE_NS;
	timer_interrupt();
	CHECK_EQ(programmed, before);
	/* A sleeper earlier than the slice check sets the timer. */
	runq_empty = false;
	timer_program();
	timer_add(&th[1], clock_ns + SLICE_NS / 2);
	CHECK_EQ(armed_for, clock_ns + SLICE_NS / 2);
	runq_empty = true;
}

/* ktimers: callbacks in deadline order, from the timer interrupt; one
 * may re-arm itself (an interval); the platform timer is set for the
 * earliest of them and the sleepers. */
static int fired[8], nfired;
static struct ktimer kt[3];
static int rearms;

static void kt_fire(struct ktimer *k)
{
	fired[nfired++] = (int)(k - kt);
	if (k == &kt[2] && rearms-- > 0)
		ktimer_arm(k, clock_ns + 10 * MS);
}

static void ktimers(void)
{
	begin();
	nfired = 0;
	uint64_t t0 = clock_ns;
	for (int i = 0; i < 3; i++)
		kt[i] = (struct ktimer){ .fn = kt_fire };
	ktimer_arm(&kt[0], t0 + 30 * MS);
	ktimer_arm(&kt[1], t0 + 10 * MS);
	CHECK(timer_pending());
	CHECK_EQ(armed_for, t0 + 10 * MS);
	timer_add(&th[1], t0 + 5 * MS);
	CHECK_EQ(armed_for, t0 + 5 * MS);
	ktimer_arm(&kt[1], t0 + 20 * MS); /* again: moved, not twice */
	ktimer_arm(&kt[2], t0 + 25 * MS);
	ktimer_cancel(&kt[0]);
	ktimer_cancel(&kt[0]); /* twice is harmless */
	rearms = 1;
	clock_ns = t0 + 40 * MS;
	timer_interrupt();
	CHECK_EQ(nfired, 2);
	CHECK_EQ(fired[0], 1);
	CHECK_EQ(fired[1], 2);
	CHECK(kt[2].armed); /* re-armed for 50 ms */
	CHECK_EQ(armed_for, t0 + 50 * MS);
	clock_ns = t0 + 50 * MS;
	timer_interrupt();
	CHECK_EQ(nfired, 3);
	CHECK(!timer_pending());
}

static void sleep_never_early(void)
{
	begin();
	uint64_t t0 = clock_ns;
	current = &th[1];
	wake_early = true; /* a spurious wake half way */
	timer_sleep_until(t0 + 40 * MS);
	CHECK_EQ(clock_ns, t0 + 40 * MS);
	timer_sleep_until(t0); /* in the past: at once */
	CHECK_EQ(clock_ns, t0 + 40 * MS);
}

int main(int argc, char **argv)
{
	test_init("timer", argc, argv);
	RUN(sleepers_in_order);
	RUN(reprogram_only_earlier);
	RUN(cancel);
	RUN(slices);
	RUN(ktimers);
	RUN(sleep_never_early);
	return test_summary();
}
