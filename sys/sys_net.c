/*
 * Socket system calls: the program's pointers checked, then net/'s
 * sockets (net/sock.c), each one a file: read/write/readv/writev, poll,
 * ioctl, fcntl and close work on it as on any descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "sys.h"
#include "kern/kern.h"
#include "net/net.h"

#define IOV_MAX_COUNT 1024

static bool nonblocking(struct file *f)
{
	return f->flags & O_NONBLOCK;
}

/* A write to a stream that can take no more raises SIGPIPE, unless
 * MSG_NOSIGNAL: Linux's rule (a program that ignores SIGPIPE sees only
 * EPIPE). */
static long sent(struct sock *s, long r, int flags)
{
	if (r == -EPIPE && s->type == SOCK_STREAM && !(flags & MSG_NOSIGNAL)) {
		struct ksiginfo info = { .signo = SIGPIPE, .code = SI_USER };
		signal_send(current->tid, &info);
	}
	return r;
}

static long sock_file_read(struct file *f, void *buf, size_t len)
{
	struct iovec v = { buf, len };
	int mf;
	return sock_recv(f->priv, &v, 1, 0, NULL, NULL, nonblocking(f), &mf);
}

static long sock_file_write(struct file *f, const void *buf, size_t len)
{
	struct iovec v = { (void *)buf, len };
	return sent(f->priv,
		    sock_send(f->priv, &v, 1, 0, NULL, 0, nonblocking(f)), 0);
}

static long sock_file_ioctl(struct file *f, unsigned long cmd,
			    unsigned long arg)
{
	int *p = (int *)arg;
	switch (cmd) {
	case FIONBIO:
		if (!vm_user_ok(p, sizeof(int), false))
			return -EFAULT;
		if (*p)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case FIONREAD: {
		if (!vm_user_ok(p, sizeof(int), true))
			return -EFAULT;
		long n = sock_nread(f->priv);
		if (n < 0)
			return n;
		*p = (int)n;
		return 0;
	}
	}
	return -ENOTTY;
}

static unsigned sock_file_poll(struct file *f)
{
	return sock_poll(f->priv);
}

static void sock_file_release(struct file *f)
{
	sock_close(f->priv);
	kfree(f);
}

static const struct file_ops sock_ops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.ioctl = sock_file_ioctl,
	.poll = sock_file_poll,
	.release = sock_file_release,
	.mode = S_IFSOCK | 0777,
	.notifies = true,
};

static void sock_notify(void *ctx)
{
	file_changed(ctx);
}

/* A file and a descriptor for s; on failure s is closed. */
static long sock_install(struct sock *s, int flags)
{
	struct file *f = kmalloc(sizeof(*f));
	if (!f) {
		sock_close(s);
		return -ENOMEM;
	}
	f->ops = &sock_ops;
	f->priv = s;
	f->flags = flags & SOCK_NONBLOCK ? O_NONBLOCK : 0;
	s->notify = sock_notify;
	s->notify_ctx = f;
	long fd = fd_install(f);
	if (fd < 0)
		sock_file_release(f);
	return fd;
}

/* The socket behind fd, or -EBADF / -ENOTSOCK. */
static struct sock *sock_of(int fd, long *err, struct file **fp)
{
	struct file *f = fd_get(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &sock_ops) {
		*err = -ENOTSOCK;
		return NULL;
	}
	if (fp)
		*fp = f;
	return f->priv;
}

long sys_socket(int family, int type, int protocol)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct sock *s;
	int r = sock_create(family, type & ~flags, protocol, &s);
	return r ? r : sock_install(s, flags);
}

long sys_socketpair(int family, int type, int protocol, int *sv)
{
	(void)type;
	(void)protocol;
	(void)sv;
	return family == AF_UNIX ? -EOPNOTSUPP : -EAFNOSUPPORT;
}

static bool addr_ok(const struct sockaddr *a, socklen_t len)
{
	return (int)len >= 0 && vm_user_ok(a, len, false);
}

long sys_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	if (!s)
		return err;
	if (!addr_ok(a, len))
		return -EFAULT;
	return sock_bind(s, a, len);
}

long sys_listen(int fd, int backlog)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	return s ? sock_listen(s, backlog) : err;
}

/* Write an address back: *len in, the full length out. */
static long addr_result(struct sockaddr *a, socklen_t *len,
			long (*fill)(struct sock *, struct sockaddr *,
				     socklen_t *),
			struct sock *s)
{
	if (!vm_user_ok(len, sizeof(*len), true))
		return -EFAULT;
	socklen_t n = *len;
	if ((int)n < 0)
		return -EINVAL;
	if (!vm_user_ok(a, n, true))
		return -EFAULT;
	struct sockaddr_storage st;
	socklen_t got = sizeof(st);
	long r = fill(s, (struct sockaddr *)&st, &got);
	if (r < 0)
		return r;
	memcpy(a, &st, MIN(n, got));
	*len = got;
	return r;
}

static long fill_local(struct sock *s, struct sockaddr *a, socklen_t *len)
{
	return sock_name(s, a, len, false);
}

static long fill_peer(struct sock *s, struct sockaddr *a, socklen_t *len)
{
	return sock_name(s, a, len, true);
}

long sys_accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (a && (!vm_user_ok(len, sizeof(*len), true) ||
		  !vm_user_ok(a, *len, true)))
		return -EFAULT;
	struct sock *c;
	int r = sock_accept(s, &c, nonblocking(f));
	if (r)
		return r;
	if (a)
		addr_result(a, len, fill_peer, c);
	return sock_install(c, flags);
}

long sys_accept(int fd, struct sockaddr *a, socklen_t *len)
{
	return sys_accept4(fd, a, len, 0);
}

long sys_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	if (!addr_ok(a, len))
		return -EFAULT;
	return sock_connect(s, a, len, nonblocking(f));
}

long sys_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	if (!s)
		return err;
	if (!a)
		return -EFAULT;
	return addr_result(a, len, fill_local, s);
}

long sys_getpeername(int fd, struct sockaddr *a, socklen_t *len)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	if (!s)
		return err;
	if (!a)
		return -EFAULT;
	return addr_result(a, len, fill_peer, s);
}

/* The program's iovecs: the array and every buffer checked. */
static long iov_check(const struct iovec *iov, size_t n, bool write)
{
	if (n > IOV_MAX_COUNT)
		return -EMSGSIZE;
	if (!vm_user_ok(iov, n * sizeof(*iov), false))
		return -EFAULT;
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
		if (!vm_user_ok(iov[i].iov_base, iov[i].iov_len, write))
			return -EFAULT;
	}
	return 0;
}

static long do_sendmsg(struct sock *s, struct file *f, const struct msghdr *m,
		       int flags)
{
	long r = iov_check(m->msg_iov, m->msg_iovlen, false);
	if (r)
		return r;
	if (m->msg_name && !addr_ok(m->msg_name, m->msg_namelen))
		return -EFAULT;
	return sock_send(s, m->msg_iov, (int)m->msg_iovlen, flags, m->msg_name,
			 m->msg_name ? m->msg_namelen : 0, nonblocking(f));
}

static long do_recvmsg(struct sock *s, struct file *f, struct msghdr *m,
		       int flags)
{
	long r = iov_check(m->msg_iov, m->msg_iovlen, true);
	if (r)
		return r;
	if (m->msg_name && ((int)m->msg_namelen < 0 ||
			    !vm_user_ok(m->msg_name, m->msg_namelen, true)))
		return -EFAULT;
	struct sockaddr_storage st;
	socklen_t alen = sizeof(st);
	int mf;
	r = sock_recv(s, m->msg_iov, (int)m->msg_iovlen, flags,
		      m->msg_name ? (struct sockaddr *)&st : NULL,
		      m->msg_name ? &alen : NULL, nonblocking(f), &mf);
	if (r < 0)
		return r;
	if (m->msg_name) {
		memcpy(m->msg_name, &st, MIN(m->msg_namelen, alen));
		m->msg_namelen = alen;
	}
	m->msg_controllen = 0; /* no ancillary data */
	m->msg_flags = mf;
	return r;
}

long sys_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *a, socklen_t alen)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	struct iovec v = { (void *)buf, len };
	struct msghdr m = { .msg_name = (void *)a,
			    .msg_namelen = a ? alen : 0,
			    .msg_iov = &v,
			    .msg_iovlen = 1 };
	return do_sendmsg(s, f, &m, flags);
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
		  socklen_t *alen)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	if (a && !vm_user_ok(alen, sizeof(*alen), true))
		return -EFAULT;
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_name = a,
			    .msg_namelen = a ? *alen : 0,
			    .msg_iov = &v,
			    .msg_iovlen = 1 };
	long r = do_recvmsg(s, f, &m, flags);
	if (r >= 0 && a)
		*alen = m.msg_namelen;
	return r;
}

long sys_sendmsg(int fd, const struct msghdr *m, int flags)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	if (!vm_user_ok(m, sizeof(*m), false))
		return -EFAULT;
	return do_sendmsg(s, f, m, flags);
}

long sys_recvmsg(int fd, struct msghdr *m, int flags)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	if (!vm_user_ok(m, sizeof(*m), true))
		return -EFAULT;
	return do_recvmsg(s, f, m, flags);
}

long sys_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	n = MIN(n, IOV_MAX_COUNT);
	if (!vm_user_ok(v, n * sizeof(*v), true))
		return -EFAULT;
	unsigned i;
	for (i = 0; i < n; i++) {
		long r = do_sendmsg(s, f, &v[i].msg_hdr, flags);
		if (r < 0)
			return i ? (long)i : r;
		v[i].msg_len = (unsigned)r;
	}
	return i;
}

long sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags,
		  struct timespec *ts)
{
	long err;
	struct file *f;
	struct sock *s = sock_of(fd, &err, &f);
	if (!s)
		return err;
	(void)ts; /* checked only between datagrams on Linux too */
	n = MIN(n, IOV_MAX_COUNT);
	if (!vm_user_ok(v, n * sizeof(*v), true))
		return -EFAULT;
	unsigned i;
	for (i = 0; i < n; i++) {
		/* MSG_WAITFORONE: block for the first only. */
		int fl = flags & ~MSG_WAITFORONE;
		if (i && (flags & MSG_WAITFORONE))
			fl |= MSG_DONTWAIT;
		long r = do_recvmsg(s, f, &v[i].msg_hdr, fl);
		if (r < 0)
			return i ? (long)i : r;
		v[i].msg_len = (unsigned)r;
	}
	return i;
}

long sys_shutdown(int fd, int how)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	return s ? sock_shutdown(s, how) : err;
}

long sys_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	if (!s)
		return err;
	if ((int)len < 0)
		return -EINVAL;
	if (!vm_user_ok(val, len, false))
		return -EFAULT;
	return sock_setopt(s, level, name, val, len);
}

long sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	long err;
	struct sock *s = sock_of(fd, &err, NULL);
	if (!s)
		return err;
	if (!vm_user_ok(len, sizeof(*len), true))
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	if (!vm_user_ok(val, *len, true))
		return -EFAULT;
	return sock_getopt(s, level, name, val, len);
}

/*
 * sendfile: read from in_fd, write to the socket (or any file), through
 * a kernel buffer. A copy, as the issue allows; offsets of files that
 * have them come with the file layer.
 */
long sys_sendfile(int out_fd, int in_fd, long *off, size_t count)
{
	struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
	if (!in || !out)
		return -EBADF;
	if (!in->ops->read || !out->ops->write)
		return -EINVAL;
	if (off)
		return -ESPIPE;
	char *buf = kmalloc(2048);
	if (!buf)
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < count) {
		r = in->ops->read(in, buf, MIN(2048, count - done));
		if (r <= 0)
			break;
		long w = out->ops->write(out, buf, r);
		if (w < 0) {
			r = w;
			break;
		}
		done += w;
		if (w < r)
			break;
	}
	kfree(buf);
	return done ? (long)done : r;
}
