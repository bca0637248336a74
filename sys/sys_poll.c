/*
 * poll, ppoll, select, pselect6. A descriptor's readiness comes from its
 * file's poll op. Files whose kind says so (sockets) call file_changed
 * when their readiness may have changed, which wakes every poller to
 * look again. The console cannot (it gives no input interrupt on every
 * platform): while one is polled and nothing is ready, we also look
 * again every 10 ms. With no descriptors at all these are pure timeouts
 * and sleep to the deadline in one go.
 */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>

#include "sys.h"
#include "kern/kern.h"

#define POLL_RECHECK_NS 10000000ULL

/* Pollers of files that notify; every file_changed wakes them all. */
static struct waitq pollers;

void file_changed(struct file *f)
{
	(void)f;
	wake_all(&pollers);
}

/* Readiness of fd; *silent set if its file cannot tell us of changes. */
static unsigned file_ready(int fd, bool *silent)
{
	struct file *f = fd_get(fd);
	if (!f)
		return POLLNVAL;
	if (!f->ops->notifies)
		*silent = true;
	return f->ops->poll ? f->ops->poll(f) : POLLIN | POLLOUT;
}

/* Sleep until the deadline (0: none) or, with files, a file_changed,
 * or the next recheck if asked. False when the deadline has passed. */
static bool poll_sleep(uint64_t deadline, bool files, bool recheck)
{
	uint64_t now = now_ns();
	if (deadline && now >= deadline)
		return false;
	uint64_t until = deadline;
	if (recheck && (!until || until > now + POLL_RECHECK_NS))
		until = now + POLL_RECHECK_NS;
	if (files)
		wait_device(&pollers, until);
	else
		sched_block(until); /* forever, alone: a deadlock report */
	return true;
}

/* deadline 0: wait as long as it takes. A zero timeout gives a deadline
 * of "now", already passed when first looked at: no wait. */
static long do_poll(struct pollfd *fds, unsigned long n, uint64_t deadline)
{
	if (n > FD_MAX)
		return -EINVAL;
	if (!vm_user_ok(fds, n * sizeof(*fds), true))
		return -EFAULT;
	for (;;) {
		long count = 0;
		bool silent = false;
		for (unsigned long i = 0; i < n; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			unsigned m = file_ready(fds[i].fd, &silent);
			fds[i].revents = m & (fds[i].events | POLLERR |
					      POLLHUP | POLLNVAL);
			if (fds[i].revents)
				count++;
		}
		if (count || !poll_sleep(deadline, n > 0, silent))
			return count;
	}
}

long sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
	if (timeout_ms < 0)
		return do_poll(fds, n, 0);
	return do_poll(fds, n, deadline_after((uint64_t)timeout_ms * 1000000));
}

long sys_ppoll(struct pollfd *fds, unsigned long n, const struct timespec *ts,
	       const void *sigmask, size_t sigsz)
{
	(void)sigmask;
	(void)sigsz;
	uint64_t deadline;
	long r = timeout_from_user(ts, false, false, &deadline);
	return r ? r : do_poll(fds, n, deadline);
}

static long do_select(int n, fd_set *rs, fd_set *ws, fd_set *es,
		      uint64_t deadline)
{
	if (n < 0 || n > FD_MAX)
		return -EINVAL;
	fd_set *sets[3] = { rs, ws, es };
	for (int k = 0; k < 3; k++)
		if (sets[k] && !vm_user_ok(sets[k], ALIGN_UP(n, 64) / 8, true))
			return -EFAULT;
	fd_set in[3];
	for (int k = 0; k < 3; k++)
		if (sets[k])
			memcpy(&in[k], sets[k], ALIGN_UP(n, 64) / 8);
	for (;;) {
		long count = 0;
		bool silent = false;
		for (int k = 0; k < 3; k++)
			if (sets[k])
				memset(sets[k], 0, ALIGN_UP(n, 64) / 8);
		for (int fd = 0; fd < n; fd++) {
			bool want[3];
			for (int k = 0; k < 3; k++)
				want[k] = sets[k] && FD_ISSET(fd, &in[k]);
			if (!want[0] && !want[1] && !want[2])
				continue;
			unsigned m = file_ready(fd, &silent);
			if (m & POLLNVAL)
				return -EBADF;
			bool got[3] = { want[0] && (m & (POLLIN | POLLHUP)),
					want[1] && (m & POLLOUT),
					want[2] && (m & POLLPRI) };
			for (int k = 0; k < 3; k++)
				if (got[k]) {
					FD_SET(fd, sets[k]);
					count++;
				}
		}
		if (count || !poll_sleep(deadline, n > 0, silent))
			return count;
	}
}

long sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts, *tsp = NULL;
	if (tv) {
		if (!vm_user_ok(tv, sizeof(*tv), false))
			return -EFAULT;
		struct timeval v = *tv;
		if (v.tv_usec < 0 || v.tv_usec >= 1000000)
			return -EINVAL;
		ts = (struct timespec){ v.tv_sec, v.tv_usec * 1000 };
		tsp = &ts; /* kernel memory: vm_user_ok accepts it */
	}
	uint64_t deadline;
	long rr = timeout_from_user(tsp, false, false, &deadline);
	return rr ? rr : do_select(n, r, w, e, deadline);
}

long sys_pselect6(int n, fd_set *r, fd_set *w, fd_set *e,
		  const struct timespec *ts, const void *sig)
{
	(void)sig;
	uint64_t deadline;
	long rr = timeout_from_user(ts, false, false, &deadline);
	return rr ? rr : do_select(n, r, w, e, deadline);
}
