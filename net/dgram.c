/*
 * Datagram sockets: UDP on lwIP's raw API. Received datagrams queue on
 * the socket with their sender, up to SO_RCVBUF bytes; past that they
 * are dropped, as Linux drops them. Sending copies the program's data
 * into one pbuf and hands it to lwIP at once: nothing waits to be sent.
 */
#include <errno.h>
#include <poll.h>

#include "net.h"
#include "lwip/udp.h"

#define UDP_MAX_PAYLOAD 65507 /* 65535 - IP header - UDP header */

struct sock_dgram {
	struct sock_dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	uint16_t port;
};

static void keep_local(struct sock *s)
{
	ip_addr_copy(s->local_ip, s->udp->local_ip);
	s->local_port = s->udp->local_port;
}

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		    const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;
	(void)pcb;
	struct sock_dgram *d = NULL;
	if (!s->shut_rd && s->rx_bytes + p->tot_len <= (size_t)s->rcvbuf)
		d = kmalloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq_head = d;
	s->dq_tail = d;
	s->rx_bytes += p->tot_len;
	sock_changed(s);
}

int dgram_init(struct sock *s)
{
	s->udp = udp_new();
	if (!s->udp)
		return -ENOMEM;
	udp_recv(s->udp, on_recv, s);
	return 0;
}

static void dq_pop(struct sock *s)
{
	struct sock_dgram *d = s->dq_head;
	s->dq_head = d->next;
	if (!s->dq_head)
		s->dq_tail = NULL;
	s->rx_bytes -= d->p->tot_len;
	pbuf_free(d->p);
	kfree(d);
}

void dgram_close(struct sock *s)
{
	if (s->udp)
		udp_remove(s->udp);
	s->udp = NULL;
	while (s->dq_head)
		dq_pop(s);
}

unsigned dgram_poll(struct sock *s)
{
	unsigned m = POLLOUT | POLLWRNORM;
	if (s->dq_head || s->shut_rd)
		m |= POLLIN | POLLRDNORM;
	if (s->err)
		m |= POLLERR;
	return m;
}

int dgram_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	if (s->reuseaddr)
		ip_set_option(s->udp, SOF_REUSEADDR);
	err_t e = udp_bind(s->udp, ip, port);
	if (e != ERR_OK)
		return e == ERR_USE ? -EADDRINUSE : -sock_errno(e);
	keep_local(s);
	return 0;
}

int dgram_connect(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	if (!ip) {
		udp_disconnect(s->udp);
		s->remote_port = 0;
		return 0;
	}
	err_t e = udp_connect(s->udp, ip, port);
	if (e != ERR_OK)
		return -sock_errno(e);
	s->bound = true;
	keep_local(s);
	ip_addr_copy(s->remote_ip, *ip);
	s->remote_port = port;
	return 0;
}

long dgram_send(struct sock *s, const struct iovec *iov, int iovcnt,
		const ip_addr_t *ip, uint16_t port, bool nonblock)
{
	(void)nonblock; /* nothing waits: lwIP takes it or refuses */
	if (s->shut_wr)
		return -EPIPE;
	if (!ip && !s->remote_port)
		return -EDESTADDRREQ;
	size_t total = iov_total(iov, iovcnt);
	if (total > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)total, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	iov_to_buf(iov, iovcnt, 0, p->payload, total);
	err_t e = ip ? udp_sendto(s->udp, p, ip, port) : udp_send(s->udp, p);
	pbuf_free(p);
	keep_local(s); /* an implicit bind gave it a port */
	s->bound = true;
	if (e != ERR_OK)
		return -sock_errno(e);
	net_loop_flush();
	return total;
}

long dgram_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		ip_addr_t *ip, uint16_t *port, bool nonblock, int *msg_flags)
{
	uint64_t deadline = s->rcvtimeo_ns ? now_ns() + s->rcvtimeo_ns : 0;
	while (!s->dq_head) {
		if (s->shut_rd)
			return 0;
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		if (nonblock)
			return -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return r;
	}
	struct sock_dgram *d = s->dq_head;
	size_t len = d->p->tot_len, room = iov_total(iov, iovcnt);
	size_t n = pbuf_to_iov(d->p, 0, iov, iovcnt, 0, MIN(len, room));
	if (len > room)
		*msg_flags |= MSG_TRUNC;
	ip_addr_copy(*ip, d->from);
	*port = d->port;
	if (!(flags & MSG_PEEK))
		dq_pop(s);
	return (flags & MSG_TRUNC) ? (long)len : (long)n;
}

long dgram_nread(struct sock *s)
{
	return s->dq_head ? s->dq_head->p->tot_len : 0;
}
