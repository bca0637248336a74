/*
 * eventfd: a 64-bit counter as a file. A write of 8 bytes adds to it
 * (waiting while the sum would pass 2^64 - 2); a read of 8 bytes takes
 * all of it, or 1 with EFD_SEMAPHORE (waiting while it is 0). Readable
 * while the counter is above 0, writable while it is below the maximum.
 * A signal ends a wait (the call restarts under SA_RESTART).
 *
 * Lock: big_lock (kern/lock.h), which every syscall holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "kern.h"

#define EVENTFD_MAX (UINT64_MAX - 1)

struct eventfd {
	uint64_t count;
	bool semaphore;
};

static long eventfd_file_read(struct file *f, struct uio *u)
{
	struct eventfd *e = f->priv;
	if (u->resid < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		if (e->count) {
			uint64_t v = e->semaphore ? 1 : e->count;
			long r = uio_copy_to(u, &v, sizeof(v));
			if (r != sizeof(v))
				return -EFAULT; /* the counter is as it was */
			e->count -= v;
			file_wake(f, EPOLLOUT | EPOLLWRNORM);
			return r;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (file_wait(f, EPOLLIN, 0) < 0)
			return -ERESTARTSYS;
	}
}

static long eventfd_file_write(struct file *f, struct uio *u)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (u->resid < sizeof(v))
		return -EINVAL;
	if (uio_copy_from(u, &v, sizeof(v)) != sizeof(v))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	for (;;) {
		if (EVENTFD_MAX - e->count >= v) {
			e->count += v;
			if (v)
				file_wake(f, EPOLLIN | EPOLLRDNORM);
			return sizeof(v);
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (file_wait(f, EPOLLOUT, 0) < 0)
			return -ERESTARTSYS;
	}
}

static unsigned eventfd_file_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	return (e->count ? EPOLLIN | EPOLLRDNORM : 0) |
	       (e->count < EVENTFD_MAX ? EPOLLOUT | EPOLLWRNORM : 0);
}

static void eventfd_file_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.name = "eventfd",
	.read = eventfd_file_read,
	.write = eventfd_file_write,
	.poll = eventfd_file_poll,
	.release = eventfd_file_release,
	.mode = 0600, /* an anonymous inode's, as on Linux */
};

struct file *eventfd_open(uint64_t count, unsigned flags)
{
	kassert(!(flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK)));
	struct eventfd *e = kmalloc(sizeof(*e));
	if (!e)
		return NULL;
	e->count = count;
	e->semaphore = flags & EFD_SEMAPHORE;
	struct file *f =
		file_alloc(&eventfd_ops, O_RDWR | (flags & EFD_NONBLOCK), e);
	if (!f)
		kfree(e);
	return f;
}
