/*
 * Pipes (kern/pipe.c) through their syscalls, on the fake scheduler: the
 * ring and its wrap, 64 KiB, atomic writes of up to PIPE_BUF among
 * preempted writers, end of file, EPIPE and SIGPIPE, signals ending a
 * blocked call, non-blocking ends, poll's view of them, pages given
 * back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

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

static void begin(unsigned preempt_pct)
{
	fake_sched_init(7, preempt_pct);
	fake_kern_reset();
	K(fd_close_range(0, ~0U, false));
	K((fd_init(), 0));
}

static void finish(void)
{
	fake_join_all();
	K(fd_close_range(0, ~0U, false));
	CHECK_EQ(fake_kmem_live, 0);
	CHECK_EQ(fake_pages_live, 0);
	CHECK_EQ(device_waiters, 0);
}

static void make_pipe(int fds[2], int flags)
{
	CHECK_EQ(K(sys_pipe2(fds, flags)), 0);
}

/* Bytes that tell where they came from. */
static unsigned char pat(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 9));
}

static void in_order(void)
{
	begin(0);
	int p[2];
	make_pipe(p, 0);
	CHECK_EQ(p[0], 3);
	CHECK_EQ(p[1], 4);
	CHECK_EQ(K(sys_write(p[1], "hello", 5)), 5);
	CHECK_EQ(K(sys_write(p[1], " world", 6)), 6);
	int n = -1;
	CHECK_EQ(K(sys_ioctl(p[0], FIONREAD, (unsigned long)&n)), 0);
	CHECK_EQ(n, 11);
	char buf[16] = { 0 };
	CHECK_EQ(K(sys_read(p[0], buf, 3)), 3);
	CHECK_EQ(K(sys_read(p[0], buf + 3, sizeof(buf))), 8);
	CHECK_STR(buf, "hello world");
	/* Each end does one thing. */
	CHECK_EQ(K(sys_read(p[1], buf, 1)), -EBADF);
	CHECK_EQ(K(sys_write(p[0], "x", 1)), -EBADF);
	CHECK_EQ(K(sys_fcntl(p[0], F_GETFL, 0)), O_RDONLY);
	CHECK_EQ(K(sys_fcntl(p[1], F_GETFL, 0)), O_WRONLY);
	struct stat st;
	CHECK_EQ(K(sys_fstat(p[0], &st)), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(K(sys_lseek(p[0], 0, SEEK_CUR)), -ESPIPE);
	CHECK_EQ(K(sys_write(p[1], buf, 0)), 0);
	CHECK_EQ(K(sys_read(p[0], buf, 0)), 0);
	/* Pages as the writer reaches them: one so far. */
	CHECK_EQ(fake_pages_live, 1);
	finish();
}

static void wraps_around(void)
{
	begin(0);
	int p[2];
	make_pipe(p, O_NONBLOCK);
	static unsigned char w[PIPE_SIZE], r[PIPE_SIZE];
	uint64_t wpos = 0, rpos = 0;
	/* Odd sizes, so the ring's end falls inside writes and reads. */
	for (int round = 0; round < 40; round++) {
		size_t n = 1000 + round * 1237 % 60000;
		for (size_t i = 0; i < n; i++)
			w[i] = pat(wpos + i);
		long got = K(sys_write(p[1], w, n));
		CHECK(got > 0);
		wpos += got;
		size_t m = 700 + round * 977 % 60000;
		long rd = K(sys_read(p[0], r, m));
		CHECK(rd > 0);
		for (long i = 0; i < rd; i++)
			if (r[i] != pat(rpos + i)) {
				CHECK_EQ(r[i], pat(rpos + i));
				break;
			}
		rpos += rd;
	}
	long rd;
	while ((rd = K(sys_read(p[0], r, sizeof(r)))) > 0) {
		for (long i = 0; i < rd; i++)
			CHECK_EQ(r[i], pat(rpos + i));
		rpos += rd;
	}
	CHECK_EQ(rd, -EAGAIN);
	CHECK_EQ(rpos, wpos);
	CHECK(wpos > 10 * PIPE_SIZE);
	CHECK_EQ(fake_pages_live, PIPE_SIZE / 4096);
	finish();
}

static void holds_64k(void)
{
	begin(0);
	int p[2];
	make_pipe(p, O_NONBLOCK);
	static char buf[PIPE_SIZE + 1];
	long total = 0, r;
	while ((r = K(sys_write(p[1], buf, 1000))) > 0)
		total += r;
	/* 536 bytes of room: a 1000-byte write is atomic, none of it goes */
	CHECK_EQ(r, -EAGAIN);
	CHECK_EQ(total, 65000);
	while ((r = K(sys_write(p[1], buf, 1))) > 0)
		total += r;
	CHECK_EQ(r, -EAGAIN);
	CHECK_EQ(total, PIPE_SIZE);
	/* Room for 100: a 200-byte write is atomic, so none of it goes;
	 * 100 does. */
	CHECK_EQ(K(sys_read(p[0], buf, 100)), 100);
	CHECK_EQ(K(sys_write(p[1], buf, 200)), -EAGAIN);
	CHECK_EQ(K(sys_write(p[1], buf, 100)), 100);
	/* A write longer than PIPE_BUF may be partial. */
	CHECK_EQ(K(sys_read(p[0], buf, 8192)), 8192);
	CHECK_EQ(K(sys_write(p[1], buf, 10000)), 8192);
	CHECK_EQ(K(sys_write(p[1], buf, PIPE_SIZE + 1)), -EAGAIN);
	finish();
}

struct writer {
	int fd, id, n;
	long err;
};

static size_t rec_len(int id, int seq)
{
	return 3 + (seq * 397 + id * 1013) % (PIPE_BUF - 2);
}

/* Records of rec_len bytes, at most PIPE_BUF: id, seq, then (id, seq). */
static void write_records(void *p)
{
	struct writer *w = p;
	static unsigned char rec[8][PIPE_BUF];
	unsigned char *b = rec[w->id];
	for (int seq = 0; seq < w->n; seq++) {
		size_t len = rec_len(w->id, seq);
		b[0] = w->id;
		b[1] = seq;
		for (size_t i = 2; i < len; i++)
			b[i] = w->id * 31 + seq;
		long r = K(sys_write(w->fd, b, len));
		if (r != (long)len) {
			w->err = r;
			return;
		}
	}
}

/* Eight writers, preempted at random between kernel calls, blocking on
 * a full pipe: every record arrives whole. */
static void atomic_among_writers(void)
{
	begin(30);
	int p[2];
	make_pipe(p, 0);
	struct writer w[8];
	size_t total = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (struct writer){ p[1], i, 200, 0 };
		for (int seq = 0; seq < 200; seq++)
			total += rec_len(i, seq);
		go_spawn(write_records, &w[i]);
	}
	static unsigned char stream[8 * 200 * PIPE_BUF];
	size_t have = 0;
	unsigned char chunk[3001]; /* odd-sized reads */
	while (have < total) {
		long r = K(sys_read(p[0], chunk, sizeof(chunk)));
		if (r <= 0) {
			CHECK(r > 0);
			break;
		}
		memcpy(stream + have, chunk, r);
		have += r;
	}
	fake_join_all();
	int next[8] = { 0 }, torn = 0, records = 0;
	size_t at = 0;
	while (at < have && !torn) {
		int id = stream[at], seq = stream[at + 1];
		if (id >= 8 || seq != (next[id] & 0xff) ||
		    at + rec_len(id, next[id]) > have) {
			torn++;
			break;
		}
		size_t len = rec_len(id, next[id]);
		for (size_t i = 2; i < len; i++)
			if (stream[at + i] != (unsigned char)(id * 31 + seq)) {
				torn++;
				break;
			}
		next[id]++;
		records++;
		at += len;
	}
	CHECK_EQ(torn, 0);
	CHECK_EQ(records, 1600);
	CHECK_EQ(have, total);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(w[i].err, 0);
	finish();
}

static void close_writer(void *p)
{
	fake_sleep(10 * MS);
	K(sys_close(*(int *)p));
}

static void end_of_file(void)
{
	begin(0);
	int p[2];
	make_pipe(p, 0);
	CHECK_EQ(K(sys_write(p[1], "ab", 2)), 2);
	int dup = K(sys_dup(p[1]));
	CHECK_EQ(K(sys_close(p[1])), 0);
	char buf[8];
	CHECK_EQ(K(sys_read(p[0], buf, sizeof(buf))), 2);
	/* A writer remains (the dup): a read waits, until it closes. */
	go_spawn(close_writer, &dup);
	uint64_t t0 = fake_now;
	CHECK_EQ(K(sys_read(p[0], buf, sizeof(buf))), 0);
	CHECK_EQ(fake_now, t0 + 10 * MS);
	CHECK_EQ(K(sys_read(p[0], buf, sizeof(buf))), 0);
	struct pollfd pf = { p[0], POLLIN, 0 };
	CHECK_EQ(K(sys_poll(&pf, 1, 0)), 1);
	CHECK_EQ(pf.revents, POLLHUP);
	finish();
}

/* No reader left: EPIPE, and SIGPIPE for the writing thread (what it
 * then does is kern/signal.c's: its default ends the program). */
static void epipe(void)
{
	begin(0);
	int p[2];
	make_pipe(p, 0);
	CHECK_EQ(K(sys_close(p[0])), 0);
	CHECK_EQ(K(sys_write(p[1], "x", 1)), -EPIPE);
	CHECK_EQ(fake_signals, 1);
	CHECK_EQ(fake_signal_no, SIGPIPE);
	CHECK_EQ(fake_signal_tid, current->tid);
	struct pollfd pf = { p[1], POLLOUT, 0 };
	CHECK_EQ(K(sys_poll(&pf, 1, 0)), 1);
	CHECK_EQ(pf.revents, POLLOUT | POLLERR);
	/* Nothing to write is no write: no signal. */
	CHECK_EQ(K(sys_write(p[1], "x", 0)), 0);
	CHECK_EQ(fake_signals, 1);
	/* A writer blocked on a full pipe hears of the reader's close: what
	 * it wrote, then EPIPE. */
	make_pipe(p, 0);
	static char big[PIPE_SIZE + 10];
	go_spawn(close_writer, &p[0]);
	CHECK_EQ(K(sys_write(p[1], big, sizeof(big))), PIPE_SIZE);
	CHECK_EQ(fake_signals, 2); /* sent even when part went in */
	CHECK_EQ(K(sys_write(p[1], big, 1)), -EPIPE);
	finish();
}

struct sigtarget {
	int fd;
	struct thread *t;
	long r;
};

static void read_blocked(void *p)
{
	struct sigtarget *s = p;
	char buf[8];
	s->t = current;
	s->r = K(sys_read(s->fd, buf, sizeof(buf)));
}

static void write_blocked(void *p)
{
	struct sigtarget *s = p;
	static char big[PIPE_SIZE + 100];
	s->t = current;
	s->r = K(sys_write(s->fd, big, sizeof(big)));
}

/* A signal ends a blocked read or write: restarted (-ERESTARTSYS, which
 * the program never sees) when nothing moved, else what moved. */
static void interrupted(void)
{
	begin(0);
	int p[2];
	make_pipe(p, 0);
	struct sigtarget r = { p[0], NULL, 99 };
	go_spawn(read_blocked, &r);
	fake_settle();
	CHECK_EQ(r.r, 99);
	K((fake_signal(r.t), 0));
	fake_settle();
	CHECK_EQ(r.r, -ERESTARTSYS);
	struct sigtarget w = { p[1], NULL, 99 };
	go_spawn(write_blocked, &w);
	fake_settle();
	CHECK_EQ(w.r, 99); /* 64 KiB in, waiting for room for 100 more */
	K((fake_signal(w.t), 0));
	fake_settle();
	CHECK_EQ(w.r, PIPE_SIZE);
	finish();
}

static void nonblocking(void)
{
	begin(0);
	int p[2];
	make_pipe(p, O_NONBLOCK | O_CLOEXEC);
	CHECK_EQ(K(sys_fcntl(p[0], F_GETFL, 0)), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(K(sys_fcntl(p[1], F_GETFD, 0)), FD_CLOEXEC);
	CHECK_EQ(K(sys_fcntl(p[0], F_GETFD, 0)), FD_CLOEXEC);
	char c;
	CHECK_EQ(K(sys_read(p[0], &c, 1)), -EAGAIN);
	CHECK_EQ(K(sys_fcntl(p[0], F_SETFL, 0)), 0);
	/* Blocking now: a writer thread wakes it. */
	go_spawn(close_writer, &p[1]);
	CHECK_EQ(K(sys_read(p[0], &c, 1)), 0);
	CHECK_EQ(K(sys_pipe2(p, 040000 /* O_DIRECT: packet mode */)), -EINVAL);
	CHECK_EQ(K(sys_pipe2(NULL, 0)), -EFAULT);
	CHECK_EQ(K(sys_pipe(p)), 0);
	CHECK_EQ(K(sys_fcntl(p[0], F_GETFD, 0)), 0);
	finish();
}

static void poll_ends(void)
{
	begin(0);
	int p[2];
	make_pipe(p, O_NONBLOCK);
	struct pollfd pf[2] = { { p[0], POLLIN | POLLOUT, 0 },
				{ p[1], POLLIN | POLLOUT, 0 } };
	CHECK_EQ(K(sys_poll(pf, 2, 0)), 1);
	CHECK_EQ(pf[0].revents, 0);
	CHECK_EQ(pf[1].revents, POLLOUT);
	static char buf[PIPE_SIZE];
	CHECK_EQ(K(sys_write(p[1], buf, PIPE_SIZE - PIPE_BUF + 1)),
		 PIPE_SIZE - PIPE_BUF + 1);
	/* Less room than PIPE_BUF: not writable. */
	CHECK_EQ(K(sys_poll(pf, 2, 0)), 1);
	CHECK_EQ(pf[0].revents, POLLIN);
	CHECK_EQ(pf[1].revents, 0);
	CHECK_EQ(K(sys_read(p[0], buf, 1)), 1);
	CHECK_EQ(K(sys_poll(pf, 2, 0)), 2);
	CHECK_EQ(pf[1].revents, POLLOUT);
	finish();
}

struct xfer {
	int fd;
	uint64_t sum, bytes;
	unsigned long long seed;
};

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void send_stream(void *p)
{
	struct xfer *x = p;
	static unsigned char buf[100000];
	uint64_t sent = 0;
	while (sent < x->bytes) {
		size_t n = 1 + test_rand(&x->seed) % sizeof(buf);
		n = MIN(n, x->bytes - sent);
		for (size_t i = 0; i < n; i++)
			buf[i] = pat(sent + i);
		long r = K(sys_write(x->fd, buf, n));
		if (r != (long)n)
			return;
		x->sum = fnv(x->sum, buf, n);
		sent += n;
	}
	K(sys_close(x->fd));
}

/* 4 MiB between two threads, preempted at random: same bytes, same
 * order. */
static void stream_between_threads(void)
{
	begin(20);
	int p[2];
	make_pipe(p, 0);
	struct xfer w = { p[1], 0xcbf29ce484222325ULL, 4 << 20, 3 };
	go_spawn(send_stream, &w);
	static unsigned char buf[70000];
	uint64_t sum = 0xcbf29ce484222325ULL, got = 0;
	unsigned long long seed = 5;
	long r;
	while ((r = K(sys_read(p[0], buf,
			       1 + test_rand(&seed) % sizeof(buf)))) > 0) {
		sum = fnv(sum, buf, r);
		got += r;
	}
	CHECK_EQ(r, 0);
	fake_join_all();
	CHECK_EQ(got, w.bytes);
	CHECK_EQ(sum, w.sum);
	finish();
}

static void faults_and_memory(void)
{
	begin(0);
	int p[2];
	make_pipe(p, 0);
	CHECK_EQ(K(sys_write(p[1], (void *)16, 10)), -EFAULT);
	CHECK_EQ(K(sys_write(p[1], "abcdef", 6)), 6);
	CHECK_EQ(K(sys_read(p[0], (void *)16, 10)), -EFAULT);
	char buf[8];
	CHECK_EQ(K(sys_read(p[0], buf, 8)), 6); /* nothing was lost */
	/* No page for the ring: ENOMEM, and the pipe carries on. */
	static char big[8192];
	CHECK_EQ(K(sys_write(p[1], big, 4000)), 4000);
	fake_pages_max = fake_pages_live;
	/* The write would need a second page: none of it goes in. */
	CHECK_EQ(K(sys_write(p[1], big, 100)), -ENOMEM);
	int n = 0;
	CHECK_EQ(K(sys_ioctl(p[0], FIONREAD, (unsigned long)&n)), 0);
	CHECK_EQ(n, 4000);
	CHECK_EQ(K(sys_write(p[1], big, 90)), 90);
	fake_pages_max = -1;
	CHECK_EQ(K(sys_write(p[1], big, 100)), 100);
	CHECK_EQ(K(sys_close(p[0])), 0);
	CHECK_EQ(K(sys_close(p[1])), 0);
	CHECK_EQ(fake_pages_live, 0);
	finish();
}

int main(int argc, char **argv)
{
	test_init("pipe", argc, argv);
	RUN(in_order);
	RUN(wraps_around);
	RUN(holds_64k);
	RUN(atomic_among_writers);
	RUN(end_of_file);
	RUN(epipe);
	RUN(interrupted);
	RUN(nonblocking);
	RUN(poll_ends);
	RUN(stream_between_threads);
	RUN(faults_and_memory);
	return test_summary();
}
