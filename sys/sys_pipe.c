/*
 * pipe, pipe2, eventfd, eventfd2: argument checking, then kern/pipe.c
 * and kern/eventfd.c, and the new descriptors. With sys_poll.c, the
 * events part: an image whose program makes none of these calls (nor
 * poll, select, epoll) has none of it (docs/architecture.md, "Parts").
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>

#include "sys.h"
#include "kern/kern.h"

/* Both ends into fds, or neither. */
static long install_pair(struct file *ends[2], int *fds, bool cloexec)
{
	int a = fd_install(ends[0], 0, cloexec);
	if (a < 0)
		goto fail;
	int b = fd_install(ends[1], 0, cloexec);
	if (b < 0)
		goto fail_a;
	fds[0] = a;
	fds[1] = b;
	return 0;
fail_a:
	fd_close(a); /* puts ends[0] */
	file_put(ends[1]);
	return b;
fail:
	file_put(ends[0]);
	file_put(ends[1]);
	return a;
}

long sys_pipe2(int *fds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!vm_user_ok(fds, 2 * sizeof(int), true))
		return -EFAULT;
	struct file *ends[2];
	long r = pipe_open(ends, flags & O_NONBLOCK);
	return r ? r : install_pair(ends, fds, flags & O_CLOEXEC);
}

long sys_pipe(int *fds)
{
	return sys_pipe2(fds, 0);
}

long sys_eventfd2(unsigned count, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct file *f =
		eventfd_open(count, flags & (EFD_SEMAPHORE | EFD_NONBLOCK));
	if (!f)
		return -ENOMEM;
	int fd = fd_install(f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(unsigned count)
{
	return sys_eventfd2(count, 0);
}
