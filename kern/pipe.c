/*
 * Pipes: a 64 KiB ring of bytes between a read end and a write end, each
 * its own file. The ring's pages are allocated as the writer first
 * reaches them and kept until both ends are closed, so a pipe that never
 * holds much costs a page or two. As POSIX asks, a write of at most
 * PIPE_BUF bytes goes in whole or not at all (it waits for room for all
 * of it, and nothing runs between the copy's pieces); a longer write may
 * be split among readers. Reading with no writer left is end of file;
 * writing with no reader left is EPIPE, and SIGPIPE (file_epipe). A
 * signal ends a blocked read or write with what it moved so far, or
 * restarts it (SA_RESTART) if nothing moved, as on Linux.
 *
 * Lock: big_lock (kern/lock.h), which every syscall holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kern.h"

#define PIPE_PAGES (PIPE_SIZE / KPAGE_SIZE)
_Static_assert(PIPE_BUF <= PIPE_SIZE, "an atomic write must fit");

struct pipe {
	char *page[PIPE_PAGES];
	uint64_t rpos, wpos;  /* bytes ever read, written: wpos - rpos held */
	struct file *rd, *wr; /* the ends still open (no references) */
};

static const struct file_ops pipe_rd_ops, pipe_wr_ops;

static size_t pipe_used(const struct pipe *p)
{
	return p->wpos - p->rpos;
}

/* Copy out of the ring at rpos: bytes moved, or -EFAULT. */
static long pipe_copy_out(struct pipe *p, struct uio *u, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t at = p->rpos % PIPE_SIZE;
		size_t k = MIN(n - done, KPAGE_SIZE - at % KPAGE_SIZE);
		long c = uio_copy_to(
			u, p->page[at / KPAGE_SIZE] + at % KPAGE_SIZE, k);
		if (c <= 0)
			return done ? (long)done : c;
		p->rpos += c;
		done += c;
		if ((size_t)c < k)
			break;
	}
	return done;
}

/* Pages for the n bytes at wpos, all before any byte goes in: an atomic
 * write must not stop half way for want of memory. */
static bool pipe_reserve(struct pipe *p, size_t n)
{
	for (uint64_t at = p->wpos; at < p->wpos + n;
	     at = ALIGN_DOWN(at, KPAGE_SIZE) + KPAGE_SIZE) {
		char **pg = &p->page[at % PIPE_SIZE / KPAGE_SIZE];
		if (!*pg && !(*pg = (char *)page_alloc()))
			return false;
	}
	return true;
}

/* Copy into the ring at wpos: bytes moved, or -EFAULT or -ENOMEM. */
static long pipe_copy_in(struct pipe *p, struct uio *u, size_t n)
{
	if (!pipe_reserve(p, n))
		return -ENOMEM;
	size_t done = 0;
	while (done < n) {
		size_t at = p->wpos % PIPE_SIZE;
		size_t k = MIN(n - done, KPAGE_SIZE - at % KPAGE_SIZE);
		long c = uio_copy_from(
			u, p->page[at / KPAGE_SIZE] + at % KPAGE_SIZE, k);
		if (c <= 0)
			return done ? (long)done : c;
		p->wpos += c;
		done += c;
		if ((size_t)c < k)
			break;
	}
	return done;
}

static long pipe_read(struct file *f, struct uio *u)
{
	struct pipe *p = f->priv;
	if (!u->resid)
		return 0;
	for (;;) {
		if (pipe_used(p)) {
			long r = pipe_copy_out(p, u,
					       MIN(u->resid, pipe_used(p)));
			if (r > 0 && p->wr)
				file_wake(p->wr, EPOLLOUT | EPOLLWRNORM);
			return r;
		}
		if (!p->wr)
			return 0; /* end of file */
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (file_wait(f, EPOLLIN | EPOLLHUP, 0) < 0)
			return -ERESTARTSYS;
	}
}

static long pipe_write(struct file *f, struct uio *u)
{
	struct pipe *p = f->priv;
	size_t len = u->resid, done = 0;
	if (!len)
		return 0;
	/* An atomic write needs room for all of it at once. */
	size_t need = len <= PIPE_BUF ? len : 1;
	for (;;) {
		if (!p->rd) {
			long r = file_epipe(); /* may end the program */
			return done ? (long)done : r;
		}
		size_t room = PIPE_SIZE - pipe_used(p);
		if (room >= need) {
			size_t want = MIN(room, len - done);
			long r = pipe_copy_in(p, u, want);
			if (r < 0)
				return done ? (long)done : r;
			file_wake(p->rd, EPOLLIN | EPOLLRDNORM);
			done += r;
			if (done == len || (size_t)r < want)
				return done; /* all, or a fault cut it short */
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if (file_wait(f, EPOLLOUT | EPOLLERR, 0) < 0)
			return done ? (long)done : -ERESTARTSYS;
	}
}

static unsigned pipe_rd_poll(struct file *f)
{
	struct pipe *p = f->priv;
	return (pipe_used(p) ? EPOLLIN | EPOLLRDNORM : 0) |
	       (p->wr ? 0 : EPOLLHUP);
}

/* Writable: a PIPE_BUF write would not wait (as on Linux, where the
 * pipe's free slots are a page each). */
static unsigned pipe_wr_poll(struct file *f)
{
	struct pipe *p = f->priv;
	return (PIPE_SIZE - pipe_used(p) >= PIPE_BUF ? EPOLLOUT | EPOLLWRNORM
						     : 0) |
	       (p->rd ? 0 : EPOLLERR);
}

static long pipe_ioctl(struct file *f, unsigned long cmd, unsigned long arg)
{
	struct pipe *p = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int *n = (int *)arg;
	if (!vm_user_ok(n, sizeof(*n), true))
		return -EFAULT;
	*n = pipe_used(p);
	return 0;
}

static void pipe_free(struct pipe *p)
{
	for (size_t i = 0; i < PIPE_PAGES; i++)
		if (p->page[i])
			page_free((uintptr_t)p->page[i]);
	kfree(p);
}

/* The last reference to an end went: the other end hears of it
 * (readers see end of file, writers EPIPE); the second frees the pipe. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	if (f == p->rd) {
		p->rd = NULL;
		if (p->wr)
			file_wake(p->wr, EPOLLERR);
	} else {
		kassert(f == p->wr);
		p->wr = NULL;
		if (p->rd)
			file_wake(p->rd, EPOLLHUP);
	}
	if (!p->rd && !p->wr)
		pipe_free(p);
}

static const struct file_ops pipe_rd_ops = {
	.name = "pipe",
	.read = pipe_read,
	.poll = pipe_rd_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.mode = S_IFIFO | 0600,
};

static const struct file_ops pipe_wr_ops = {
	.name = "pipe",
	.write = pipe_write,
	.poll = pipe_wr_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.mode = S_IFIFO | 0600,
};

int pipe_open(struct file *ends[2], unsigned flags)
{
	kassert(!(flags & ~O_NONBLOCK));
	struct pipe *p = kmalloc(sizeof(*p));
	if (!p)
		goto fail;
	p->rd = file_alloc(&pipe_rd_ops, O_RDONLY | flags, p);
	if (!p->rd)
		goto fail_pipe;
	p->wr = file_alloc(&pipe_wr_ops, O_WRONLY | flags, p);
	if (!p->wr)
		goto fail_rd;
	ends[0] = p->rd;
	ends[1] = p->wr;
	return 0;
fail_rd:
	kfree(p->rd);
fail_pipe:
	kfree(p);
fail:
	return -ENFILE;
}
