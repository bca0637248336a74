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

/* The program's iovecs: the array and every buffer checked (the socket
 * layer copies straight to and from them). */
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

static bool nonblocking(struct file *f)
{
	return f->flags & O_NONBLOCK;
}

/* A write to a stream that can take no more raises SIGPIPE, unless
 * MSG_NOSIGNAL: Linux's rule, and the file layer's (file_epipe). */
static long sent(struct sock *s, long r, int flags)
{
	if (r == -EPIPE && s->type == SOCK_STREAM && !(flags & MSG_NOSIGNAL))
		return file_epipe();
	return r;
}

/* read/write/readv/writev: the uio is fresh, its iovecs the call's. */
static long sock_file_read(struct file *f, struct uio *u)
{
	long r = iov_check(u->iov, u->iovcnt, true);
	if (r)
		return r;
	int mf;
	return sock_recv(f->priv, u->iov, u->iovcnt, 0, NULL, NULL,
			 nonblocking(f), &mf);
}

static long sock_file_write(struct file *f, struct uio *u)
{
	long r = iov_check(u->iov, u->iovcnt, false);
	if (r)
		return r;
	return sent(f->priv,
		    sock_send(f->priv, u->iov, u->iovcnt, 0, NULL, 0,
			      nonblocking(f)),
		    0);
}

static long sock_file_ioctl(struct file *f, unsigned long cmd,
			    unsigned long arg)
{
	int *p = (int *)arg;
	if (cmd == FIONREAD) {
		if (!vm_user_ok(p, sizeof(int), true))
			return -EFAULT;
		long n = sock_nread(f->priv);
		if (n < 0)
			return n;
		*p = (int)n;
		return 0;
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
}

/* A frame can make a socket ready: waiting on one is no deadlock. */
static bool sock_file_device(struct file *f)
{
	(void)f;
	return true;
}

static const struct file_ops sock_ops = {
	.name = "socket",
	.read = sock_file_read,
	.write = sock_file_write,
	.ioctl = sock_file_ioctl,
	.poll = sock_file_poll,
	.release = sock_file_release,
	.device = sock_file_device,
	.mode = S_IFSOCK | 0777,
};

/* The socket's readiness may have changed: poll, select and epoll
 * waiters look again (kern/poll.c). */
static void sock_notify(void *ctx)
{
	struct file *f = ctx;
	file_wake(f, sock_poll(f->priv));
}

/* A file and a descriptor for s; on failure s is closed. */
static long sock_install(struct sock *s, int flags)
{
	struct file *f = file_alloc(
		&sock_ops, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0),
		s);
	if (!f) {
		sock_close(s);
		return -ENOMEM;
	}
	s->notify = sock_notify;
	s->notify_ctx = f;
	long fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f); /* its release closes s */
	return fd;
}

/* The socket behind fd, with a reference to its file in *fp (the caller
 * puts it), or NULL and -EBADF / -ENOTSOCK in *err. */
static struct sock *sock_get(int fd, long *err, struct file **fp)
{
	struct file *f = fd_file(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &sock_ops) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
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
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = addr_ok(a, len) ? sock_bind(s, a, len) : -EFAULT;
	file_put(f);
	return r;
}

long sys_listen(int fd, int backlog)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = sock_listen(s, backlog);
	file_put(f);
	return r;
}

/* Write an address back: *len in, the full length out (Linux truncates
 * to what the program gave room for). */
static long addr_result(struct sockaddr *a, socklen_t *len, struct sock *s,
			bool peer)
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
	long r = sock_name(s, (struct sockaddr *)&st, &got, peer);
	if (r < 0)
		return r;
	memcpy(a, &st, MIN(n, got));
	*len = got;
	return 0;
}

long sys_accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	struct sock *c;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		r = -EINVAL;
	else if (a && (!vm_user_ok(len, sizeof(*len), true) ||
		       !vm_user_ok(a, *len, true)))
		r = -EFAULT;
	else
		r = sock_accept(s, &c, nonblocking(f));
	file_put(f);
	if (r)
		return r;
	if (a)
		addr_result(a, len, c, true);
	return sock_install(c, flags);
}

long sys_accept(int fd, struct sockaddr *a, socklen_t *len)
{
	return sys_accept4(fd, a, len, 0);
}

long sys_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = addr_ok(a, len) ? sock_connect(s, a, len, nonblocking(f)) : -EFAULT;
	file_put(f);
	return r;
}

static long sys_name(int fd, struct sockaddr *a, socklen_t *len, bool peer)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = a ? addr_result(a, len, s, peer) : -EFAULT;
	file_put(f);
	return r;
}

long sys_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	return sys_name(fd, a, len, false);
}

long sys_getpeername(int fd, struct sockaddr *a, socklen_t *len)
{
	return sys_name(fd, a, len, true);
}

static long do_sendmsg(struct sock *s, struct file *f, const struct msghdr *m,
		       int flags)
{
	long r = iov_check(m->msg_iov, m->msg_iovlen, false);
	if (r)
		return r;
	if (m->msg_name && !addr_ok(m->msg_name, m->msg_namelen))
		return -EFAULT;
	return sent(s,
		    sock_send(s, m->msg_iov, (int)m->msg_iovlen, flags,
			      m->msg_name, m->msg_name ? m->msg_namelen : 0,
			      nonblocking(f)),
		    flags);
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
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	struct iovec v = { (void *)buf, len };
	struct msghdr m = { .msg_name = (void *)a,
			    .msg_namelen = a ? alen : 0,
			    .msg_iov = &v,
			    .msg_iovlen = 1 };
	r = do_sendmsg(s, f, &m, flags);
	file_put(f);
	return r;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
		  socklen_t *alen)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	if (a && !vm_user_ok(alen, sizeof(*alen), true)) {
		file_put(f);
		return -EFAULT;
	}
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_name = a,
			    .msg_namelen = a ? *alen : 0,
			    .msg_iov = &v,
			    .msg_iovlen = 1 };
	r = do_recvmsg(s, f, &m, flags);
	if (r >= 0 && a)
		*alen = m.msg_namelen;
	file_put(f);
	return r;
}

long sys_sendmsg(int fd, const struct msghdr *m, int flags)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = vm_user_ok(m, sizeof(*m), false) ? do_sendmsg(s, f, m, flags)
					     : -EFAULT;
	file_put(f);
	return r;
}

long sys_recvmsg(int fd, struct msghdr *m, int flags)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = vm_user_ok(m, sizeof(*m), true) ? do_recvmsg(s, f, m, flags)
					    : -EFAULT;
	file_put(f);
	return r;
}

/* sendmmsg and recvmmsg: as many as go, or the first one's error. */
static long do_mmsg(int fd, struct mmsghdr *v, unsigned n, int flags, bool send)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	n = MIN(n, IOV_MAX_COUNT);
	if (!vm_user_ok(v, n * sizeof(*v), true)) {
		file_put(f);
		return -EFAULT;
	}
	unsigned i;
	for (i = 0; i < n; i++) {
		/* MSG_WAITFORONE: block for the first only. */
		int fl = flags & ~MSG_WAITFORONE;
		if (i && (flags & MSG_WAITFORONE))
			fl |= MSG_DONTWAIT;
		r = send ? do_sendmsg(s, f, &v[i].msg_hdr, flags)
			 : do_recvmsg(s, f, &v[i].msg_hdr, fl);
		if (r < 0)
			break;
		v[i].msg_len = (unsigned)r;
	}
	file_put(f);
	return i ? (long)i : r;
}

long sys_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	return do_mmsg(fd, v, n, flags, true);
}

long sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags,
		  struct timespec *ts)
{
	(void)ts; /* looked at only between datagrams on Linux too */
	return do_mmsg(fd, v, n, flags, false);
}

long sys_shutdown(int fd, int how)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	r = sock_shutdown(s, how);
	file_put(f);
	return r;
}

long sys_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	if ((int)len < 0)
		r = -EINVAL;
	else if (!vm_user_ok(val, len, false))
		r = -EFAULT;
	else
		r = sock_setopt(s, level, name, val, len);
	file_put(f);
	return r;
}

long sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	long r;
	struct file *f;
	struct sock *s = sock_get(fd, &r, &f);
	if (!s)
		return r;
	if (!vm_user_ok(len, sizeof(*len), true))
		r = -EFAULT;
	else if ((int)*len < 0)
		r = -EINVAL;
	else if (!vm_user_ok(val, *len, true))
		r = -EFAULT;
	else
		r = sock_getopt(s, level, name, val, len);
	file_put(f);
	return r;
}
