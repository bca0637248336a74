/*
 * File descriptors. Each fd points to a struct file with an ops table;
 * for now the only kind is the console, which is fds 0, 1 and 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "sys.h"
#include "kern/kern.h"

static struct file *fdtab[FD_MAX];

/* Input poll() has already taken from the console, not yet read. */
static char cons_pending[64];
static size_t cons_npending;

static long cons_read(struct file *f, void *buf, size_t len)
{
	(void)f;
	if (!len)
		return 0;
	if (cons_npending) {
		size_t n = MIN(len, cons_npending);
		memcpy(buf, cons_pending, n);
		memmove(cons_pending, cons_pending + n, cons_npending - n);
		cons_npending -= n;
		return n;
	}
	/* The console gives no "input arrived" interrupt on every
	 * platform, so poll it every 10 ms while the reader waits. */
	for (;;) {
		size_t n = console_read(buf, len);
		if (n)
			return n;
		timer_sleep_until(now_ns() + 10000000);
	}
}

static unsigned cons_poll(struct file *f)
{
	(void)f;
	if (!cons_npending)
		cons_npending =
			console_read(cons_pending, sizeof(cons_pending));
	return POLLOUT | (cons_npending ? POLLIN : 0);
}

static long cons_write(struct file *f, const void *buf, size_t len)
{
	(void)f;
	console_write(buf, len);
	return len;
}

static long cons_ioctl(struct file *f, unsigned long cmd, unsigned long arg)
{
	(void)f;
	if (cmd == TIOCGWINSZ) {
		/* Answering makes musl line-buffer stdout, as on a tty. */
		struct winsize *ws = (struct winsize *)arg;
		if (!vm_user_ok(ws, sizeof(*ws), true))
			return -EFAULT;
		*ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
		return 0;
	}
	return -ENOTTY;
}

static const struct file_ops cons_ops = {
	.read = cons_read,
	.write = cons_write,
	.ioctl = cons_ioctl,
	.poll = cons_poll,
	.mode = S_IFCHR | 0620,
};
static struct file cons_file = { .ops = &cons_ops };

void fd_init(void)
{
	for (int i = 0; i < 3; i++) {
		fdtab[i] = &cons_file;
		cons_file.refs++;
	}
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	return fdtab[fd];
}

static int fd_install_from(struct file *f, int from)
{
	for (int i = from; i < FD_MAX; i++)
		if (!fdtab[i]) {
			fdtab[i] = f;
			f->refs++;
			return i;
		}
	return -EMFILE;
}

int fd_install(struct file *f)
{
	return fd_install_from(f, 0);
}

static void file_put(struct file *f)
{
	if (--f->refs == 0 && f->ops->release)
		f->ops->release(f);
}

long sys_read(int fd, void *buf, size_t len)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->ops->read)
		return -EINVAL;
	if (!vm_user_ok(buf, len, true))
		return -EFAULT;
	return f->ops->read(f, buf, len);
}

long sys_write(int fd, const void *buf, size_t len)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	if (!vm_user_ok(buf, len, false))
		return -EFAULT;
	return f->ops->write(f, buf, len);
}

static long rw_vec(int fd, const struct iovec *iov, int iovcnt, bool wr)
{
	if (iovcnt < 0 || iovcnt > 1024)
		return -EINVAL;
	if (!vm_user_ok(iov, sizeof(*iov) * iovcnt, false))
		return -EFAULT;
	long total = 0;
	for (int i = 0; i < iovcnt; i++) {
		struct iovec v = iov[i];
		if (!v.iov_len)
			continue;
		long r = wr ? sys_write(fd, v.iov_base, v.iov_len)
			    : sys_read(fd, v.iov_base, v.iov_len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < v.iov_len)
			break;
	}
	return total;
}

long sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return rw_vec(fd, iov, iovcnt, false);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return rw_vec(fd, iov, iovcnt, true);
}

long sys_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

long sys_close(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	fdtab[fd] = NULL;
	file_put(f);
	return 0;
}

long sys_lseek(int fd, long off, int whence)
{
	(void)off;
	(void)whence;
	return fd_get(fd) ? -ESPIPE : -EBADF;
}

long sys_fstat(int fd, struct stat *st)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!vm_user_ok(st, sizeof(*st), true))
		return -EFAULT;
	memset(st, 0, sizeof(*st));
	st->st_mode = f->ops->mode;
	st->st_blksize = 4096;
	st->st_nlink = 1;
	return 0;
}

long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	return f ? fd_install(f) : -EBADF;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	struct file *f = fd_get(oldfd);
	if (!f || newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	if (flags & ~O_CLOEXEC || oldfd == newfd)
		return -EINVAL;
	if (fdtab[newfd])
		sys_close(newfd);
	fdtab[newfd] = f;
	f->refs++;
	return newfd;
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return fd_get(oldfd) ? newfd : -EBADF;
	return sys_dup3(oldfd, newfd, 0);
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= FD_MAX)
			return -EINVAL;
		return fd_install_from(f, (int)arg);
	case F_GETFD:
	case F_SETFD:
		return 0;
	case F_SETFL:
		f->flags = (f->flags & ~O_NONBLOCK) | (arg & O_NONBLOCK);
		return 0;
	case F_GETFL:
		return O_RDWR | f->flags;
	}
	return -EINVAL;
}
