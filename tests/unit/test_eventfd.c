/*
 * eventfd (kern/eventfd.c) through its syscalls, on the fake scheduler:
 * counting, semaphore mode, the limits, blocking both ways, poll, a
 * signal ending a blocked read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

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

static void begin(void)
{
	fake_sched_init(3, 0);
	fake_kern_reset();
	K(fd_close_range(0, ~0U, false));
}

static void finish(void)
{
	fake_join_all();
	K(fd_close_range(0, ~0U, false));
	CHECK_EQ(fake_kmem_live, 0);
	CHECK_EQ(device_waiters, 0);
}

static long put(int fd, uint64_t v)
{
	return K(sys_write(fd, &v, sizeof(v)));
}

/* The value read, or the error as a negative number. */
static int64_t take(int fd)
{
	uint64_t v = 0;
	long r = K(sys_read(fd, &v, sizeof(v)));
	return r == 8 ? (int64_t)v : r;
}

static void counting(void)
{
	begin();
	int fd = K(sys_eventfd2(0, EFD_NONBLOCK));
	CHECK_EQ(fd, 0);
	CHECK_EQ(take(fd), -EAGAIN);
	CHECK_EQ(put(fd, 1), 8);
	CHECK_EQ(put(fd, 2), 8);
	CHECK_EQ(put(fd, 3), 8);
	CHECK_EQ(put(fd, 0), 8);
	CHECK_EQ(take(fd), 6);
	CHECK_EQ(take(fd), -EAGAIN);
	int e = K(sys_eventfd(5));
	CHECK_EQ(take(e), 5);
	CHECK_EQ(K(sys_fcntl(e, F_GETFL, 0)), O_RDWR);
	CHECK_EQ(K(sys_fcntl(e, F_GETFD, 0)), 0);
	finish();
}

static void semaphore(void)
{
	begin();
	int fd = K(sys_eventfd2(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
	CHECK_EQ(K(sys_fcntl(fd, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_fcntl(fd, F_GETFL, 0)), O_RDWR | O_NONBLOCK);
	CHECK_EQ(take(fd), 1);
	CHECK_EQ(take(fd), 1);
	CHECK_EQ(take(fd), 1);
	CHECK_EQ(take(fd), -EAGAIN);
	CHECK_EQ(put(fd, 2), 8);
	CHECK_EQ(take(fd), 1);
	CHECK_EQ(take(fd), 1);
	CHECK_EQ(take(fd), -EAGAIN);
	finish();
}

static void limits(void)
{
	begin();
	int fd = K(sys_eventfd2(0, EFD_NONBLOCK));
	CHECK_EQ(put(fd, UINT64_MAX), -EINVAL);
	CHECK_EQ(put(fd, UINT64_MAX - 1), 8);
	CHECK_EQ(put(fd, 1), -EAGAIN); /* would pass the maximum */
	CHECK_EQ(put(fd, 0), 8);
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(K(sys_poll(&p, 1, 0)), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(take(fd), (int64_t)(UINT64_MAX - 1));
	CHECK_EQ(K(sys_poll(&p, 1, 0)), 1);
	CHECK_EQ(p.revents, POLLOUT);
	/* Short buffers; bad flags; bad memory. */
	uint32_t small = 1;
	CHECK_EQ(K(sys_write(fd, &small, 4)), -EINVAL);
	CHECK_EQ(K(sys_read(fd, &small, 4)), -EINVAL);
	CHECK_EQ(K(sys_eventfd2(0, 0x10)), -EINVAL);
	CHECK_EQ(K(sys_write(fd, (void *)16, 8)), -EFAULT);
	CHECK_EQ(put(fd, 7), 8);
	CHECK_EQ(K(sys_read(fd, (void *)16, 8)), -EFAULT);
	CHECK_EQ(take(fd), 7); /* a failed read took nothing */
	finish();
}

struct actor {
	int fd;
	uint64_t v;
	int64_t got;
	uint64_t at;
};

static void put_later(void *p)
{
	struct actor *a = p;
	fake_sleep(10 * MS);
	a->got = put(a->fd, a->v);
	a->at = fake_now;
}

static void take_later(void *p)
{
	struct actor *a = p;
	fake_sleep(10 * MS);
	a->got = take(a->fd);
	a->at = fake_now;
}

static void blocking(void)
{
	begin();
	int fd = K(sys_eventfd2(0, 0));
	/* A read waits for a write. */
	struct actor a = { fd, 42, 0, 0 };
	go_spawn(put_later, &a);
	uint64_t t0 = fake_now;
	CHECK_EQ(take(fd), 42);
	CHECK_EQ(fake_now, t0 + 10 * MS);
	/* A write waits for room. */
	CHECK_EQ(put(fd, UINT64_MAX - 1), 8);
	struct actor b = { fd, 0, 0, 0 };
	go_spawn(take_later, &b);
	CHECK_EQ(put(fd, 5), 8);
	CHECK_EQ(fake_now, t0 + 20 * MS);
	fake_join_all();
	CHECK_EQ(b.got, (int64_t)(UINT64_MAX - 1));
	CHECK_EQ(take(fd), 5);
	/* poll wakes on a write. */
	struct actor c = { fd, 1, 0, 0 };
	go_spawn(put_later, &c);
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(K(sys_poll(&p, 1, -1)), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(fake_now, t0 + 30 * MS);
	finish();
}

struct blocked {
	int fd;
	struct thread *t;
	int64_t got;
};

static void take_blocked(void *p)
{
	struct blocked *b = p;
	b->t = current;
	b->got = take(b->fd);
}

static void interrupted(void)
{
	begin();
	int fd = K(sys_eventfd2(0, 0));
	struct blocked b = { fd, NULL, 99 };
	go_spawn(take_blocked, &b);
	fake_settle();
	CHECK_EQ(b.got, 99);
	K((fake_signal(b.t), 0));
	fake_settle();
	CHECK_EQ(b.got, -ERESTARTSYS);
	CHECK_EQ(put(fd, 3), 8); /* nothing was taken */
	CHECK_EQ(take(fd), 3);
	finish();
}

int main(int argc, char **argv)
{
	test_init("eventfd", argc, argv);
	RUN(counting);
	RUN(semaphore);
	RUN(limits);
	RUN(blocking);
	RUN(interrupted);
	return test_summary();
}
