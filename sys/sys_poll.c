/*
 * poll, ppoll, select, pselect6 and epoll: argument checking, then
 * kern/poll.c and kern/epoll.c, which sleep until a watched file wakes
 * them, the timeout passes or a signal comes. With no descriptors, poll
 * and select are pure timeouts.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "sys.h"
#include "kern/kern.h"

/* ppoll, pselect6 and epoll_pwait wait with the mask the program gives,
 * if it gives one, as on Linux: in force until the call returns or, if a
 * signal ends the wait, until that signal's handler has run (then
 * signal_deliver puts the old mask back, as after rt_sigsuspend). */
static long mask_set(const void *umask, size_t sz)
{
	if (!umask)
		return 0;
	if (sz != sizeof(uint64_t))
		return -EINVAL;
	if (!vm_user_ok(umask, sz, false))
		return -EFAULT;
	uint64_t m;
	memcpy(&m, umask, sizeof(m));
	current->saved_mask = current->sigmask;
	current->restore_mask = true;
	signal_setmask(m);
	return 0;
}

static long mask_done(long r)
{
	if (current->restore_mask && r != -EINTR && r != -ERESTARTNOHAND) {
		current->restore_mask = false;
		current->sigmask = current->saved_mask;
	}
	return r;
}

/* A millisecond timeout: negative waits for ever (deadline 0). A zero
 * timeout gives a deadline of "now", already passed: no wait. */
static uint64_t ms_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? 0
			      : deadline_after((uint64_t)timeout_ms * 1000000);
}

static long do_poll(struct pollfd *fds, unsigned long n, uint64_t deadline)
{
	if (n > FD_MAX)
		return -EINVAL;
	if (!vm_user_ok(fds, n * sizeof(*fds), true))
		return -EFAULT;
	return poll_files(fds, n, deadline);
}

long sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
	return do_poll(fds, n, ms_deadline(timeout_ms));
}

long sys_ppoll(struct pollfd *fds, unsigned long n, const struct timespec *ts,
	       const void *sigmask, size_t sigsz)
{
	uint64_t deadline;
	long r = timeout_from_user(ts, false, false, &deadline);
	if (!r)
		r = mask_set(sigmask, sigsz);
	return r ? r : mask_done(do_poll(fds, n, deadline));
}

#define LBITS (8 * sizeof(unsigned long))

static long do_select(int n, fd_set *rs, fd_set *ws, fd_set *es,
		      uint64_t deadline)
{
	if (n < 0 || n > FD_MAX)
		return -EINVAL;
	size_t bytes = ALIGN_UP(n, LBITS) / 8;
	fd_set *sets[3] = { rs, ws, es };
	unsigned long in[3][FD_MAX / LBITS], out[3][FD_MAX / LBITS];
	const unsigned long *inp[3];
	unsigned long *outp[3];
	for (int k = 0; k < 3; k++) {
		inp[k] = outp[k] = NULL;
		if (!sets[k])
			continue;
		if (!vm_user_ok(sets[k], bytes, true))
			return -EFAULT;
		memcpy(in[k], sets[k], bytes);
		inp[k] = in[k];
		outp[k] = out[k];
	}
	long r = select_files(n, inp, outp, deadline);
	if (r < 0)
		return r;
	for (int k = 0; k < 3; k++) {
		if (!sets[k])
			continue;
		/* Asleep, the program may have unmapped them. */
		if (!vm_user_ok(sets[k], bytes, true))
			return -EFAULT;
		memcpy(sets[k], out[k], bytes);
	}
	return r;
}

long sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts, *tsp = NULL;
	if (tv) {
		if (!vm_user_ok(tv, sizeof(*tv), false))
			return -EFAULT;
		struct timeval v = *tv;
		if (v.tv_sec < 0 || v.tv_usec < 0 || v.tv_usec >= 1000000)
			return -EINVAL;
		ts = (struct timespec){ v.tv_sec, v.tv_usec * 1000 };
		tsp = &ts; /* kernel memory: vm_user_ok accepts it */
	}
	uint64_t deadline;
	long rr = timeout_from_user(tsp, false, false, &deadline);
	return rr ? rr : do_select(n, r, w, e, deadline);
}

/* pselect6's last argument: where the mask is, and its size. */
struct pselect_mask {
	const void *mask;
	size_t size;
};

long sys_pselect6(int n, fd_set *r, fd_set *w, fd_set *e,
		  const struct timespec *ts, const struct pselect_mask *sig)
{
	uint64_t deadline;
	long rr = timeout_from_user(ts, false, false, &deadline);
	if (rr)
		return rr;
	if (sig) {
		if (!vm_user_ok(sig, sizeof(*sig), false))
			return -EFAULT;
		struct pselect_mask m = *sig;
		rr = mask_set(m.mask, m.size);
		if (rr)
			return rr;
	}
	return mask_done(do_select(n, r, w, e, deadline));
}

long sys_epoll_create1(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f = epoll_open();
	if (!f)
		return -ENOMEM;
	int fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *uev)
{
	struct epoll_event ev = { 0 };
	if (op != EPOLL_CTL_DEL) {
		if (!vm_user_ok(uev, sizeof(*uev), false))
			return -EFAULT;
		ev = *uev; /* once: the program may change it */
	}
	struct file *ep = fd_file(epfd);
	if (!ep)
		return -EBADF;
	struct file *f = fd_file(fd);
	long r = f ? epoll_ctl_file(ep, op, fd, f, &ev) : -EBADF;
	if (f)
		file_put(f);
	file_put(ep);
	return r;
}

static long do_epoll_wait(int epfd, struct epoll_event *ev, int max,
			  uint64_t deadline)
{
	if (max <= 0 || max > INT_MAX / (int)sizeof(*ev))
		return -EINVAL;
	if (!vm_user_ok(ev, (size_t)max * sizeof(*ev), true))
		return -EFAULT;
	struct file *ep = fd_file(epfd);
	if (!ep)
		return -EBADF;
	long r = epoll_wait_file(ep, ev, max, deadline);
	file_put(ep);
	return r;
}

long sys_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	return do_epoll_wait(epfd, ev, max, ms_deadline(timeout));
}

long sys_epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
		     const void *sigmask, size_t sigsz)
{
	uint64_t deadline = ms_deadline(timeout);
	long r = mask_set(sigmask, sigsz);
	return r ? r : mask_done(do_epoll_wait(epfd, ev, max, deadline));
}

long sys_epoll_pwait2(int epfd, struct epoll_event *ev, int max,
		      const struct timespec *ts, const void *sigmask,
		      size_t sigsz)
{
	uint64_t deadline;
	long r = timeout_from_user(ts, false, false, &deadline);
	if (!r)
		r = mask_set(sigmask, sigsz);
	return r ? r : mask_done(do_epoll_wait(epfd, ev, max, deadline));
}
