/*
 * The program's interval timers: timer_create's POSIX timers and
 * setitimer's ITIMER_REAL (alarm is one too), each a ktimer that sends
 * a signal when it expires and re-arms itself for its interval.
 * Deadlines are monotonic: an absolute CLOCK_REALTIME time is converted
 * once, when the timer is set (a later step of the wall clock does not
 * move it). An expiry the timer interrupt is late for counts as an
 * overrun (si_overrun, timer_getoverrun).
 */
#include <errno.h>
#include <signal.h>

#include "kern.h"

struct ptimer {
	struct ktimer k;
	bool used;
	int notify; /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo, tid, id;
	uint64_t value; /* sigval */
	uint64_t interval;
	int overrun;
};
/* The program's timers, then ITIMER_REAL's. */
static struct ptimer ptimers[PTIMER_MAX + 1];

static void ptimer_fire(struct ktimer *k)
{
	struct ptimer *p = container_of(k, struct ptimer, k);
	uint64_t now = now_ns();
	p->overrun = 0;
	if (p->interval) {
		uint64_t late = now - k->when;
		p->overrun = late / p->interval > INT32_MAX
				     ? INT32_MAX
				     : (int)(late / p->interval);
		ktimer_arm(k,
			   k->when + (uint64_t)(p->overrun + 1) * p->interval);
	}
	if (p->notify == SIGEV_NONE)
		return;
	struct ksiginfo info = {
		.signo = p->signo,
		.code = p->id == PTIMER_MAX ? SI_KERNEL : SI_TIMER,
		.timerid = p->id,
		.overrun = p->overrun,
		.value = p->value,
	};
	/* A thread that is gone takes nothing: as Linux, no one gets it. */
	signal_send(p->notify == SIGEV_THREAD_ID ? p->tid : 0, &info);
}

static struct ptimer *lookup(int id)
{
	if (id < 0 || id > PTIMER_MAX || !ptimers[id].used)
		return NULL;
	return &ptimers[id];
}

int ptimer_create(int notify, int signo, int tid, uint64_t value)
{
	if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE &&
	    notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (notify != SIGEV_NONE && (signo < 1 || signo > NSIGNALS))
		return -EINVAL;
	if (notify == SIGEV_THREAD_ID && !thread_find(tid))
		return -EINVAL;
	for (int id = 0; id < PTIMER_MAX; id++) {
		struct ptimer *p = &ptimers[id];
		if (p->used)
			continue;
		*p = (struct ptimer){ .used = true,
				      .notify = notify,
				      .signo = signo,
				      .tid = tid,
				      .id = id,
				      .value = value };
		p->k.fn = ptimer_fire;
		return id;
	}
	return -EAGAIN;
}

/* What is left until the next expiry (0: disarmed), and the interval. */
static void current_setting(const struct ptimer *p, uint64_t *left,
			    uint64_t *interval)
{
	uint64_t now = now_ns();
	*left = !p->k.armed	  ? 0
		: p->k.when > now ? p->k.when - now
				  : 1; /* due: not "disarmed" */
	*interval = p->interval;
}

int ptimer_set(int id, uint64_t deadline, uint64_t interval, uint64_t *left,
	       uint64_t *old_interval)
{
	struct ptimer *p = lookup(id);
	if (!p)
		return -EINVAL;
	if (left)
		current_setting(p, left, old_interval);
	ktimer_cancel(&p->k);
	p->interval = deadline ? interval : 0;
	p->overrun = 0;
	if (deadline)
		ktimer_arm(&p->k, deadline);
	return 0;
}

int ptimer_get(int id, uint64_t *left, uint64_t *interval)
{
	struct ptimer *p = lookup(id);
	if (!p)
		return -EINVAL;
	current_setting(p, left, interval);
	return 0;
}

int ptimer_overrun(int id)
{
	struct ptimer *p = lookup(id);
	return p ? p->overrun : -EINVAL;
}

int ptimer_delete(int id)
{
	struct ptimer *p = lookup(id);
	if (!p || id == PTIMER_MAX)
		return -EINVAL;
	ktimer_cancel(&p->k);
	p->used = false;
	return 0;
}

int ptimer_itimer_real(void)
{
	struct ptimer *p = &ptimers[PTIMER_MAX];
	if (!p->used) {
		*p = (struct ptimer){ .used = true,
				      .notify = SIGEV_SIGNAL,
				      .signo = SIGALRM,
				      .id = PTIMER_MAX };
		p->k.fn = ptimer_fire;
	}
	return PTIMER_MAX;
}
