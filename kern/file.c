/*
 * Open files and the descriptor table. A struct file is what Linux calls
 * an open file description: dup, dup2, dup3 and F_DUPFD make more fds for
 * the same one, sharing its flags (O_NONBLOCK, O_APPEND) and its offset;
 * FD_CLOEXEC belongs to each fd. A file lives as long as someone holds a
 * reference: an fd, a syscall using it (so a close by another thread
 * while a read sleeps does not free it under the reader), the kernel's
 * own (the console). One process: one table.
 *
 * Lock: big_lock (kern/lock.h). Every syscall holds it, implicitly;
 * nothing here is reached from an interrupt handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kern.h"

static struct file *fdtab[FD_MAX];
static uint64_t fd_cloexec_bits[FD_MAX / 64];

#define SETFL_MASK (O_NONBLOCK | O_APPEND)

struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kmalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	dlist_init(&f->wq.hooks);
	return f;
}

struct file *file_get(struct file *f)
{
	kassert(f->refs > 0);
	f->refs++;
	return f;
}

void file_put(struct file *f)
{
	kassert(f->refs > 0);
	if (--f->refs)
		return;
	/* Whoever still watches it holds no reference (an epoll
	 * registration): told, it lets go. Then the kind frees its part. */
	file_wake(f, POLL_GONE);
	if (!dlist_empty(&f->wq.hooks))
		panic("%s file released with waiters left", f->ops->name);
	reclock_release(f); /* its OFD and flock locks */
	if (f->ops->release)
		f->ops->release(f);
	kfree(f);
}

long file_read(struct file *f, struct uio *u)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	return f->ops->read ? f->ops->read(f, u) : -EINVAL;
}

long file_write(struct file *f, struct uio *u)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return f->ops->write ? f->ops->write(f, u) : -EINVAL;
}

long file_pread(struct file *f, struct uio *u, uint64_t off)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	return f->ops->pread ? f->ops->pread(f, u, off) : -ESPIPE;
}

long file_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return f->ops->pwrite ? f->ops->pwrite(f, u, off) : -ESPIPE;
}

long file_seek(struct file *f, int64_t off, int whence)
{
	return f->ops->seek ? f->ops->seek(f, off, whence) : -ESPIPE;
}

int file_stat(struct file *f, struct stat *st)
{
	if (f->ops->stat)
		return f->ops->stat(f, st);
	memset(st, 0, sizeof(*st));
	st->st_mode = f->ops->mode;
	st->st_blksize = KPAGE_SIZE;
	st->st_nlink = 1;
	return 0;
}

int file_fsync(struct file *f)
{
	return f->ops->fsync ? f->ops->fsync(f) : 0;
}

long file_setfl(struct file *f, unsigned flags)
{
	/* Linux ignores the flags F_SETFL cannot change; so do we. */
	f->flags = (f->flags & ~SETFL_MASK) | (flags & SETFL_MASK);
	return 0;
}

long file_ioctl(struct file *f, unsigned long cmd, unsigned long arg)
{
	if (cmd == FIONBIO) {
		const int *on = (const int *)arg;
		if (!vm_user_ok(on, sizeof(*on), false))
			return -EFAULT;
		unsigned fl =
			*on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return file_setfl(f, fl);
	}
	return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

static void cloexec_set(int fd, bool on)
{
	uint64_t bit = 1ULL << (fd % 64);
	if (on)
		fd_cloexec_bits[fd / 64] |= bit;
	else
		fd_cloexec_bits[fd / 64] &= ~bit;
}

void fd_init(void)
{
	for (int fd = 0; fd < 3; fd++)
		fdtab[fd] = file_get(&console_file);
}

static bool fd_valid(int fd)
{
	return fd >= 0 && fd < FD_MAX;
}

struct file *fd_file(int fd)
{
	if (!fd_valid(fd) || !fdtab[fd])
		return NULL;
	return file_get(fdtab[fd]);
}

int fd_install(struct file *f, int from, bool cloexec)
{
	for (int fd = MAX(from, 0); fd < FD_MAX; fd++)
		if (!fdtab[fd]) {
			fdtab[fd] = f;
			cloexec_set(fd, cloexec);
			return fd;
		}
	return -EMFILE;
}

int fd_close(int fd)
{
	if (!fd_valid(fd) || !fdtab[fd])
		return -EBADF;
	struct file *f = fdtab[fd];
	fdtab[fd] = NULL;
	cloexec_set(fd, false);
	file_put(f);
	return 0;
}

int fd_dup(int fd, int from, bool cloexec)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	int r = from < 0 || from >= FD_MAX ? -EINVAL
					   : fd_install(f, from, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

int fd_dup3(int oldfd, int newfd, bool cloexec)
{
	kassert(oldfd != newfd);
	if (!fd_valid(newfd))
		return -EBADF;
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	/* The new file is in place before the old one goes: its release
	 * may run code that looks at the table. */
	struct file *old = fdtab[newfd];
	fdtab[newfd] = f;
	cloexec_set(newfd, cloexec);
	if (old)
		file_put(old);
	return newfd;
}

int fd_close_range(unsigned first, unsigned last, bool cloexec_only)
{
	for (unsigned fd = first; fd <= last && fd < FD_MAX; fd++) {
		if (!fdtab[fd])
			continue;
		if (cloexec_only)
			cloexec_set(fd, true);
		else
			fd_close(fd);
	}
	return 0;
}

int fd_cloexec(int fd)
{
	if (!fd_valid(fd) || !fdtab[fd])
		return -EBADF;
	return (fd_cloexec_bits[fd / 64] >> (fd % 64)) & 1;
}

int fd_set_cloexec(int fd, bool on)
{
	if (!fd_valid(fd) || !fdtab[fd])
		return -EBADF;
	cloexec_set(fd, on);
	return 0;
}

long file_epipe(void)
{
	/* Linux's send_sig(SIGPIPE, current, 0): from the process itself. */
	struct ksiginfo info = { .signo = SIGPIPE, .code = SI_USER, .pid = 1 };
	signal_send(current->tid, &info);
	return -EPIPE;
}
