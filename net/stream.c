/*
 * Stream sockets: TCP on lwIP's raw API. lwIP calls back (recv, sent,
 * err, accept, connected) in kernel context, from the net thread or from
 * a socket call delivering loopback traffic; the callbacks only queue and
 * change state, then sock_changed() wakes whoever waits. Received data
 * stays in lwIP's pbufs until read, and the window opens (tcp_recved) as
 * the program reads: a slow reader slows its sender, as on Linux.
 *
 * Once lwIP has called err, the pcb is gone (s->tcp is NULL): the
 * socket is SS_CLOSED with the error waiting in s->err.
 */
#include <errno.h>
#include <poll.h>

#include "net.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

#define ACCEPT_MAX 4096 /* SOMAXCONN */

/* The receive queue: pbufs linked through next (chains as lwIP gave
 * them, one after another), each freed alone once read; tot_len is not
 * kept across the queue. rxq_tail is its last pbuf. */
static void rx_append(struct sock *s, struct pbuf *p)
{
	if (s->rxq)
		s->rxq_tail->next = p;
	else
		s->rxq = p;
	while (p->next)
		p = p->next;
	s->rxq_tail = p;
}

static void keep_addrs(struct sock *s)
{
	if (!s->tcp)
		return;
	ip_addr_copy(s->local_ip, s->tcp->local_ip);
	s->local_port = s->tcp->local_port;
	if (s->state != SS_LISTEN) {
		ip_addr_copy(s->remote_ip, s->tcp->remote_ip);
		s->remote_port = s->tcp->remote_port;
	}
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;
	(void)err;
	if (!p) {
		s->rx_eof = true;
		sock_changed(s);
		return ERR_OK;
	}
	if (s->shut_rd) { /* shutdown(SHUT_RD): dropped, window kept open */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	s->rx_bytes += p->tot_len;
	rx_append(s, p);
	sock_changed(s);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	sock_changed(arg);
	return ERR_OK;
}

/* The pcb is gone: lwIP freed it after a reset, a timeout or our abort. */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;
	if (!s)
		return;
	bool connecting = s->state == SS_CONNECTING;
	s->tcp = NULL;
	s->state = SS_CLOSED;
	s->rx_eof = true;
	if (err == ERR_RST)
		s->err = connecting ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		s->err = ETIMEDOUT; /* retransmissions or keepalives gave up */
	else if (err != ERR_CLSD)
		s->err = sock_errno(err);
	sock_changed(s);
}

static void set_callbacks(struct sock *s, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

static void drop_callbacks(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL); /* lwIP's default drops data, closes on FIN */
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

void stream_apply_opts(struct sock *s)
{
	struct tcp_pcb *pcb = s->tcp;
	if (!pcb)
		return;
	if (s->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	pcb->tos = s->tos;
	if (s->state == SS_LISTEN)
		return; /* a listening pcb has no more: children inherit */
	if (s->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (s->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	pcb->keep_idle = (u32_t)s->keepidle_s * 1000;
	pcb->keep_intvl = (u32_t)s->keepintvl_s * 1000;
	pcb->keep_cnt = (u32_t)s->keepcnt;
}

int stream_init(struct sock *s)
{
	s->tcp = tcp_new();
	if (!s->tcp)
		return -ENOMEM;
	set_callbacks(s, s->tcp);
	return 0;
}

static void rx_drop(struct sock *s)
{
	while (s->rxq) {
		struct pbuf *p = s->rxq;
		s->rxq = p->next;
		p->next = NULL;
		pbuf_free(p);
	}
	s->rx_bytes = 0;
	s->rx_off = 0;
}

void stream_close(struct sock *s)
{
	if (s->state == SS_LISTEN) {
		/* Connections nobody accepted are reset, as on Linux. */
		while (s->acceptq) {
			struct sock *c = s->acceptq;
			s->acceptq = c->acceptq;
			c->linger_on = true;
			c->linger_s = 0;
			stream_close(c);
			kfree(c);
		}
	}
	struct tcp_pcb *pcb = s->tcp;
	s->tcp = NULL;
	/* Unread data is dropped without opening the window, so lwIP's
	 * close answers it with a reset, as Linux does. */
	rx_drop(s);
	if (!pcb)
		return;
	if (s->state == SS_LISTEN) {
		tcp_arg(pcb, NULL);
		tcp_accept(pcb, NULL);
		tcp_close(pcb); /* never fails for a listening pcb */
		return;
	}
	drop_callbacks(pcb);
	if (s->linger_on && s->linger_s == 0) {
		tcp_abort(pcb); /* SO_LINGER 0: reset */
		return;
	}
	/* Graceful: lwIP keeps the pcb through FIN_WAIT and TIME_WAIT. It
	 * fails only for want of memory for the FIN: then a reset. */
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
	else
		tcp_output(pcb);
}

unsigned stream_poll(struct sock *s)
{
	unsigned m = s->err ? POLLERR : 0;
	switch (s->state) {
	case SS_NEW:
		return m | POLLOUT | POLLWRNORM | POLLHUP;
	case SS_LISTEN:
		return m | (s->acceptq ? POLLIN | POLLRDNORM : 0);
	case SS_CONNECTING:
		return m;
	case SS_CLOSED:
		return m | POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP | POLLOUT |
		       POLLWRNORM;
	case SS_CONNECTED:
		break;
	}
	if (s->rx_bytes || s->rx_eof || s->shut_rd)
		m |= POLLIN | POLLRDNORM;
	if (s->rx_eof)
		m |= POLLRDHUP;
	if (s->shut_wr)
		m |= POLLOUT | POLLWRNORM; /* a write fails at once */
	else if (s->tcp && s->tcp->snd_buf >= TCP_SNDLOWAT &&
		 s->tcp->snd_queuelen < TCP_SNDQUEUELOWAT)
		m |= POLLOUT | POLLWRNORM;
	if (s->rx_eof && s->shut_wr)
		m |= POLLHUP;
	return m;
}

int stream_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	if (!s->tcp || s->state != SS_NEW)
		return -EINVAL;
	err_t e = tcp_bind(s->tcp, ip, port);
	if (e != ERR_OK)
		return e == ERR_USE ? -EADDRINUSE : -sock_errno(e);
	keep_addrs(s);
	return 0;
}

/* An established connection for a listener: a socket of its own, queued
 * until accept. Data that arrives before accept waits in it. */
static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg;
	if (err != ERR_OK || !pcb || !l)
		return ERR_VAL;
	if (l->naccept >= l->backlog)
		return ERR_MEM; /* lwIP resets it */
	struct sock *c = kmalloc(sizeof(*c));
	if (!c)
		return ERR_MEM;
	*c = (struct sock){
		.type = SOCK_STREAM,
		.state = SS_CONNECTED,
		.tcp = pcb,
		.bound = true,
		/* Options a child inherits, as on Linux. */
		.reuseaddr = l->reuseaddr,
		.nodelay = l->nodelay,
		.keepalive = l->keepalive,
		.linger_on = l->linger_on,
		.linger_s = l->linger_s,
		.tos = l->tos,
		.keepidle_s = l->keepidle_s,
		.keepintvl_s = l->keepintvl_s,
		.keepcnt = l->keepcnt,
		.rcvbuf = l->rcvbuf,
		.sndbuf = l->sndbuf,
		.rcvtimeo_ns = l->rcvtimeo_ns,
		.sndtimeo_ns = l->sndtimeo_ns,
	};
	set_callbacks(c, pcb);
	stream_apply_opts(c);
	keep_addrs(c);
	struct sock **pp = &l->acceptq; /* the queue, linked by acceptq */
	while (*pp)
		pp = &(*pp)->acceptq;
	*pp = c;
	l->naccept++;
	sock_changed(l);
	return ERR_OK;
}

int sock_listen(struct sock *s, int backlog)
{
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	backlog = backlog < 1 ? 1 : MIN(backlog, ACCEPT_MAX);
	if (s->state == SS_LISTEN) {
		s->backlog = backlog;
		return 0;
	}
	if (s->state != SS_NEW || !s->tcp)
		return -EINVAL;
	if (!s->bound) {
		int r = stream_bind(s, IP4_ADDR_ANY, 0);
		if (r)
			return r;
		s->bound = true;
	}
	/* lwIP's own backlog (a u8_t) bounds half-open connections only;
	 * the accept queue below is bounded by the program's backlog. */
	err_t e;
	struct tcp_pcb *l = tcp_listen_with_backlog_and_err(s->tcp, 255, &e);
	if (!l)
		return e == ERR_USE ? -EADDRINUSE : -sock_errno(e);
	s->tcp = l; /* lwIP freed the old pcb */
	s->state = SS_LISTEN;
	s->backlog = backlog;
	tcp_arg(l, s);
	tcp_accept(l, on_accept);
	keep_addrs(s);
	return 0;
}

int sock_accept(struct sock *s, struct sock **out, bool nonblock)
{
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (s->state != SS_LISTEN)
		return -EINVAL;
	uint64_t deadline = s->rcvtimeo_ns ? now_ns() + s->rcvtimeo_ns : 0;
	while (!s->acceptq) {
		if (nonblock)
			return -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return r;
		if (s->state != SS_LISTEN)
			return -EINVAL;
	}
	struct sock *c = s->acceptq;
	s->acceptq = c->acceptq;
	c->acceptq = NULL;
	s->naccept--;
	*out = c;
	return 0;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;
	(void)pcb;
	(void)err; /* always ERR_OK: failures come through on_err */
	s->state = SS_CONNECTED;
	keep_addrs(s);
	sock_changed(s);
	return ERR_OK;
}

int stream_connect(struct sock *s, const ip_addr_t *ip, uint16_t port,
		   bool nonblock)
{
	switch (s->state) {
	case SS_CONNECTING:
		if (nonblock)
			return -EALREADY;
		break;
	case SS_CONNECTED:
	case SS_LISTEN:
		return -EISCONN;
	case SS_CLOSED:
		/* A connection that failed or ended may be tried again, as
		 * on Linux: on a new pcb. */
		rx_drop(s);
		s->tcp = tcp_new();
		if (!s->tcp)
			return -ENOMEM;
		set_callbacks(s, s->tcp);
		s->state = SS_NEW;
		s->rx_eof = false;
		s->err = 0;
		s->bound = false;
		stream_apply_opts(s);
		/* fall through */
	case SS_NEW: {
		ip_addr_t here = IPADDR4_INIT_BYTES(127, 0, 0, 1);
		if (ip_addr_isany(ip)) /* Linux: INADDR_ANY means this host */
			ip = &here;
		err_t e = tcp_connect(s->tcp, ip, port, on_connected);
		if (e != ERR_OK)
			return e == ERR_USE ? -EADDRNOTAVAIL : -sock_errno(e);
		s->state = SS_CONNECTING;
		s->bound = true;
		keep_addrs(s);
		net_loop_flush();
		/* Even when loopback has finished the handshake already:
		 * programs written for Linux expect it, and poll and
		 * SO_ERROR tell them the rest. */
		if (nonblock)
			return -EINPROGRESS;
		break;
	}
	}
	uint64_t deadline = s->sndtimeo_ns ? now_ns() + s->sndtimeo_ns : 0;
	while (s->state == SS_CONNECTING) {
		int r = sock_wait(s, deadline);
		if (r) /* Linux: EINPROGRESS at SO_SNDTIMEO */
			return r == -EAGAIN ? -EINPROGRESS : r;
	}
	if (s->state == SS_CONNECTED)
		return 0;
	int e = s->err ? s->err : ECONNREFUSED;
	s->err = 0;
	return -e;
}

/* The error a call reports once the connection is gone: the pending one
 * (taken), else what Linux says for a dead stream. */
static int dead_err(struct sock *s, int otherwise)
{
	int e = s->err;
	s->err = 0;
	return -(e ? e : otherwise);
}

long stream_send(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		 bool nonblock)
{
	if (s->state == SS_CLOSED)
		return dead_err(s, EPIPE);
	if (s->state != SS_CONNECTED)
		return -ENOTCONN;
	if (s->shut_wr)
		return -EPIPE;
	size_t total = iov_total(iov, iovcnt), sent = 0;
	uint64_t deadline = s->sndtimeo_ns ? now_ns() + s->sndtimeo_ns : 0;
	int vi = 0;
	size_t voff = 0;
	while (sent < total) {
		struct tcp_pcb *pcb = s->tcp;
		if (!pcb || s->state != SS_CONNECTED || s->shut_wr)
			return sent ? (long)sent : dead_err(s, EPIPE);
		size_t room = tcp_sndbuf(pcb);
		if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 1)
			room = 0;
		size_t done = 0;
		while (room && vi < iovcnt) {
			size_t k = MIN(room, iov[vi].iov_len - voff);
			if (!k) {
				vi++;
				voff = 0;
				continue;
			}
			/* MORE: lwIP need not push until the last piece. */
			u8_t f = TCP_WRITE_FLAG_COPY;
			if (sent + done + k < total || (flags & MSG_MORE))
				f |= TCP_WRITE_FLAG_MORE;
			err_t e =
				tcp_write(pcb, (char *)iov[vi].iov_base + voff,
					  (u16_t)k, f);
			if (e == ERR_MEM)
				break; /* out of segments: wait for acks */
			if (e != ERR_OK)
				return sent + done ? (long)(sent + done)
						   : -sock_errno(e);
			done += k;
			room -= k;
			voff += k;
			if (voff == iov[vi].iov_len) {
				vi++;
				voff = 0;
			}
		}
		sent += done;
		tcp_output(pcb);
		net_loop_flush();
		if (sent == total || done)
			continue;
		if (nonblock)
			return sent ? (long)sent : -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return sent ? (long)sent : r;
	}
	return sent;
}

/* Take n bytes off the front of the receive queue and open the window. */
static void rx_consume(struct sock *s, size_t n)
{
	s->rx_bytes -= n;
	size_t win = n;
	while (n) {
		struct pbuf *p = s->rxq;
		size_t left = p->len - s->rx_off;
		if (n < left) {
			s->rx_off += n;
			break;
		}
		n -= left;
		s->rxq = p->next;
		p->next = NULL;
		pbuf_free(p);
		s->rx_off = 0;
	}
	while (s->tcp && win) {
		u16_t k = (u16_t)MIN(win, 0xffff);
		tcp_recved(s->tcp, k);
		win -= k;
	}
}

long stream_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		 bool nonblock)
{
	if (s->state == SS_NEW || s->state == SS_LISTEN)
		return -ENOTCONN;
	size_t total = iov_total(iov, iovcnt), got = 0;
	uint64_t deadline = s->rcvtimeo_ns ? now_ns() + s->rcvtimeo_ns : 0;
	bool all = (flags & MSG_WAITALL) && !(flags & MSG_PEEK);
	while (total) {
		if (s->rx_bytes) {
			size_t n = pbuf_to_iov(s->rxq, s->rx_off, iov, iovcnt,
					       got, total - got);
			if (flags & MSG_PEEK)
				return n;
			rx_consume(s, n);
			got += n;
			if (got == total || !all)
				break;
			continue;
		}
		if (s->err && !got)
			return dead_err(s, 0);
		if (s->rx_eof || s->shut_rd || s->state == SS_CLOSED || s->err)
			break;
		if (nonblock) {
			if (!got)
				return -EAGAIN;
			break;
		}
		int r = sock_wait(s, deadline);
		if (r) {
			if (!got)
				return r;
			break;
		}
	}
	if (got && s->tcp)
		tcp_output(s->tcp); /* a window update, if one is due */
	net_loop_flush();
	return got;
}

int stream_shutdown(struct sock *s, int how)
{
	if (s->state != SS_CONNECTED)
		return -ENOTCONN;
	if (how != SHUT_WR && !s->shut_rd) {
		s->shut_rd = true;
		size_t n = s->rx_bytes;
		rx_drop(s);
		while (s->tcp && n) {
			u16_t k = (u16_t)MIN(n, 0xffff);
			tcp_recved(s->tcp, k);
			n -= k;
		}
	}
	if (how != SHUT_RD && !s->shut_wr) {
		s->shut_wr = true;
		if (s->tcp) {
			err_t e = tcp_shutdown(s->tcp, 0, 1);
			if (e != ERR_OK && e != ERR_CONN)
				return -sock_errno(e);
			if (s->tcp)
				tcp_output(s->tcp);
		}
	}
	net_loop_flush();
	sock_changed(s);
	return 0;
}

void stream_netdown(const ip4_addr_t *addr)
{
	struct tcp_pcb *pcb = tcp_active_pcbs;
	while (pcb) {
		struct tcp_pcb *next = pcb->next;
		struct sock *s = pcb->callback_arg;
		if (ip4_addr_cmp(ip_2_ip4(&pcb->local_ip), addr)) {
			if (s) {
				drop_callbacks(pcb);
				s->tcp = NULL;
				s->state = SS_CLOSED;
				s->rx_eof = true;
				s->err = ENETDOWN;
				sock_changed(s);
			}
			tcp_abort(pcb);
		}
		pcb = next;
	}
}
