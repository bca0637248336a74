/*
 * Descriptor syscalls: argument checking, then the file layer (kern/
 * file.c) and the kinds of file. A call that uses a file
 * holds a reference to it for the call, so another thread's close cannot
 * free it under a sleeping read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "sys.h"
#include "kern/kern.h"

#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#ifndef F_OFD_GETLK /* the host's headers, in unit tests */
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#endif
#define IOVEC_MAX 1024 /* Linux's limit on iovcnt (UIO_MAXIOV) */

/* One read or write: the file's, with the iovecs checked for shape (each
 * buffer is checked as it is reached: kern/uio.c). */
static long rw_at(int fd, const struct iovec *iov, int iovcnt, bool wr,
		  long off)
{
	if (iovcnt < 0 || iovcnt > IOVEC_MAX)
		return -EINVAL;
	if (!vm_user_ok(iov, sizeof(*iov) * iovcnt, false))
		return -EFAULT;
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct uio u;
	uio_init(&u, iov, iovcnt, total, !wr);
	long r;
	if (off < 0) /* at the file's own offset */
		r = wr ? file_write(f, &u) : file_read(f, &u);
	else
		r = wr ? file_pwrite(f, &u, off) : file_pread(f, &u, off);
	file_put(f);
	return r;
}

static long rw(int fd, const struct iovec *iov, int iovcnt, bool wr)
{
	return rw_at(fd, iov, iovcnt, wr, -1);
}

long sys_pread64(int fd, void *buf, size_t len, long off)
{
	struct iovec v = { buf, MIN(len, (size_t)SSIZE_MAX) };
	return off < 0 ? -EINVAL : rw_at(fd, &v, 1, false, off);
}

long sys_pwrite64(int fd, const void *buf, size_t len, long off)
{
	struct iovec v = { (void *)buf, MIN(len, (size_t)SSIZE_MAX) };
	return off < 0 ? -EINVAL : rw_at(fd, &v, 1, true, off);
}

/* The offset comes in two halves (low, high) for 32-bit ABIs; on
 * x86_64 the low one is all of it. */
long sys_preadv(int fd, const struct iovec *iov, int iovcnt, long off)
{
	return off < 0 ? -EINVAL : rw_at(fd, iov, iovcnt, false, off);
}

long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, long off)
{
	return off < 0 ? -EINVAL : rw_at(fd, iov, iovcnt, true, off);
}

long sys_read(int fd, void *buf, size_t len)
{
	struct iovec v = { buf, MIN(len, (size_t)SSIZE_MAX) };
	return rw(fd, &v, 1, false);
}

long sys_write(int fd, const void *buf, size_t len)
{
	struct iovec v = { (void *)buf, MIN(len, (size_t)SSIZE_MAX) };
	return rw(fd, &v, 1, true);
}

long sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return rw(fd, iov, iovcnt, false);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return rw(fd, iov, iovcnt, true);
}

long sys_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	if (cmd == FIOCLEX || cmd == FIONCLEX)
		return fd_set_cloexec(fd, cmd == FIOCLEX);
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = file_ioctl(f, cmd, arg);
	file_put(f);
	return r;
}

long sys_close(int fd)
{
	return fd_close(fd);
}

long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) ||
	    first > last)
		return -EINVAL;
	/* UNSHARE: one process, nobody to unshare the table with. */
	return fd_close_range(first, last, flags & CLOSE_RANGE_CLOEXEC);
}

long sys_lseek(int fd, long off, int whence)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = file_seek(f, off, whence);
	file_put(f);
	return r;
}

long sys_fstat(int fd, struct stat *st)
{
	if (!vm_user_ok(st, sizeof(*st), true))
		return -EFAULT;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	int r = file_stat(f, st);
	file_put(f);
	return r;
}

long sys_dup(int fd)
{
	return fd_dup(fd, 0, false);
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC || oldfd == newfd)
		return -EINVAL;
	return fd_dup3(oldfd, newfd, flags & O_CLOEXEC);
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd != newfd)
		return fd_dup3(oldfd, newfd, false);
	return fd_cloexec(oldfd) < 0 ? -EBADF : newfd;
}

/* Record locks: one process, so POSIX locks never conflict with each
 * other and are granted; they are checked for shape. An F_GETLK finds
 * nothing in the way. OFD locks belong to the open file description and
 * are tracked (kern/reclock.c): two descriptions of one file conflict
 * as on Linux. */
static long fcntl_lock(struct file *f, int cmd, struct flock *fl)
{
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (!vm_user_ok(fl, sizeof(*fl), get))
		return -EFAULT;
	struct flock k = *fl;
	if (k.l_type != F_RDLCK && k.l_type != F_WRLCK && k.l_type != F_UNLCK)
		return -EINVAL;
	if (k.l_whence != SEEK_SET && k.l_whence != SEEK_CUR &&
	    k.l_whence != SEEK_END)
		return -EINVAL;
	if ((cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW) &&
	    k.l_pid != 0)
		return -EINVAL;
	unsigned acc = f->flags & O_ACCMODE;
	if (!get && ((k.l_type == F_RDLCK && acc == O_WRONLY) ||
		     (k.l_type == F_WRLCK && acc == O_RDONLY)))
		return -EBADF;
	bool ofd =
		cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (!ofd) {
		if (get)
			fl->l_type = F_UNLCK;
		return 0;
	}
	int64_t base = 0, start, len = k.l_len;
	struct stat st;
	if (k.l_whence == SEEK_CUR)
		base = (int64_t)f->off;
	else if (k.l_whence == SEEK_END)
		base = file_stat(f, &st) ? 0 : st.st_size;
	start = base + k.l_start;
	if (len < 0) { /* Linux's: the bytes before start */
		start += len;
		len = -len;
	}
	if (start < 0)
		return -EINVAL;
	int type = k.l_type;
	uint64_t gs = 0, gl = 0;
	long r = reclock_ofd(f, cmd, type, (uint64_t)start, (uint64_t)len,
			     &type, &gs, &gl);
	if (!r && get) {
		fl->l_type = (short)type;
		if (type != F_UNLCK) {
			fl->l_whence = SEEK_SET;
			fl->l_start = (off_t)gs;
			fl->l_len = (off_t)gl;
			fl->l_pid = -1; /* an OFD lock's, as Linux says */
		}
	}
	return r;
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return fd_dup(fd, arg > INT_MAX ? -1 : (int)arg,
			      cmd == F_DUPFD_CLOEXEC);
	if (cmd == F_GETFD) {
		int r = fd_cloexec(fd);
		return r < 0 ? r : r ? FD_CLOEXEC : 0;
	}
	if (cmd == F_SETFD)
		return fd_set_cloexec(fd, arg & FD_CLOEXEC);
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW ||
	    cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW)
		r = fcntl_lock(f, cmd, (struct flock *)arg);
	else if (cmd == F_GETFL)
		r = f->flags;
	else if (cmd == F_SETFL)
		r = file_setfl(f, arg);
	file_put(f);
	return r;
}

long sys_flock(int fd, int op)
{
	int kind = op & ~LOCK_NB;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = reclock_flock(f, op); /* per description, as Linux's */
	file_put(f);
	return r;
}

/*
 * sendfile: read from in_fd, write to out_fd (a socket, or any file),
 * through a kernel buffer: a copy, as the issue allows. An offset is for
 * files that have one, which come with the file system (ESPIPE here).
 * It is here, not with the sockets, because it needs no socket: an
 * image without the network part still has it.
 */
#define SENDFILE_CHUNK 2048
long sys_sendfile(int out_fd, int in_fd, long *off, size_t count)
{
	if (off)
		return -ESPIPE;
	struct file *in = fd_file(in_fd);
	if (!in)
		return -EBADF;
	struct file *out = fd_file(out_fd);
	if (!out) {
		file_put(in);
		return -EBADF;
	}
	char *buf = kmalloc(SENDFILE_CHUNK);
	size_t done = 0;
	long r = buf ? 0 : -ENOMEM;
	while (buf && done < count) {
		struct iovec v = { buf, MIN(SENDFILE_CHUNK, count - done) };
		struct uio u;
		uio_init(&u, &v, 1, v.iov_len, true);
		r = file_read(in, &u);
		if (r <= 0)
			break;
		struct iovec w = { buf, (size_t)r };
		uio_init(&u, &w, 1, w.iov_len, false);
		long k = file_write(out, &u);
		if (k < 0) {
			r = k;
			break;
		}
		done += k;
		if (k < r)
			break;
	}
	kfree(buf);
	file_put(out);
	file_put(in);
	return done ? (long)done : r;
}
