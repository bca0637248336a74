/*
 * Clocks and sleeping. CLOCK_REALTIME is the platform's wall clock
 * (Xen's, or the CMOS clock); every other clock is the monotonic one,
 * which never goes backwards. Sleeps never end early: the timer fires at
 * or after the deadline.
 */
#include <errno.h>
#include <time.h>

#include "sys.h"
#include "kern/kern.h"

static bool clock_valid(int clk)
{
	return (clk >= CLOCK_REALTIME && clk <= CLOCK_BOOTTIME) ||
	       clk == CLOCK_TAI;
}

static uint64_t clock_ns(int clk)
{
	/* TAI is UTC plus the kernel's TAI offset, which Linux too leaves
	 * at 0 unless someone sets it. */
	if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE ||
	    clk == CLOCK_TAI)
		return plat->wallclock_ns();
	return now_ns();
}

long sys_clock_gettime(int clk, struct timespec *ts)
{
	if (!clock_valid(clk))
		return -EINVAL;
	if (!vm_user_ok(ts, sizeof(*ts), true))
		return -EFAULT;
	uint64_t ns = clock_ns(clk);
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}

long sys_clock_getres(int clk, struct timespec *ts)
{
	if (!clock_valid(clk))
		return -EINVAL;
	if (ts) {
		if (!vm_user_ok(ts, sizeof(*ts), true))
			return -EFAULT;
		*ts = (struct timespec){ 0, 1 };
	}
	return 0;
}

long sys_gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	if (tv) {
		if (!vm_user_ok(tv, sizeof(*tv), true))
			return -EFAULT;
		uint64_t ns = plat->wallclock_ns();
		tv->tv_sec = ns / 1000000000;
		tv->tv_usec = ns % 1000000000 / 1000;
	}
	return 0;
}

long sys_time(long *t)
{
	long s = plat->wallclock_ns() / 1000000000;
	if (t) {
		if (!vm_user_ok(t, sizeof(*t), true))
			return -EFAULT;
		*t = s;
	}
	return s;
}

/* Timeouts longer than this (~146 years) are as good as forever, and
 * adding "now" to them cannot overflow. */
#define FOREVER_NS (1ULL << 62)

long timespec_from_user(const struct timespec *uts, uint64_t *ns)
{
	if (!vm_user_ok(uts, sizeof(*uts), false))
		return -EFAULT;
	struct timespec v = *uts; /* read once: the program may change it */
	if (v.tv_sec < 0 || v.tv_nsec < 0 || v.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)v.tv_sec >= FOREVER_NS / 1000000000
		      ? FOREVER_NS
		      : (uint64_t)v.tv_sec * 1000000000 + v.tv_nsec;
	return 0;
}

uint64_t deadline_after(uint64_t ns)
{
	return now_ns() + MIN(ns, FOREVER_NS);
}

long timeout_from_user(const struct timespec *uts, bool absolute, bool realtime,
		       uint64_t *deadline)
{
	*deadline = 0;
	if (!uts)
		return 0;
	uint64_t ns;
	long r = timespec_from_user(uts, &ns);
	if (r)
		return r;
	*deadline = absolute ? deadline_at(ns, realtime) : deadline_after(ns);
	return 0;
}

uint64_t deadline_at(uint64_t ns, bool realtime)
{
	/* An absolute wall-clock time becomes a monotonic deadline; moving
	 * the wall clock afterwards does not move it. */
	uint64_t now = now_ns();
	uint64_t base = realtime ? plat->wallclock_ns() : now;
	return ns > base ? now + MIN(ns - base, FOREVER_NS) : now;
}

long sys_clock_nanosleep(int clk, int flags, const struct timespec *req,
			 struct timespec *rem)
{
	if (!clock_valid(clk))
		return -EINVAL;
	uint64_t ns;
	long r = timespec_from_user(req, &ns);
	if (r)
		return r;
	bool relative = !(flags & TIMER_ABSTIME);
	if (rem && relative && !vm_user_ok(rem, sizeof(*rem), true))
		return -EFAULT;
	uint64_t deadline =
		relative ? deadline_after(ns)
			 : deadline_at(ns,
				       clk == CLOCK_REALTIME ||
					       clk == CLOCK_REALTIME_COARSE ||
					       clk == CLOCK_TAI);
	/* Never early; a signal's handler ends the sleep (EINTR, and what
	 * was left of a relative one in rem). */
	for (;;) {
		uint64_t now = now_ns();
		if (now >= deadline)
			return 0;
		if (sched_block_intr(deadline) < 0) {
			now = now_ns();
			if (rem && relative) {
				uint64_t left =
					deadline > now ? deadline - now : 0;
				*rem = (struct timespec){ left / 1000000000,
							  left % 1000000000 };
			}
			return -EINTR;
		}
	}
}

long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
