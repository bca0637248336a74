/*
 * Interval timers: setitimer/getitimer/alarm (ITIMER_REAL only: there is
 * no CPU time apart from real time worth a timer) and timer_create's
 * POSIX timers. Times are checked and turned into monotonic deadlines
 * here; kern/ptimer.c keeps the timers.
 */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "sys.h"
#include "kern/kern.h"

#define NS 1000000000ULL

/* The kernel's struct sigevent (64 bytes): musl passes this shape. */
struct ksigevent {
	uint64_t value;
	int signo;
	int notify;
	int tid; /* SIGEV_THREAD_ID */
	int pad[11];
};

static bool timer_realtime[PTIMER_MAX]; /* created on CLOCK_REALTIME? */

static long tv_to_ns(const struct timeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = (uint64_t)tv->tv_sec * NS + (uint64_t)tv->tv_usec * 1000;
	return 0;
}

static struct timeval ns_to_tv(uint64_t ns)
{
	/* A partial microsecond rounds up: a set timer never reads 0. */
	uint64_t us = (ns + 999) / 1000;
	return (struct timeval){ us / 1000000, us % 1000000 };
}

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){ ns / NS, ns % NS };
}

long sys_setitimer(int which, const struct itimerval *nv, struct itimerval *ov)
{
	if (which != ITIMER_REAL)
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF
			       ? -ENOSYS
			       : -EINVAL;
	if (ov && !vm_user_ok(ov, sizeof(*ov), true))
		return -EFAULT;
	uint64_t value = 0, interval = 0, left, oint;
	if (nv) {
		if (!vm_user_ok(nv, sizeof(*nv), false))
			return -EFAULT;
		struct itimerval v = *nv;
		long r = tv_to_ns(&v.it_value, &value);
		if (!r)
			r = tv_to_ns(&v.it_interval, &interval);
		if (r)
			return r;
	}
	int id = ptimer_itimer_real();
	if (nv)
		ptimer_set(id, value ? deadline_after(value) : 0, interval,
			   &left, &oint);
	else
		ptimer_get(id, &left, &oint);
	if (ov)
		*ov = (struct itimerval){ ns_to_tv(oint), ns_to_tv(left) };
	return 0;
}

long sys_getitimer(int which, struct itimerval *v)
{
	return sys_setitimer(which, NULL, v);
}

long sys_alarm(unsigned seconds)
{
	uint64_t left, oint;
	ptimer_set(ptimer_itimer_real(),
		   seconds ? deadline_after(seconds * NS) : 0, 0, &left, &oint);
	/* Whole seconds, rounded up when any time was left. */
	return left ? (long)((left + NS - 1) / NS) : 0;
}

static bool clock_ok(clockid_t clk, bool *realtime)
{
	*realtime = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_ALARM ||
		    clk == CLOCK_TAI;
	return *realtime || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_BOOTTIME_ALARM || clk == CLOCK_PROCESS_CPUTIME_ID ||
	       clk == CLOCK_THREAD_CPUTIME_ID;
}

long sys_timer_create(clockid_t clk, const struct ksigevent *sev, int *idp)
{
	bool realtime;
	if (!clock_ok(clk, &realtime))
		return -EINVAL;
	if (!vm_user_ok(idp, sizeof(*idp), true))
		return -EFAULT;
	struct ksigevent e = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	if (sev) {
		if (!vm_user_ok(sev, sizeof(*sev), false))
			return -EFAULT;
		e = *sev;
	}
	int id = ptimer_create(e.notify, e.signo, e.tid, e.value);
	if (id < 0)
		return id;
	if (!sev)
		ptimer_set(id, 0, 0, NULL, NULL);
	timer_realtime[id] = realtime;
	*idp = id;
	return 0;
}

long sys_timer_settime(int id, int flags, const struct itimerspec *nv,
		       struct itimerspec *ov)
{
	if (id < 0 || id >= PTIMER_MAX)
		return -EINVAL;
	if (!vm_user_ok(nv, sizeof(*nv), false))
		return -EFAULT;
	if (ov && !vm_user_ok(ov, sizeof(*ov), true))
		return -EFAULT;
	struct itimerspec v = *nv;
	uint64_t value, interval;
	long r = timespec_from_user(&v.it_value, &value);
	if (!r)
		r = timespec_from_user(&v.it_interval, &interval);
	if (r)
		return r;
	uint64_t deadline = 0;
	if (value)
		deadline = flags & TIMER_ABSTIME
				   ? deadline_at(value, timer_realtime[id])
				   : deadline_after(value);
	/* An absolute time already passed fires at once. */
	if (value && !deadline)
		deadline = 1;
	uint64_t left, oint;
	r = ptimer_set(id, deadline, interval, &left, &oint);
	if (!r && ov)
		*ov = (struct itimerspec){ ns_to_ts(oint), ns_to_ts(left) };
	return r;
}

long sys_timer_gettime(int id, struct itimerspec *v)
{
	if (!vm_user_ok(v, sizeof(*v), true))
		return -EFAULT;
	uint64_t left, interval;
	int r = id < PTIMER_MAX ? ptimer_get(id, &left, &interval) : -EINVAL;
	if (!r)
		*v = (struct itimerspec){ ns_to_ts(interval), ns_to_ts(left) };
	return r;
}

long sys_timer_getoverrun(int id)
{
	return id < PTIMER_MAX ? ptimer_overrun(id) : -EINVAL;
}

long sys_timer_delete(int id)
{
	return ptimer_delete(id);
}
