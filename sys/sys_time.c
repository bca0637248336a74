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

static long ts_to_ns(const struct timespec *ts, uint64_t *ns)
{
	if (!vm_user_ok(ts, sizeof(*ts), false))
		return -EFAULT;
	struct timespec v = *ts;
	if (v.tv_sec < 0 || v.tv_nsec < 0 || v.tv_nsec >= 1000000000)
		return -EINVAL;
	if ((uint64_t)v.tv_sec > UINT64_MAX / 1000000000 - 1)
		*ns = UINT64_MAX / 2; /* effectively forever */
	else
		*ns = (uint64_t)v.tv_sec * 1000000000 + v.tv_nsec;
	return 0;
}

long sys_clock_nanosleep(int clk, int flags, const struct timespec *req,
			 struct timespec *rem)
{
	(void)rem;
	if (!clock_valid(clk))
		return -EINVAL;
	uint64_t ns;
	long r = ts_to_ns(req, &ns);
	if (r)
		return r;
	uint64_t now = now_ns();
	uint64_t deadline;
	if (flags & TIMER_ABSTIME) {
		/* An absolute wall-clock time becomes a monotonic deadline;
		 * moving the wall clock later does not matter here. */
		uint64_t base = clock_ns(clk);
		deadline = ns > base ? now + (ns - base) : now;
	} else {
		deadline = now + ns < now ? UINT64_MAX / 2 : now + ns;
	}
	timer_sleep_until(deadline);
	return 0;
}

long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
