/*
 * epoll (kern/epoll.c) through its syscalls, on the fake scheduler, over
 * pipes and a test kind whose readiness the test sets: level and edge
 * triggering, EPOLLONESHOT, errors and hang-ups, nesting and loops, files
 * closed while registered, blocking, timeouts and signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

#include "kern/kern.h"
#include "sys/sys.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_kern.h"

#define MS 1000000ULL

#define K(expr)                                                                \
	({                                                                     \
		unsigned long fl_ = kern_enter();                              \
		long r_ = (long)(expr);                                        \
		kern_leave(fl_);                                               \
		r_;                                                            \
	})

/* A test kind: its readiness is what the test says. */
static unsigned t_poll(struct file *f)
{
	return *(unsigned *)f->priv;
}

static const struct file_ops t_ops = { .name = "test", .poll = t_poll };
static const struct file_ops nopoll_ops = { .name = "nopoll" };

static int t_open(unsigned *ready, const struct file_ops *ops)
{
	struct file *f = file_alloc(ops, O_RDWR, ready);
	return K(fd_install(f, 0, false));
}

static void t_set(int fd, unsigned *ready, unsigned ev)
{
	*ready = ev;
	unsigned long fl = kern_enter();
	struct file *f = fd_file(fd);
	file_wake(f, ev);
	file_put(f);
	kern_leave(fl);
}

static void begin(void)
{
	fake_sched_init(11, 0);
	fake_kern_reset();
	K(fd_close_range(0, ~0U, false));
}

static void finish(void)
{
	fake_join_all();
	K(fd_close_range(0, ~0U, false));
	CHECK_EQ(fake_kmem_live, 0);
	CHECK_EQ(fake_pages_live, 0);
	CHECK_EQ(device_waiters, 0);
}

static long ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return K(sys_epoll_ctl(ep, op, fd, &ev));
}

static long wait_ev(int ep, struct epoll_event *ev, int max, int timeout)
{
	return K(sys_epoll_wait(ep, ev, max, timeout));
}

static void make_pipe(int p[2])
{
	CHECK_EQ(K(sys_pipe2(p, O_NONBLOCK)), 0);
}

static void level_triggered(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 7), 0);
	struct epoll_event ev[4];
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0);
	CHECK_EQ(K(sys_write(p[1], "ab", 2)), 2);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(wait_ev(ep, ev, 4, 0), 1); /* again and again */
		CHECK_EQ(ev[0].events, EPOLLIN);
		CHECK_EQ(ev[0].data.u64, 7);
	}
	char buf[4];
	CHECK_EQ(K(sys_read(p[0], buf, 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(K(sys_read(p[0], buf, 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0); /* drained */
	/* Registered while ready: reported at once. */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 8), 0);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 8);
	finish();
}

static void edge_triggered(void)
{
	begin();
	int ep = K(sys_epoll_create(1));
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 1), 0);
	struct epoll_event ev[4];
	CHECK_EQ(K(sys_write(p[1], "a", 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0); /* once per change */
	CHECK_EQ(K(sys_write(p[1], "b", 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1); /* a new write: again */
	CHECK_EQ(ev[0].events, EPOLLIN);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0);
	/* Already ready when added: reported once. */
	int q[2];
	make_pipe(q);
	CHECK_EQ(K(sys_write(q[1], "c", 1)), 1);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLET, 2), 0);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 2);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0);
	finish();
}

static void oneshot(void)
{
	begin();
	int ep = K(sys_epoll_create1(EPOLL_CLOEXEC));
	CHECK_EQ(K(sys_fcntl(ep, F_GETFD, 0)), FD_CLOEXEC);
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT, 3), 0);
	struct epoll_event ev[4];
	CHECK_EQ(K(sys_write(p[1], "a", 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0);
	CHECK_EQ(K(sys_write(p[1], "b", 1)), 1);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0); /* disabled until MOD */
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 4), 0);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 4);
	CHECK_EQ(wait_ev(ep, ev, 4, 0), 0);
	/* Still registered: ADD again is EEXIST, DEL works. */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), -EEXIST);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), -ENOENT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), -ENOENT);
	finish();
}

static void errors_and_hangups(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	unsigned ready = 0;
	int fd = t_open(&ready, &t_ops);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLOUT, 5), 0);
	struct epoll_event ev[2];
	/* Not asked for: not reported. */
	t_set(fd, &ready, EPOLLIN | EPOLLRDHUP);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLRDHUP, 5), 0);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLIN | EPOLLRDHUP);
	/* Errors and hang-ups always are. */
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fd, EPOLLOUT, 5), 0);
	t_set(fd, &ready, EPOLLHUP | EPOLLERR | EPOLLIN);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLHUP | EPOLLERR);
	/* A pipe's: the writer gone is HUP for the read end, the reader
	 * gone ERR for the write end. */
	int p[2], q[2];
	make_pipe(p);
	make_pipe(q);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, fd, 0, 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 1), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, q[1], EPOLLOUT | EPOLLET, 2), 0);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 1); /* q's write end: writable */
	CHECK_EQ(K(sys_close(p[1])), 0);
	CHECK_EQ(K(sys_close(q[0])), 0);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 2);
	CHECK_EQ(ev[0].events, EPOLLHUP);
	CHECK_EQ(ev[1].events, EPOLLOUT | EPOLLERR);
	finish();
}

static void bad_calls(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	unsigned ready = 0;
	int fd = t_open(&ready, &t_ops), np = t_open(&ready, &nopoll_ops);
	struct epoll_event ev[2];
	CHECK_EQ(K(sys_epoll_create1(1)), -EINVAL);
	CHECK_EQ(K(sys_epoll_create(0)), -EINVAL);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), -EINVAL);
	CHECK_EQ(ctl(fd, EPOLL_CTL_ADD, ep, EPOLLIN, 0), -EINVAL);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, np, EPOLLIN, 0), -EPERM);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 99, EPOLLIN, 0), -EBADF);
	CHECK_EQ(ctl(99, EPOLL_CTL_ADD, fd, EPOLLIN, 0), -EBADF);
	CHECK_EQ(ctl(ep, 77, fd, EPOLLIN, 0), -EINVAL);
	CHECK_EQ(K(sys_epoll_ctl(ep, EPOLL_CTL_ADD, fd, NULL)), -EFAULT);
	CHECK_EQ(K(sys_epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL)), -ENOENT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLEXCLUSIVE, 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fd, EPOLLIN, 0), -EINVAL);
	CHECK_EQ(wait_ev(ep, ev, 0, 0), -EINVAL);
	CHECK_EQ(wait_ev(ep, NULL, 1, 0), -EFAULT);
	CHECK_EQ(wait_ev(fd, ev, 1, 0), -EINVAL);
	CHECK_EQ(wait_ev(99, ev, 1, 0), -EBADF);
	struct timespec ts = { 0, -1 };
	CHECK_EQ(K(sys_epoll_pwait2(ep, ev, 1, &ts, NULL, 8)), -EINVAL);
	finish();
}

static void nested(void)
{
	begin();
	int outer = K(sys_epoll_create1(0)), inner = K(sys_epoll_create1(0));
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2), 0);
	struct epoll_event ev[2];
	CHECK_EQ(wait_ev(outer, ev, 2, 0), 0);
	struct pollfd pf = { inner, POLLIN, 0 };
	CHECK_EQ(K(sys_poll(&pf, 1, 0)), 0);
	CHECK_EQ(K(sys_write(p[1], "x", 1)), 1);
	CHECK_EQ(K(sys_poll(&pf, 1, 0)), 1); /* an epoll fd polls too */
	CHECK_EQ(wait_ev(outer, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 2);
	CHECK_EQ(wait_ev(inner, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 1);
	char c;
	CHECK_EQ(K(sys_read(p[0], &c, 1)), 1);
	CHECK_EQ(wait_ev(outer, ev, 2, 0), 0);
	/* Loops are refused, and so is nesting past Linux's depth. */
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN, 0), -ELOOP);
	int e[6];
	for (int i = 0; i < 6; i++)
		e[i] = K(sys_epoll_create1(0));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(ctl(e[i], EPOLL_CTL_ADD, e[i + 1], EPOLLIN, 0), 0);
	CHECK_EQ(ctl(e[4], EPOLL_CTL_ADD, e[5], EPOLLIN, 0), -ELOOP);
	CHECK_EQ(ctl(e[4], EPOLL_CTL_ADD, p[0], EPOLLIN, 0), 0);
	CHECK_EQ(ctl(e[2], EPOLL_CTL_ADD, e[0], EPOLLIN, 0), -ELOOP);
	/* Five deep, readiness climbs all the way. */
	CHECK_EQ(K(sys_write(p[1], "y", 1)), 1);
	CHECK_EQ(wait_ev(e[0], ev, 2, 0), 1);
	finish();
}

static void closed_while_registered(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 9), 0);
	int dup = K(sys_dup(p[0]));
	/* Closing an fd while a dup holds the file: still registered (under
	 * the old fd), and reported. */
	CHECK_EQ(K(sys_close(p[0])), 0);
	CHECK_EQ(K(sys_write(p[1], "x", 1)), 1);
	struct epoll_event ev[2];
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 9);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), -EBADF);
	/* The last reference goes: so does the registration. */
	long before = fake_kmem_live;
	CHECK_EQ(K(sys_close(dup)), 0);
	CHECK_EQ(wait_ev(ep, ev, 2, 0), 0);
	CHECK_EQ(fake_kmem_live, before - 2); /* the registration, the end */
	/* An epoll closed with registrations lets go of its files. */
	int q[2];
	make_pipe(q);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 1), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, q[1], EPOLLOUT, 2), 0);
	CHECK_EQ(K(sys_close(ep)), 0);
	CHECK_EQ(K(sys_write(q[1], "x", 1)), 1);
	/* An epoll inside another goes from it when closed. */
	int outer = K(sys_epoll_create1(0)), inner = K(sys_epoll_create1(0));
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 0), 0);
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, q[0], EPOLLIN, 0), 0);
	CHECK_EQ(K(sys_close(inner)), 0);
	CHECK_EQ(wait_ev(outer, ev, 2, 0), 0);
	finish();
}

struct writer {
	int fd;
	uint64_t delay;
};

static void write_later(void *p)
{
	struct writer *w = p;
	fake_sleep(w->delay);
	K(sys_write(w->fd, "z", 1));
}

static void blocking_wait(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	int p[2];
	make_pipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 1), 0);
	struct epoll_event ev[2];
	uint64_t t0 = fake_now;
	CHECK_EQ(wait_ev(ep, ev, 2, 25), 0);
	CHECK_EQ(fake_now, t0 + 25 * MS);
	struct writer w = { p[1], 10 * MS };
	go_spawn(write_later, &w);
	unsigned long s0 = fake_switches;
	CHECK_EQ(K(sys_epoll_pwait(ep, ev, 2, -1, NULL, 8)), 1);
	CHECK_EQ(fake_now, t0 + 35 * MS);
	CHECK_EQ(fake_switches - s0, 2); /* slept once */
	/* Nested, blocking on the outer one. */
	int outer = K(sys_epoll_create1(0));
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, ep, EPOLLIN, 5), 0);
	go_spawn(write_later, &w);
	struct timespec ts = { 1, 0 };
	CHECK_EQ(K(sys_epoll_pwait2(outer, ev, 2, &ts, NULL, 8)), 1);
	CHECK_EQ(ev[0].data.u64, 5);
	CHECK_EQ(fake_now, t0 + 45 * MS);
	finish();
}

struct epwaiter {
	int ep, timeout;
	struct thread *t;
	long got;
};

static void wait_blocked(void *p)
{
	struct epwaiter *w = p;
	struct epoll_event ev;
	w->t = current;
	w->got = wait_ev(w->ep, &ev, 1, w->timeout);
}

/* A signal ends epoll_wait: EINTR, or a restart if no handler runs and
 * no timeout was running. */
static void interrupted(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	struct epwaiter a = { ep, -1, NULL, 99 }, b = { ep, 500, NULL, 99 };
	go_spawn(wait_blocked, &a);
	go_spawn(wait_blocked, &b);
	fake_settle();
	CHECK_EQ(a.got, 99);
	K((fake_signal(a.t), 0));
	K((fake_signal(b.t), 0));
	fake_settle();
	CHECK_EQ(a.got, -ERESTARTNOHAND);
	CHECK_EQ(b.got, -EINTR);
	finish();
}

/* More ready than fit: every one gets its turn across calls. */
static void many_pipes_fair(void)
{
	begin();
	int ep = K(sys_epoll_create1(0));
	int p[100][2];
	for (int i = 0; i < 100; i++) {
		make_pipe(p[i]);
		CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[i][0], EPOLLIN, i), 0);
		CHECK_EQ(K(sys_write(p[i][1], "d", 1)), 1);
	}
	int seen[100] = { 0 };
	struct epoll_event ev[7];
	for (int round = 0; round < 15; round++) {
		long n = wait_ev(ep, ev, 7, 0);
		CHECK_EQ(n, 7);
		for (long k = 0; k < n; k++)
			seen[ev[k].data.u64]++;
	}
	int min = 99, max = 0;
	for (int i = 0; i < 100; i++) {
		min = MIN(min, seen[i]);
		max = MAX(max, seen[i]);
	}
	CHECK_EQ(min, 1);
	CHECK_EQ(max, 2);
	finish();
}

int main(int argc, char **argv)
{
	test_init("epoll", argc, argv);
	RUN(level_triggered);
	RUN(edge_triggered);
	RUN(oneshot);
	RUN(errors_and_hangups);
	RUN(bad_calls);
	RUN(nested);
	RUN(closed_while_registered);
	RUN(blocking_wait);
	RUN(interrupted);
	RUN(many_pipes_fair);
	return test_summary();
}
