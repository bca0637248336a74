/*
 * Sockets: what streams (stream.c, TCP) and datagrams (dgram.c, UDP)
 * share: creation, addresses, options, waiting, and the call that tells
 * waiters and the file layer that readiness may have changed. Errors are
 * Linux's errno values.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "net.h"
#include "lwip/err.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

int sock_errno(int8_t err)
{
	switch (err) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return ENOMEM;
	case ERR_BUF:
		return ENOBUFS;
	case ERR_TIMEOUT:
		return ETIMEDOUT;
	case ERR_RTE:
		return ENETUNREACH;
	case ERR_INPROGRESS:
		return EINPROGRESS;
	case ERR_WOULDBLOCK:
		return EAGAIN;
	case ERR_USE:
		return EADDRINUSE;
	case ERR_ALREADY:
		return EALREADY;
	case ERR_ISCONN:
		return EISCONN;
	case ERR_CONN:
	case ERR_CLSD:
		return ENOTCONN;
	case ERR_IF:
		return ENETDOWN;
	case ERR_ABRT:
		return ECONNABORTED;
	case ERR_RST:
		return ECONNRESET;
	default:
		return EINVAL;
	}
}

int sock_create(int family, int type, int protocol, struct sock **out)
{
	if (family != AF_INET)
		return family == AF_INET6 ? -EAFNOSUPPORT : -EAFNOSUPPORT;
	if (type == SOCK_STREAM) {
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
	} else if (type == SOCK_DGRAM) {
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
	} else {
		return -ESOCKTNOSUPPORT;
	}
	int r = net_start();
	if (r)
		return r;
	struct sock *s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->type = type;
	s->state = SS_NEW;
	s->rcvbuf = type == SOCK_STREAM ? TCP_WND : 212992;
	s->sndbuf = type == SOCK_STREAM ? TCP_SND_BUF : 212992;
	s->keepidle_s = 7200;
	s->keepintvl_s = 75;
	s->keepcnt = 9;
	r = type == SOCK_STREAM ? stream_init(s) : dgram_init(s);
	if (r) {
		kfree(s);
		return r;
	}
	*out = s;
	return 0;
}

void sock_close(struct sock *s)
{
	if (s->type == SOCK_STREAM)
		stream_close(s);
	else
		dgram_close(s);
	net_loop_flush();
	/* Nobody can be waiting: the file had no other reference. */
	kfree(s);
}

void sock_changed(struct sock *s)
{
	wake_all(&s->wait);
	if (s->notify)
		s->notify(s->notify_ctx);
}

int sock_wait(struct sock *s, uint64_t deadline)
{
	if (deadline && now_ns() >= deadline)
		return -EAGAIN;
	/* The network is a device: a thread waiting here may be woken by
	 * a frame, so this is no deadlock (kern/sched.c). A signal ends
	 * the wait; the call restarts after its handler if SA_RESTART says
	 * so, as on Linux. */
	if (wait_device_intr(&s->wait, deadline) < 0)
		return deadline ? -EINTR : -ERESTARTSYS; /* Linux's choice */
	return 0;
}

unsigned sock_poll(struct sock *s)
{
	return s->type == SOCK_STREAM ? stream_poll(s) : dgram_poll(s);
}

/* An IPv4 address from the program; -errno as Linux gives. */
int sock_addr_in(const struct sockaddr *a, socklen_t len, ip_addr_t *ip,
		 uint16_t *port)
{
	if (len < sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *in = (const struct sockaddr_in *)a;
	if (in->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	ip_addr_set_ip4_u32(ip, in->sin_addr.s_addr);
	*port = lwip_htons(in->sin_port);
	return 0;
}

/* Write an address out, truncated to *len as Linux does; *len becomes
 * the full size. */
void sock_addr_out(const ip_addr_t *ip, uint16_t port, struct sockaddr *a,
		   socklen_t *len)
{
	struct sockaddr_in in = {
		.sin_family = AF_INET,
		.sin_port = lwip_htons(port),
		.sin_addr.s_addr = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0,
	};
	memcpy(a, &in, MIN(*len, sizeof(in)));
	*len = sizeof(in);
}

int sock_bind(struct sock *s, const struct sockaddr *a, socklen_t len)
{
	ip_addr_t ip;
	uint16_t port;
	int r = sock_addr_in(a, len, &ip, &port);
	if (r)
		return r;
	if (s->bound)
		return -EINVAL;
	r = s->type == SOCK_STREAM ? stream_bind(s, &ip, port)
				   : dgram_bind(s, &ip, port);
	if (!r)
		s->bound = true;
	return r;
}

int sock_connect(struct sock *s, const struct sockaddr *a, socklen_t len,
		 bool nonblock)
{
	ip_addr_t ip;
	uint16_t port;
	if (s->type == SOCK_DGRAM && len >= sizeof(sa_family_t) &&
	    a->sa_family == AF_UNSPEC)
		return dgram_connect(s, NULL, 0); /* dissolve the association */
	int r = sock_addr_in(a, len, &ip, &port);
	if (r)
		return r;
	if (s->type == SOCK_STREAM)
		return stream_connect(s, &ip, port, nonblock);
	return dgram_connect(s, &ip, port);
}

int sock_name(struct sock *s, struct sockaddr *a, socklen_t *len, bool peer)
{
	if (peer) {
		bool connected = s->type == SOCK_STREAM
					 ? s->state == SS_CONNECTED
					 : s->remote_port != 0;
		if (!connected)
			return -ENOTCONN;
		sock_addr_out(&s->remote_ip, s->remote_port, a, len);
		return 0;
	}
	sock_addr_out(&s->local_ip, s->local_port, a, len);
	return 0;
}

long sock_send(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
	       const struct sockaddr *a, socklen_t alen, bool nonblock)
{
	nonblock |= (flags & MSG_DONTWAIT) != 0;
	if (s->type == SOCK_STREAM) {
		/* Linux ignores the address of a connected stream. */
		return stream_send(s, iov, iovcnt, flags, nonblock);
	}
	ip_addr_t ip;
	uint16_t port = 0;
	if (a) {
		int r = sock_addr_in(a, alen, &ip, &port);
		if (r)
			return r;
	}
	return dgram_send(s, iov, iovcnt, a ? &ip : NULL, port, nonblock);
}

long sock_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
	       struct sockaddr *a, socklen_t *alen, bool nonblock,
	       int *msg_flags)
{
	nonblock |= (flags & MSG_DONTWAIT) != 0;
	*msg_flags = 0;
	if (s->type == SOCK_STREAM) {
		long r = stream_recv(s, iov, iovcnt, flags, nonblock);
		if (r >= 0 && a && alen)
			*alen = 0; /* Linux leaves no address for a stream */
		return r;
	}
	ip_addr_t ip;
	uint16_t port;
	long r = dgram_recv(s, iov, iovcnt, flags, &ip, &port, nonblock,
			    msg_flags);
	if (r >= 0 && a && alen)
		sock_addr_out(&ip, port, a, alen);
	return r;
}

long sock_nread(struct sock *s)
{
	if (s->type == SOCK_DGRAM)
		return dgram_nread(s);
	if (s->state == SS_LISTEN)
		return -EINVAL;
	return s->rx_bytes;
}

int sock_shutdown(struct sock *s, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->type == SOCK_STREAM)
		return stream_shutdown(s, how);
	if (!s->remote_port)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->shut_rd = true;
	if (how != SHUT_RD)
		s->shut_wr = true;
	sock_changed(s);
	return 0;
}

/* ---- options ---- */

static int opt_int(const void *val, socklen_t len, int *out)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

static int opt_timeout(const void *val, socklen_t len, uint64_t *ns)
{
	struct timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*ns = 0; /* Linux: a negative timeout is none */
	else
		*ns = (uint64_t)tv.tv_sec * 1000000000 +
		      (uint64_t)tv.tv_usec * 1000;
	return 0;
}

int sock_setopt(struct sock *s, int level, int name, const void *val,
		socklen_t len)
{
	int v = 0, r;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVTIMEO:
			return opt_timeout(val, len, &s->rcvtimeo_ns);
		case SO_SNDTIMEO:
			return opt_timeout(val, len, &s->sndtimeo_ns);
		case SO_LINGER: {
			struct linger l;
			if (len < sizeof(l))
				return -EINVAL;
			memcpy(&l, val, sizeof(l));
			s->linger_on = l.l_onoff != 0;
			s->linger_s = l.l_linger;
			return 0;
		}
		}
		if ((r = opt_int(val, len, &v)))
			return r;
		switch (name) {
		case SO_REUSEADDR:
			s->reuseaddr = v != 0;
			break;
		case SO_REUSEPORT: /* accepted: one process, nothing to share */
			return 0;
		case SO_KEEPALIVE:
			s->keepalive = v != 0;
			break;
		case SO_RCVBUF:
			s->rcvbuf = MAX(MIN(v, 16 << 20), 256) * 2;
			return 0;
		case SO_SNDBUF:
			s->sndbuf = MAX(MIN(v, 16 << 20), 256) * 2;
			return 0;
		case SO_BROADCAST:
		case SO_DONTROUTE:
		case SO_OOBINLINE:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		if ((r = opt_int(val, len, &v)))
			return r;
		switch (name) {
		case TCP_NODELAY:
			s->nodelay = v != 0;
			break;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
			if (v < 1 || v > 32767)
				return -EINVAL;
			*(name == TCP_KEEPIDLE ? &s->keepidle_s
					       : &s->keepintvl_s) = v;
			break;
		case TCP_KEEPCNT:
			if (v < 1 || v > 127)
				return -EINVAL;
			s->keepcnt = v;
			break;
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_IP) {
		if ((r = opt_int(val, len, &v)))
			return r;
		if (name != IP_TOS)
			return -ENOPROTOOPT;
		s->tos = v & 0xff;
	} else {
		return -ENOPROTOOPT;
	}
	if (s->type == SOCK_STREAM)
		stream_apply_opts(s);
	else if (s->udp)
		s->udp->tos = s->tos;
	return 0;
}

static int put_int(void *val, socklen_t *len, int v)
{
	socklen_t n = MIN(*len, sizeof(int));
	memcpy(val, &v, n);
	*len = n;
	return 0;
}

int sock_getopt(struct sock *s, int level, int name, void *val, socklen_t *len)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR: {
			int e = s->err;
			s->err = 0;
			return put_int(val, len, e);
		}
		case SO_TYPE:
			return put_int(val, len, s->type);
		case SO_DOMAIN:
			return put_int(val, len, AF_INET);
		case SO_PROTOCOL:
			return put_int(val, len,
				       s->type == SOCK_STREAM ? IPPROTO_TCP
							      : IPPROTO_UDP);
		case SO_ACCEPTCONN:
			return put_int(val, len, s->state == SS_LISTEN);
		case SO_REUSEADDR:
			return put_int(val, len, s->reuseaddr);
		case SO_REUSEPORT:
			return put_int(val, len, 0);
		case SO_KEEPALIVE:
			return put_int(val, len, s->keepalive);
		case SO_RCVBUF:
			return put_int(val, len, s->rcvbuf);
		case SO_SNDBUF:
			return put_int(val, len, s->sndbuf);
		case SO_LINGER: {
			struct linger l = { s->linger_on, s->linger_s };
			socklen_t n = MIN(*len, sizeof(l));
			memcpy(val, &l, n);
			*len = n;
			return 0;
		}
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns
							  : s->sndtimeo_ns;
			struct timeval tv = { ns / 1000000000,
					      ns % 1000000000 / 1000 };
			socklen_t n = MIN(*len, sizeof(tv));
			memcpy(val, &tv, n);
			*len = n;
			return 0;
		}
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY:
			return put_int(val, len, s->nodelay);
		case TCP_KEEPIDLE:
			return put_int(val, len, s->keepidle_s);
		case TCP_KEEPINTVL:
			return put_int(val, len, s->keepintvl_s);
		case TCP_KEEPCNT:
			return put_int(val, len, s->keepcnt);
		case TCP_MAXSEG:
			return put_int(val, len,
				       s->tcp ? tcp_mss(s->tcp) : TCP_MSS);
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_IP && name == IP_TOS)
		return put_int(val, len, s->tos);
	return -ENOPROTOOPT;
}

/* ---- copying between iovecs and buffers ---- */

size_t iov_total(const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	for (int i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

void iov_to_buf(const struct iovec *iov, int iovcnt, size_t off, void *buf,
		size_t n)
{
	char *d = buf;
	for (int i = 0; i < iovcnt && n; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = MIN(n, iov[i].iov_len - off);
		memcpy(d, (char *)iov[i].iov_base + off, k);
		d += k;
		n -= k;
		off = 0;
	}
}

/* Copy n bytes of chain p from offset poff into the iovecs from offset
 * ioff; returns what was copied (less if either runs out). */
size_t pbuf_to_iov(const struct pbuf *p, size_t poff, const struct iovec *iov,
		   int iovcnt, size_t ioff, size_t n)
{
	size_t done = 0;
	int i = 0;
	while (i < iovcnt && ioff >= iov[i].iov_len)
		ioff -= iov[i++].iov_len;
	while (p && poff >= p->len) {
		poff -= p->len;
		p = p->next;
	}
	while (n && p && i < iovcnt) {
		size_t k = MIN(n, MIN(p->len - poff, iov[i].iov_len - ioff));
		memcpy((char *)iov[i].iov_base + ioff,
		       (char *)p->payload + poff, k);
		done += k;
		n -= k;
		poff += k;
		ioff += k;
		if (poff == p->len) {
			p = p->next;
			poff = 0;
		}
		if (ioff == iov[i].iov_len) {
			i++;
			ioff = 0;
		}
	}
	return done;
}
