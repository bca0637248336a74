/*
 * The timeout helper (sys/sys_time.c): timespecs from the program,
 * relative and absolute deadlines on the monotonic and the wall clock,
 * saturation, and the sleeps built on them (a signal ending one), with
 * the fake scheduler's clock (the fake wall clock runs FAKE_EPOCH ahead
 * of it).
 */
#include <errno.h>
#include <time.h>

#include "kern/kern.h"
#include "sys/sys.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_kern.h"

#define MS	   1000000ULL
#define S	   1000000000ULL
#define FOREVER_NS (1ULL << 62)

#define K(expr)                                                                \
	({                                                                     \
		unsigned long fl_ = kern_enter();                              \
		long r_ = (long)(expr);                                        \
		kern_leave(fl_);                                               \
		r_;                                                            \
	})

static void begin(void)
{
	fake_sched_init(1, 0);
	fake_kern_reset();
}

static void from_user(void)
{
	begin();
	uint64_t ns = 7;
	struct timespec ts = { 2, 500 };
	CHECK_EQ(timespec_from_user(&ts, &ns), 0);
	CHECK_EQ(ns, 2 * S + 500);
	ts = (struct timespec){ 0, 999999999 };
	CHECK_EQ(timespec_from_user(&ts, &ns), 0);
	CHECK_EQ(ns, 999999999);
	ns = 7;
	ts = (struct timespec){ -1, 0 };
	CHECK_EQ(timespec_from_user(&ts, &ns), -EINVAL);
	ts = (struct timespec){ 0, 1000000000 };
	CHECK_EQ(timespec_from_user(&ts, &ns), -EINVAL);
	ts = (struct timespec){ 0, -1 };
	CHECK_EQ(timespec_from_user(&ts, &ns), -EINVAL);
	CHECK_EQ(ns, 7); /* untouched on error */
	CHECK_EQ(timespec_from_user(NULL, &ns), -EFAULT);
	/* Very long: as good as forever, and no overflow. */
	ts = (struct timespec){ 0x7fffffffffffffffL, 999999999 };
	CHECK_EQ(timespec_from_user(&ts, &ns), 0);
	CHECK_EQ(ns, FOREVER_NS);
	ts = (struct timespec){ FOREVER_NS / S - 1, 0 };
	CHECK_EQ(timespec_from_user(&ts, &ns), 0);
	CHECK_EQ(ns, (FOREVER_NS / S - 1) * S);
}

static void deadlines(void)
{
	begin();
	uint64_t now = fake_now;
	CHECK_EQ(deadline_after(5 * MS), now + 5 * MS);
	CHECK_EQ(deadline_after(0), now);
	CHECK_EQ(deadline_after(~0ULL), now + FOREVER_NS);
	/* Absolute, monotonic: the future stays, the past is now. */
	CHECK_EQ(deadline_at(now + 3 * MS, false), now + 3 * MS);
	CHECK_EQ(deadline_at(now - 3 * MS, false), now);
	CHECK_EQ(deadline_at(~0ULL, false), now + FOREVER_NS);
	/* Absolute, wall clock: the same distance from the wall's now. */
	uint64_t wall = plat->wallclock_ns();
	CHECK(wall != now);
	CHECK_EQ(deadline_at(wall + 8 * MS, true), now + 8 * MS);
	CHECK_EQ(deadline_at(wall - 8 * MS, true), now);
	CHECK_EQ(deadline_at(now + 8 * MS, true), now); /* long past */
}

static void timeouts(void)
{
	begin();
	uint64_t now = fake_now, d = 99;
	CHECK_EQ(timeout_from_user(NULL, false, false, &d), 0);
	CHECK_EQ(d, 0); /* none: wait for ever */
	struct timespec ts = { 1, 0 };
	CHECK_EQ(timeout_from_user(&ts, false, false, &d), 0);
	CHECK_EQ(d, now + S);
	ts = (struct timespec){ (now + 2 * S) / S, (now + 2 * S) % S };
	CHECK_EQ(timeout_from_user(&ts, true, false, &d), 0);
	CHECK_EQ(d, now + 2 * S);
	uint64_t wall = plat->wallclock_ns() + 3 * S;
	ts = (struct timespec){ wall / S, wall % S };
	CHECK_EQ(timeout_from_user(&ts, true, true, &d), 0);
	CHECK_EQ(d, now + 3 * S);
	/* A zero relative timeout is "now": already passed. */
	ts = (struct timespec){ 0, 0 };
	CHECK_EQ(timeout_from_user(&ts, false, false, &d), 0);
	CHECK_EQ(d, now);
	ts.tv_nsec = -5;
	CHECK_EQ(timeout_from_user(&ts, false, false, &d), -EINVAL);
	CHECK_EQ(timeout_from_user((void *)8, false, false, &d), -EFAULT);
}

static void sleeps(void)
{
	begin();
	uint64_t t0 = fake_now;
	struct timespec ts = { 0, 20 * MS };
	CHECK_EQ(K(sys_nanosleep(&ts, NULL)), 0);
	CHECK_EQ(fake_now, t0 + 20 * MS);
	uint64_t at = fake_now + 5 * MS;
	ts = (struct timespec){ at / S, at % S };
	CHECK_EQ(K(sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL)),
		 0);
	CHECK_EQ(fake_now, at);
	uint64_t wall = plat->wallclock_ns() + 7 * MS;
	ts = (struct timespec){ wall / S, wall % S };
	CHECK_EQ(K(sys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts,
				       NULL)),
		 0);
	CHECK_EQ(fake_now, at + 7 * MS);
	CHECK_EQ(K(sys_clock_nanosleep(99, 0, &ts, NULL)), -EINVAL);
	ts.tv_sec = -1;
	CHECK_EQ(K(sys_nanosleep(&ts, NULL)), -EINVAL);
	struct timespec now;
	CHECK_EQ(K(sys_clock_gettime(CLOCK_MONOTONIC, &now)), 0);
	CHECK_EQ((uint64_t)now.tv_sec * S + now.tv_nsec, fake_now);
	CHECK_EQ(K(sys_clock_gettime(CLOCK_REALTIME, &now)), 0);
	CHECK_EQ((uint64_t)now.tv_sec * S + now.tv_nsec, plat->wallclock_ns());
	CHECK_EQ(K(sys_clock_gettime(CLOCK_MONOTONIC, NULL)), -EFAULT);
}

struct sleeper {
	struct thread *t;
	long r;
	struct timespec rem;
};

static void sleep_one(void *p)
{
	struct sleeper *s = p;
	s->t = current;
	struct timespec ts = { 1, 0 };
	s->r = K(sys_nanosleep(&ts, &s->rem));
}

/* A signal ends a sleep: EINTR, and what was left in rem. */
static void sleep_interrupted(void)
{
	begin();
	struct sleeper s = { NULL, 99, { 0, 0 } };
	go_spawn(sleep_one, &s);
	fake_settle();
	fake_sleep(300 * MS);
	K((fake_signal(s.t), 0));
	fake_join_all();
	CHECK_EQ(s.r, -EINTR);
	CHECK_EQ(s.rem.tv_sec, 0);
	CHECK_EQ(s.rem.tv_nsec, 700 * MS);
}

int main(int argc, char **argv)
{
	test_init("timeout", argc, argv);
	RUN(from_user);
	RUN(deadlines);
	RUN(timeouts);
	RUN(sleeps);
	RUN(sleep_interrupted);
	return test_summary();
}
