/*
 * The file layer (kern/file.c, uio.c, poll.c), the console as a file
 * (kern/console.c) and the descriptor syscalls above them (sys/sys_fd.c,
 * sys_poll.c), on the fake scheduler: references, dup and close sharing
 * flags, FD_CLOEXEC per fd, vectored reads and writes, poll and select
 * woken by file_wake with no recheck.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kern/kern.h"
#include "sys/sys.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_kern.h"

#define MS		    1000000ULL
#define CLOSE_RANGE_CLOEXEC (1U << 2)

/* A syscall as the program makes it: inside the kernel. */
#define K(expr)                                                                \
	({                                                                     \
		unsigned long fl_ = kern_enter();                              \
		long r_ = (long)(expr);                                        \
		kern_leave(fl_);                                               \
		r_;                                                            \
	})

/* A test kind: readiness the test sets, a buffer it reads and writes. */
struct tfile {
	unsigned ready;
	int released;
	char buf[256];
	size_t n;
};

static long t_read(struct file *f, struct uio *u)
{
	struct tfile *t = f->priv;
	long r = uio_copy_to(u, t->buf, MIN(t->n, u->resid));
	return r;
}

static long t_write(struct file *f, struct uio *u)
{
	struct tfile *t = f->priv;
	long r = uio_copy_from(u, t->buf + t->n,
			       MIN(sizeof(t->buf) - t->n, u->resid));
	if (r > 0)
		t->n += r;
	return r;
}

static unsigned t_poll(struct file *f)
{
	return ((struct tfile *)f->priv)->ready;
}

static void t_release(struct file *f)
{
	((struct tfile *)f->priv)->released++;
}

static const struct file_ops t_ops = {
	.name = "test",
	.read = t_read,
	.write = t_write,
	.poll = t_poll,
	.release = t_release,
	.mode = S_IFSOCK,
};

/* Make it ready for ev, and say so. */
static void t_set(struct file *f, unsigned ev)
{
	((struct tfile *)f->priv)->ready = ev;
	K((file_wake(f, ev), 0));
}

static int t_open(struct tfile *t, unsigned flags)
{
	struct file *f = file_alloc(&t_ops, flags, t);
	CHECK(f != NULL);
	int fd = K(fd_install(f, 0, false));
	CHECK(fd >= 0);
	return fd;
}

/* The file behind fd (no reference kept). */
static struct file *peek(int fd)
{
	unsigned long fl = kern_enter();
	struct file *f = fd_file(fd);
	if (f)
		file_put(f);
	kern_leave(fl);
	return f;
}

static void begin(void)
{
	fake_sched_init(1, 0);
	fake_kern_reset();
	K(fd_close_range(0, ~0U, false));
	K((fd_init(), 0));
}

/* Every thread ended, every fd closed, everything given back. */
static void finish(void)
{
	fake_join_all();
	K(fd_close_range(0, ~0U, false));
	CHECK_EQ(fake_kmem_live, 0);
	CHECK_EQ(fake_pages_live, 0);
	CHECK_EQ(device_waiters, 0);
	CHECK_EQ(console_file.refs, 1);
}

static void refs_and_release(void)
{
	begin();
	struct tfile t = { 0 };
	int a = t_open(&t, O_RDWR);
	CHECK_EQ(a, 3); /* the lowest free: 0-2 are the console */
	struct file *f = peek(a);
	CHECK_EQ(f->refs, 1);
	int b = K(sys_dup(a));
	CHECK_EQ(b, 4);
	CHECK(peek(b) == f);
	CHECK_EQ(f->refs, 2);
	CHECK_EQ(K(sys_close(a)), 0);
	CHECK_EQ(t.released, 0);
	CHECK_EQ(K(sys_close(a)), -EBADF);
	CHECK_EQ(K(sys_close(b)), 0);
	CHECK_EQ(t.released, 1);
	CHECK_EQ(K(sys_close(-1)), -EBADF);
	CHECK_EQ(K(sys_close(FD_MAX)), -EBADF);
	finish();
}

static void dup_shares_flags(void)
{
	begin();
	struct tfile t = { 0 };
	int a = t_open(&t, O_RDWR);
	int b = K(sys_dup(a));
	CHECK_EQ(K(sys_fcntl(a, F_GETFL, 0)), O_RDWR);
	CHECK_EQ(K(sys_fcntl(a, F_SETFL, O_NONBLOCK)), 0);
	CHECK_EQ(K(sys_fcntl(b, F_GETFL, 0)), O_RDWR | O_NONBLOCK);
	CHECK_EQ(K(sys_fcntl(b, F_SETFL, O_APPEND)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_GETFL, 0)), O_RDWR | O_APPEND);
	/* The access mode and flags F_SETFL cannot change stay. */
	CHECK_EQ(K(sys_fcntl(a, F_SETFL, O_WRONLY | O_CREAT | O_NONBLOCK)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_GETFL, 0)), O_RDWR | O_NONBLOCK);
	/* FIONBIO is the same flag. */
	int on = 0;
	CHECK_EQ(K(sys_ioctl(b, FIONBIO, (unsigned long)&on)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_GETFL, 0)), O_RDWR);
	on = 1;
	CHECK_EQ(K(sys_ioctl(a, FIONBIO, (unsigned long)&on)), 0);
	CHECK_EQ(K(sys_fcntl(b, F_GETFL, 0)), O_RDWR | O_NONBLOCK);
	CHECK_EQ(K(sys_ioctl(a, FIONBIO, 0)), -EFAULT);
	CHECK_EQ(K(sys_ioctl(a, TIOCGWINSZ, 0)), -ENOTTY);
	/* The offset is the file's too. */
	peek(a)->off = 42;
	CHECK_EQ(peek(b)->off, 42);
	CHECK_EQ(K(sys_fcntl(a, 12345, 0)), -EINVAL);
	CHECK_EQ(K(sys_fcntl(99, F_GETFL, 0)), -EBADF);
	finish();
}

static void cloexec_per_fd(void)
{
	begin();
	struct tfile t = { 0 };
	int a = t_open(&t, O_RDWR);
	CHECK_EQ(K(sys_fcntl(a, F_GETFD, 0)), 0);
	int b = K(sys_fcntl(a, F_DUPFD_CLOEXEC, 0));
	CHECK_EQ(b, 4);
	CHECK_EQ(K(sys_fcntl(b, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_fcntl(a, F_GETFD, 0)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_SETFD, FD_CLOEXEC)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_fcntl(b, F_SETFD, 0)), 0);
	CHECK_EQ(K(sys_fcntl(b, F_GETFD, 0)), 0);
	CHECK_EQ(K(sys_fcntl(a, F_GETFD, 0)), FD_CLOEXEC);
	/* dup never copies it; dup3 sets it if asked. */
	int c = K(sys_dup(a));
	CHECK_EQ(K(sys_fcntl(c, F_GETFD, 0)), 0);
	CHECK_EQ(K(sys_dup3(a, 10, O_CLOEXEC)), 10);
	CHECK_EQ(K(sys_fcntl(10, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_dup2(c, 10)), 10); /* replaces: cleared */
	CHECK_EQ(K(sys_fcntl(10, F_GETFD, 0)), 0);
	CHECK_EQ(K(sys_ioctl(c, FIOCLEX, 0)), 0);
	CHECK_EQ(K(sys_fcntl(c, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_ioctl(c, FIONCLEX, 0)), 0);
	CHECK_EQ(K(sys_fcntl(c, F_GETFD, 0)), 0);
	/* A closed fd forgets it: the next one there starts clear. */
	CHECK_EQ(K(sys_close(a)), 0);
	CHECK_EQ(K(sys_dup(c)), a);
	CHECK_EQ(K(sys_fcntl(a, F_GETFD, 0)), 0);
	CHECK_EQ(K(sys_fcntl(77, F_GETFD, 0)), -EBADF);
	CHECK_EQ(K(sys_fcntl(77, F_SETFD, 1)), -EBADF);
	CHECK_EQ(K(sys_ioctl(77, FIOCLEX, 0)), -EBADF);
	finish();
}

static void dup_numbers(void)
{
	begin();
	struct tfile t = { 0 };
	int a = t_open(&t, O_RDWR);
	CHECK_EQ(K(sys_fcntl(a, F_DUPFD, 100)), 100);
	CHECK_EQ(K(sys_fcntl(a, F_DUPFD, 100)), 101);
	CHECK_EQ(K(sys_fcntl(a, F_DUPFD, FD_MAX)), -EINVAL);
	CHECK_EQ(K(sys_fcntl(a, F_DUPFD, -1UL)), -EINVAL);
	CHECK_EQ(K(sys_fcntl(55, F_DUPFD, 0)), -EBADF);
	CHECK_EQ(K(sys_dup3(a, a, 0)), -EINVAL);
	CHECK_EQ(K(sys_dup3(a, 5, 1)), -EINVAL);
	CHECK_EQ(K(sys_dup3(a, FD_MAX, 0)), -EBADF);
	CHECK_EQ(K(sys_dup3(a, -1, 0)), -EBADF);
	CHECK_EQ(K(sys_dup3(55, 5, 0)), -EBADF);
	CHECK_EQ(K(sys_dup2(a, a)), a);
	CHECK_EQ(K(sys_dup2(55, 55)), -EBADF);
	/* dup2 onto an open fd closes what was there. */
	struct tfile t2 = { 0 };
	int d = t_open(&t2, O_RDWR);
	CHECK_EQ(K(sys_dup2(a, d)), d);
	CHECK_EQ(t2.released, 1);
	CHECK(peek(d) == peek(a));
	/* Fill the table: EMFILE, and nothing leaks. */
	int n = 0;
	while (K(sys_dup(a)) >= 0)
		n++;
	CHECK_EQ(K(sys_dup(a)), -EMFILE);
	CHECK_EQ(n, FD_MAX - 7);
	CHECK_EQ(peek(a)->refs, FD_MAX - 3);
	finish();
	CHECK_EQ(t.released, 1);
}

static void close_range_cases(void)
{
	begin();
	struct tfile t = { 0 };
	int a = t_open(&t, O_RDWR);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(K(sys_dup(a)), 4 + i);
	CHECK_EQ(K(sys_close_range(5, 4, 0)), -EINVAL);
	CHECK_EQ(K(sys_close_range(5, 6, 1)), -EINVAL);
	CHECK_EQ(K(sys_close_range(5, 8, CLOSE_RANGE_CLOEXEC)), 0);
	for (int fd = 3; fd < 14; fd++)
		CHECK_EQ(K(sys_fcntl(fd, F_GETFD, 0)),
			 fd >= 5 && fd <= 8 ? FD_CLOEXEC : 0);
	CHECK_EQ(K(sys_close_range(4, 9, 0)), 0);
	for (int fd = 4; fd <= 9; fd++)
		CHECK_EQ(K(sys_fcntl(fd, F_GETFD, 0)), -EBADF);
	CHECK_EQ(K(sys_fcntl(10, F_GETFD, 0)), 0);
	CHECK_EQ(peek(a)->refs, 5);
	CHECK_EQ(K(sys_close_range(11, ~0U, 0)), 0);
	CHECK_EQ(peek(a)->refs, 2);
	CHECK_EQ(t.released, 0);
	finish();
	CHECK_EQ(t.released, 1);
}

static void access_modes(void)
{
	begin();
	struct tfile t = { .n = 3, .buf = "abc" };
	int r = t_open(&t, O_RDONLY), w = t_open(&t, O_WRONLY);
	char buf[8];
	CHECK_EQ(K(sys_write(r, "x", 1)), -EBADF);
	CHECK_EQ(K(sys_read(w, buf, 1)), -EBADF);
	CHECK_EQ(K(sys_read(r, buf, sizeof(buf))), 3);
	CHECK_EQ(K(sys_write(w, "d", 1)), 1);
	CHECK_EQ(t.n, 4);
	CHECK_EQ(K(sys_read(99, buf, 1)), -EBADF);
	struct stat st;
	CHECK_EQ(K(sys_fstat(r, &st)), 0);
	CHECK_EQ(st.st_mode, S_IFSOCK);
	CHECK_EQ(K(sys_fstat(1, &st)), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(K(sys_fstat(1, NULL)), -EFAULT);
	CHECK_EQ(K(sys_lseek(r, 0, SEEK_SET)), -ESPIPE);
	CHECK_EQ(K(sys_lseek(99, 0, SEEK_SET)), -EBADF);
	finish();
	CHECK_EQ(t.released, 2);
}

static void vectors(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	struct iovec v[3] = { { "hello", 5 }, { "", 0 }, { " world", 6 } };
	CHECK_EQ(K(sys_writev(fd, v, 3)), 11);
	CHECK_EQ(t.n, 11);
	CHECK(!memcmp(t.buf, "hello world", 11));
	char a[4], b[16];
	struct iovec r[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	CHECK_EQ(K(sys_readv(fd, r, 2)), 11);
	CHECK(!memcmp(a, "hell", 4) && !memcmp(b, "o world", 7));
	CHECK_EQ(K(sys_readv(fd, r, -1)), -EINVAL);
	CHECK_EQ(K(sys_readv(fd, r, 1025)), -EINVAL);
	CHECK_EQ(K(sys_readv(fd, NULL, 1)), -EFAULT);
	CHECK_EQ(K(sys_readv(fd, r, 0)), 0);
	struct iovec huge[2] = { { a, SSIZE_MAX }, { b, 2 } };
	CHECK_EQ(K(sys_readv(fd, huge, 2)), -EINVAL);
	/* A bad buffer: -EFAULT if nothing moved, else the count so far. */
	t.n = 0;
	struct iovec bad[2] = { { "abc", 3 }, { (void *)16, 3 } };
	CHECK_EQ(K(sys_writev(fd, bad, 2)), 3);
	CHECK_EQ(K(sys_writev(fd, bad + 1, 1)), -EFAULT);
	CHECK_EQ(K(sys_write(fd, NULL, 1)), -EFAULT);
	CHECK_EQ(K(sys_write(fd, NULL, 0)), 0);
	/* The iovec array goes bad under the call: each entry is read as
	 * it is reached. */
	struct iovec two[2] = { { "xy", 2 }, { "zw", 2 } };
	fake_bad = (uintptr_t)&two[1];
	fake_bad_len = 1;
	t.n = 0;
	struct uio u;
	uio_init(&u, two, 2, 4, false);
	CHECK_EQ(K(file_write(peek(fd), &u)), 2);
	fake_bad_len = 0;
	finish();
}

/* The console: fds 0-2, a terminal; input wakes its readers. */

static void console_output(void)
{
	begin();
	CHECK_EQ(K(sys_write(1, "out\n", 4)), 4);
	CHECK_EQ(K(sys_write(2, "err\n", 4)), 4);
	CHECK_EQ(fake_console_nout, 8);
	CHECK(!memcmp(fake_console_out, "out\nerr\n", 8));
	struct iovec v[2] = { { "a", 1 }, { "b", 1 } };
	CHECK_EQ(K(sys_writev(1, v, 2)), 2);
	/* A bad buffer is refused whole: nothing of it is written. */
	CHECK_EQ(K(sys_write(1, (void *)16, 5)), -EFAULT);
	CHECK_EQ(fake_console_nout, 10);
	struct winsize ws;
	CHECK_EQ(K(sys_ioctl(1, TIOCGWINSZ, (unsigned long)&ws)), 0);
	CHECK_EQ(ws.ws_col, 80);
	CHECK_EQ(K(sys_ioctl(1, TIOCGWINSZ, 0)), -EFAULT);
	CHECK_EQ(K(sys_fcntl(0, F_GETFL, 0)), O_RDWR);
	finish();
}

struct reader {
	int fd;
	char buf[64];
	long got;
	uint64_t at; /* when the read returned */
};

static void read_one(void *p)
{
	struct reader *r = p;
	r->got = K(sys_read(r->fd, r->buf, sizeof(r->buf)));
	r->at = fake_now;
}

static void console_input_wakes_reader(void)
{
	begin();
	struct reader r = { .fd = 0, .got = -1 };
	go_spawn(read_one, &r);
	fake_settle();
	CHECK_EQ(r.got, -1);	     /* waiting */
	CHECK_EQ(device_waiters, 1); /* for a device: not a deadlock */
	fake_sleep(5 * MS);
	CHECK_EQ(r.got, -1); /* nothing rechecks on a timer */
	uint64_t t0 = fake_now;
	K((fake_console_feed("hi\n"), 0));
	fake_settle();
	CHECK_EQ(r.got, 3);
	CHECK(!memcmp(r.buf, "hi\n", 3));
	CHECK_EQ(r.at, t0);
	/* Non-blocking: EAGAIN, and the input when it is there. */
	CHECK_EQ(K(sys_fcntl(0, F_SETFL, O_NONBLOCK)), 0);
	char c;
	CHECK_EQ(K(sys_read(0, &c, 1)), -EAGAIN);
	K((fake_console_feed("z"), 0));
	CHECK_EQ(K(sys_read(0, &c, 1)), 1);
	CHECK_EQ(c, 'z');
	CHECK_EQ(K(sys_fcntl(0, F_SETFL, 0)), 0);
	CHECK_EQ(K(sys_read(0, &c, 0)), 0);
	finish();
}

struct poller {
	struct pollfd fds[4];
	int n, timeout;
	long got;
	uint64_t at;
	unsigned long sleeps; /* context switches while in poll */
};

static void poll_one(void *p)
{
	struct poller *q = p;
	unsigned long s0 = fake_switches;
	q->got = K(sys_poll(q->fds, q->n, q->timeout));
	q->sleeps = fake_switches - s0;
	q->at = fake_now;
}

static void console_poll(void)
{
	begin();
	/* Writable at once; not readable: the timeout, once. */
	struct pollfd p[2] = { { 1, POLLOUT, 0 }, { 0, POLLIN, 0 } };
	CHECK_EQ(K(sys_poll(p, 2, 0)), 1);
	CHECK_EQ(p[0].revents, POLLOUT);
	CHECK_EQ(p[1].revents, 0);
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_poll(p + 1, 1, 30)), 0);
	CHECK_EQ(fake_now, t0 + 30 * MS);
	/* Woken by input, not by a recheck. */
	struct poller q = {
		.fds = { { 0, POLLIN, 0 } }, .n = 1, .timeout = -1, .got = -9
	};
	go_spawn(poll_one, &q);
	fake_settle();
	fake_sleep(100 * MS);
	CHECK_EQ(q.got, -9);
	K((fake_console_feed("x"), 0));
	fake_join_all();
	CHECK_EQ(q.got, 1);
	CHECK_EQ(q.fds[0].revents, POLLIN);
	CHECK_EQ(q.at, t0 + 130 * MS);
	/* Polling took the byte from the driver; read still gets it. */
	char c = 0;
	CHECK_EQ(K(sys_read(0, &c, 1)), 1);
	CHECK_EQ(c, 'x');
	finish();
}

static void poll_wakes_on_file_wake(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	struct poller q = { .fds = { { fd, POLLIN, 0 },
				     { -1, POLLIN, 0 },
				     { 99, POLLIN, 0 } },
			    .n = 1,
			    .timeout = 1000,
			    .got = -9 };
	go_spawn(poll_one, &q);
	fake_settle();
	CHECK_EQ(device_waiters, 0); /* only a thread can wake it */
	/* Readiness for something it does not want: still asleep. */
	t_set(peek(fd), EPOLLOUT);
	fake_settle();
	CHECK_EQ(q.got, -9);
	fake_sleep(10 * MS);
	t_set(peek(fd), EPOLLIN | EPOLLOUT);
	fake_join_all();
	CHECK_EQ(q.got, 1);
	CHECK_EQ(q.fds[0].revents, POLLIN);
	/* Slept once, woke once: one switch away and one back. */
	CHECK_EQ(q.sleeps, 2);
	/* Negative fds are skipped, closed ones are POLLNVAL. */
	q.n = 3;
	CHECK_EQ(K(sys_poll(q.fds, 3, 0)), 2);
	CHECK_EQ(q.fds[1].revents, 0);
	CHECK_EQ(q.fds[2].revents, POLLNVAL);
	/* Errors and hang-ups need not be asked for. */
	t.ready = EPOLLHUP | EPOLLERR;
	q.fds[0].events = 0;
	CHECK_EQ(K(sys_poll(q.fds, 1, 0)), 1);
	CHECK_EQ(q.fds[0].revents, POLLHUP | POLLERR);
	CHECK_EQ(K(sys_poll(q.fds, FD_MAX + 1, 0)), -EINVAL);
	CHECK_EQ(K(sys_poll(NULL, 1, 0)), -EFAULT);
	CHECK_EQ(K(sys_poll(NULL, 0, 0)), 0);
	finish();
}

struct intr_poller {
	struct thread *t;
	int timeout;
	long got;
};

static void poll_console(void *p)
{
	struct intr_poller *q = p;
	struct pollfd pf = { 0, POLLIN, 0 };
	q->t = current;
	q->got = K(sys_poll(&pf, 1, q->timeout));
}

/* A signal ends a poll: restarted if no handler runs and no timeout
 * was running, else EINTR. */
static void poll_interrupted(void)
{
	begin();
	struct intr_poller a = { NULL, -1, 99 }, b = { NULL, 1000, 99 };
	go_spawn(poll_console, &a);
	go_spawn(poll_console, &b);
	fake_settle();
	CHECK_EQ(a.got, 99);
	CHECK_EQ(device_waiters, 2);
	K((fake_signal(a.t), 0));
	K((fake_signal(b.t), 0));
	fake_settle();
	CHECK_EQ(a.got, -ERESTARTNOHAND);
	CHECK_EQ(b.got, -EINTR);
	finish();
}

struct mask_watch {
	struct thread *t;
	uint64_t seen;
};

static void see_mask(void *p)
{
	struct mask_watch *w = p;
	fake_sleep(5 * MS);
	w->seen = w->t->sigmask;
}

/* ppoll waits with the mask it is given, then puts the thread's back;
 * after a signal it leaves that to the delivery (the handler must run
 * with the wait's mask, and return to the old one). */
static void ppoll_mask(void)
{
	begin();
	current->sigmask = 0xf0;
	struct mask_watch w = { current, 0 };
	go_spawn(see_mask, &w);
	struct pollfd p = { 0, POLLIN, 0 };
	struct timespec ts = { 0, 20 * MS };
	uint64_t m = 0x0f;
	CHECK_EQ(K(sys_ppoll(&p, 1, &ts, &m, 8)), 0);
	CHECK_EQ(w.seen, 0x0f);
	CHECK_EQ(current->sigmask, 0xf0);
	CHECK(!current->restore_mask);
	CHECK_EQ(K(sys_ppoll(&p, 1, &ts, &m, 4)), -EINVAL);
	CHECK_EQ(K(sys_ppoll(&p, 1, &ts, (void *)8, 8)), -EFAULT);
	CHECK_EQ(current->sigmask, 0xf0);
	fake_signal(current);
	unsigned long fl = kern_enter();
	CHECK_EQ(sys_ppoll(&p, 1, &ts, &m, 8), -EINTR);
	CHECK_EQ(current->sigmask, 0x0f); /* until the handler has run */
	CHECK(current->restore_mask);
	CHECK_EQ(current->saved_mask, 0xf0);
	kern_leave(fl);
	current->restore_mask = false;
	current->sigmask = 0;
	finish();
}

static void closer(void *p)
{
	fake_sleep(10 * MS);
	K(sys_close(*(int *)p));
}

static void close_while_polled(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	go_spawn(closer, &fd);
	struct pollfd p = { fd, POLLIN, 0 };
	/* The poll keeps the file until it returns. */
	CHECK_EQ(K(sys_poll(&p, 1, 50)), 0);
	CHECK_EQ(t.released, 1);
	CHECK_EQ(K(sys_poll(&p, 1, 0)), 1);
	CHECK_EQ(p.revents, POLLNVAL);
	finish();
}

/* Many fds: past the entries on the stack, and past a page of them. */
static void poll_many(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	static struct pollfd p[300];
	for (int i = 0; i < 300; i++)
		p[i] = (struct pollfd){ K(sys_dup(fd)), POLLIN, 0 };
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_poll(p, 300, 20)), 0);
	CHECK_EQ(fake_now, t0 + 20 * MS);
	CHECK_EQ(fake_pages_live, 0);
	t.ready = EPOLLIN;
	CHECK_EQ(K(sys_poll(p, 300, 20)), 300);
	/* Out of pages for the table: ENOMEM, and nothing kept. */
	t.ready = 0;
	fake_pages_max = 1;
	CHECK_EQ(K(sys_poll(p, 300, 20)), -ENOMEM);
	fake_pages_max = -1;
	CHECK_EQ(peek(fd)->refs, 301);
	finish();
}

static void select_sets(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	fd_set r, w, e;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	FD_SET(1, &w);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(K(sys_select(fd + 1, &r, &w, &e, &tv)), 1);
	CHECK(!FD_ISSET(fd, &r) && !FD_ISSET(fd, &w) && FD_ISSET(1, &w));
	/* Hang-up counts as readable, errors as both. */
	t.ready = EPOLLHUP;
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	CHECK_EQ(K(sys_select(fd + 1, &r, &w, NULL, &tv)), 1);
	CHECK(FD_ISSET(fd, &r) && !FD_ISSET(fd, &w));
	t.ready = EPOLLERR;
	FD_SET(fd, &w);
	CHECK_EQ(K(sys_select(fd + 1, &r, &w, NULL, &tv)), 2);
	t.ready = EPOLLPRI;
	FD_ZERO(&r);
	FD_SET(fd, &e);
	CHECK_EQ(K(sys_select(fd + 1, NULL, NULL, &e, &tv)), 1);
	/* A closed fd in a set: EBADF. */
	FD_SET(fd + 1, &r);
	CHECK_EQ(K(sys_select(fd + 2, &r, NULL, NULL, &tv)), -EBADF);
	CHECK_EQ(K(sys_select(-1, &r, NULL, NULL, &tv)), -EINVAL);
	CHECK_EQ(K(sys_select(FD_MAX + 1, &r, NULL, NULL, &tv)), -EINVAL);
	tv.tv_usec = 1000000;
	CHECK_EQ(K(sys_select(1, NULL, NULL, NULL, &tv)), -EINVAL);
	/* A timeout alone. */
	tv = (struct timeval){ 0, 25000 };
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_select(0, NULL, NULL, NULL, &tv)), 0);
	CHECK_EQ(fake_now, t0 + 25 * MS);
	finish();
}

struct waker {
	struct file *f;
	unsigned ev;
};

static void wake_later(void *p)
{
	struct waker *w = p;
	fake_sleep(10 * MS);
	t_set(w->f, w->ev);
}

static void select_woken(void)
{
	begin();
	struct tfile t = { 0 };
	int fd = t_open(&t, O_RDWR);
	struct waker w = { peek(fd), EPOLLIN };
	go_spawn(wake_later, &w);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timespec ts = { 1, 0 };
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_pselect6(fd + 1, &r, NULL, NULL, &ts, NULL)), 1);
	CHECK(FD_ISSET(fd, &r));
	CHECK_EQ(fake_now, t0 + 10 * MS);
	finish();
}

static unsigned hook_saw;
static void record_hook(struct poll_hook *h, unsigned ev)
{
	(void)h;
	hook_saw |= ev;
}

static void gone_hook(struct poll_hook *h, unsigned ev)
{
	hook_saw |= ev;
	if (ev & POLL_GONE)
		file_unhook(h);
}

/* A hook runs for the events it wants, and for the gone notice, which
 * reaches every hook left when the last reference goes. */
static void hooks_filter_and_gone(void)
{
	begin();
	struct tfile t = { 0 };
	struct file *f = file_alloc(&t_ops, O_RDWR, &t);
	struct poll_hook h;
	file_hook(f, &h, EPOLLIN, record_hook);
	file_wake(f, EPOLLOUT);
	CHECK_EQ(hook_saw, 0); /* not wanted */
	file_wake(f, EPOLLIN | EPOLLOUT);
	CHECK_EQ(hook_saw, EPOLLIN | EPOLLOUT);
	file_unhook(&h);
	file_unhook(&h); /* twice is harmless */
	hook_saw = 0;
	file_wake(f, EPOLLIN);
	CHECK_EQ(hook_saw, 0); /* unhooked */
	file_hook(f, &h, EPOLLIN, record_hook);
	/* The hook must let go when told; this one does, and records. */
	h.fn = gone_hook;
	file_put(f);
	CHECK_EQ(hook_saw, POLL_GONE);
	CHECK_EQ(t.released, 1);
	finish();
}

static void ppoll_timeouts(void)
{
	begin();
	struct pollfd p = { 0, POLLIN, 0 };
	struct timespec ts = { 0, 5 * MS };
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_ppoll(&p, 1, &ts, NULL, 8)), 0);
	CHECK_EQ(fake_now, t0 + 5 * MS);
	ts.tv_nsec = -1;
	CHECK_EQ(K(sys_ppoll(&p, 1, &ts, NULL, 8)), -EINVAL);
	CHECK_EQ(K(sys_ppoll(&p, 1, (void *)8, NULL, 8)), -EFAULT);
	finish();
}

int main(int argc, char **argv)
{
	test_init("file", argc, argv);
	RUN(refs_and_release);
	RUN(dup_shares_flags);
	RUN(cloexec_per_fd);
	RUN(dup_numbers);
	RUN(close_range_cases);
	RUN(access_modes);
	RUN(vectors);
	RUN(console_output);
	RUN(console_input_wakes_reader);
	RUN(console_poll);
	RUN(poll_wakes_on_file_wake);
	RUN(poll_interrupted);
	RUN(close_while_polled);
	RUN(poll_many);
	RUN(select_sets);
	RUN(select_woken);
	RUN(hooks_filter_and_gone);
	RUN(ppoll_timeouts);
	RUN(ppoll_mask);
	return test_summary();
}
