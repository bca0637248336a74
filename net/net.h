/*
 * net/: the network: lwIP (Debian's 2.1.3, NO_SYS=1) and its glue, the
 * interfaces (loopback, netfront through a driver's ops), and sockets.
 * Declarations grouped by the file that implements them. Everything here
 * runs in kernel context (interrupts off: big_lock); lwIP is called only
 * from there, never from an interrupt handler.
 *
 * net/ may include kern/, arch/ and lwIP's headers; the syscall layer
 * (sys/sys_net.c) turns a struct sock into a file.
 */
#ifndef ATMAN_NET_H
#define ATMAN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "kern/kern.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

struct tcp_pcb;
struct udp_pcb;
struct netif;

/* net.c: starting the stack, the net thread, interfaces */
/* Start lwIP, loopback and the net thread, once; 0 or -errno. */
int net_start(void);
extern bool net_started;
/* Deliver what loopback has queued (after a send in kernel context). */
void net_loop_flush(void);
/* A device has work for the net thread (interrupt context is fine): it
 * polls every attached netdev (kern/netdev.c). */
void net_kick(void);
/* Is any interface other than loopback up (has an address)? */
bool net_any_up(void);

/* netif.c: an interface on each network device; addresses */
struct net_config {
	ip4_addr_t ip, mask, gw, dns;
	char hostname[64];
	bool is_static; /* atman.ip given */
	bool up;	/* an address, static or from DHCP */
	const char *error;
};
extern struct net_config net_config;
/* atman.ip= and atman.hostname= from the command line: 0, or -EINVAL
 * with net_config.error saying why. */
int net_configure(const struct cmdline *c);
/* Interfaces up, DHCP waited for; in the first thread, before main. */
void net_boot(void);

/* csum.c: checksum offload on the way out. For a frame in pieces going
 * to a NETDEV_F_TX_CSUM device: an IPv4 TCP or UDP frame (not a
 * fragment) gets the pseudo-header's sum in its checksum field and 1 is
 * returned (send it NETDEV_TX_CSUM_PARTIAL); anything else, 0. */
int net_csum_offload(void *const *frag, const size_t *len, int nfrag);

/* etc.c: /etc/resolv.conf and /etc/hosts from the configuration: the
 * length written into buf (NUL-terminated), or -ENOENT for other paths */
long net_etc_file(const char *path, char *buf, size_t room);

/* sys_arch.c: what lwIP needs from the kernel */
void *net_mem_alloc(size_t n);
void *net_mem_calloc(size_t count, size_t size);
void net_mem_free(void *p);
uint32_t net_random32(void);

/* sock.c, stream.c, dgram.c: sockets. A struct sock belongs to one file;
 * sys/sys_net.c checks the program's pointers before calling here, so
 * buffers and addresses below are safe to touch. Every call returns a
 * result or -errno, as Linux does. */
enum sock_state {
	SS_NEW,	       /* not connected, not listening */
	SS_LISTEN,     /* stream: listening */
	SS_CONNECTING, /* stream: SYN sent */
	SS_CONNECTED,  /* stream: established (maybe half-closed) */
	SS_CLOSED,     /* stream: the connection is gone (reset, closed) */
};

struct sock_dgram; /* a queued datagram (dgram.c) */

struct sock {
	int type; /* SOCK_STREAM or SOCK_DGRAM */
	enum sock_state state;
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	};
	int err;      /* pending error for SO_ERROR and the next call */
	bool rx_eof;  /* stream: the peer sent FIN */
	bool shut_rd; /* shutdown(SHUT_RD) */
	bool shut_wr; /* shutdown(SHUT_WR) or FIN sent */
	bool bound;   /* bind, or an implicit one */
	bool reuseaddr;
	bool nodelay;
	bool keepalive;
	bool linger_on;
	int linger_s;
	int tos;
	int keepidle_s, keepintvl_s, keepcnt;
	int rcvbuf, sndbuf;		   /* SO_RCVBUF, SO_SNDBUF as set */
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: none */
	/* Received data: a stream's pbufs (first one partly read at
	 * rx_off), or a datagram socket's queue. */
	struct pbuf *rxq, *rxq_tail;
	uint16_t rx_off;
	size_t rx_bytes;
	struct sock_dgram *dq_head, *dq_tail;
	/* Listening: established connections not yet accepted, linked
	 * through their own acceptq (which in a child means "next"). */
	struct sock *acceptq;
	int backlog, naccept;
	/* Kept when the pcb goes away: getsockname/getpeername still work. */
	ip_addr_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	/* Waiters in this socket's calls, and the file layer's hook, told
	 * whenever readiness may have changed. */
	struct waitq wait;
	void (*notify)(void *ctx);
	void *notify_ctx;
};

/* sock.c: the common part */
int sock_create(int family, int type, int protocol, struct sock **out);
void sock_close(struct sock *s);
unsigned sock_poll(struct sock *s); /* POLLIN|POLLOUT|POLLERR|... now */
void sock_changed(struct sock *s);  /* wake waiters, tell the file layer */
/* Wait for the socket to change, until the deadline (0: none): 0, or
 * -EAGAIN at the deadline, -ERESTARTSYS for a signal. */
int sock_wait(struct sock *s, uint64_t deadline);
int sock_bind(struct sock *s, const struct sockaddr *a, socklen_t len);
int sock_connect(struct sock *s, const struct sockaddr *a, socklen_t len,
		 bool nonblock);
int sock_name(struct sock *s, struct sockaddr *a, socklen_t *len, bool peer);
int sock_setopt(struct sock *s, int level, int name, const void *val,
		socklen_t len);
int sock_getopt(struct sock *s, int level, int name, void *val, socklen_t *len);
long sock_nread(struct sock *s); /* FIONREAD */
/* Send and receive with Linux's flags (MSG_DONTWAIT, MSG_PEEK,
 * MSG_WAITALL, MSG_NOSIGNAL, ...); addr/alen for datagrams. */
long sock_send(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
	       const struct sockaddr *a, socklen_t alen, bool nonblock);
long sock_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
	       struct sockaddr *a, socklen_t *alen, bool nonblock,
	       int *msg_flags);
int sock_shutdown(struct sock *s, int how);
int sock_listen(struct sock *s, int backlog);
int sock_accept(struct sock *s, struct sock **out, bool nonblock);
/* Linux's errno for an lwIP err_t. */
int sock_errno(int8_t err);
int sock_addr_in(const struct sockaddr *a, socklen_t len, ip_addr_t *ip,
		 uint16_t *port);
void sock_addr_out(const ip_addr_t *ip, uint16_t port, struct sockaddr *a,
		   socklen_t *len);
/* Copy between iovecs and pbufs: n bytes at iovec offset off. */
size_t iov_total(const struct iovec *iov, int iovcnt);
void iov_to_buf(const struct iovec *iov, int iovcnt, size_t off, void *buf,
		size_t n);
size_t pbuf_to_iov(const struct pbuf *p, size_t poff, const struct iovec *iov,
		   int iovcnt, size_t ioff, size_t n);

/* stream.c: TCP */
int stream_init(struct sock *s);
void stream_close(struct sock *s);
unsigned stream_poll(struct sock *s);
int stream_bind(struct sock *s, const ip_addr_t *ip, uint16_t port);
int stream_connect(struct sock *s, const ip_addr_t *ip, uint16_t port,
		   bool nonblock);
long stream_send(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		 bool nonblock);
long stream_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		 bool nonblock);
int stream_shutdown(struct sock *s, int how);
void stream_apply_opts(struct sock *s);
/* An interface with this address went down: its connections are reset
 * with ENETDOWN. */
void stream_netdown(const ip4_addr_t *addr);

/* dgram.c: UDP */
int dgram_init(struct sock *s);
void dgram_close(struct sock *s);
unsigned dgram_poll(struct sock *s);
int dgram_bind(struct sock *s, const ip_addr_t *ip, uint16_t port);
int dgram_connect(struct sock *s, const ip_addr_t *ip, uint16_t port);
long dgram_send(struct sock *s, const struct iovec *iov, int iovcnt,
		const ip_addr_t *ip, uint16_t port, bool nonblock);
long dgram_recv(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
		ip_addr_t *ip, uint16_t *port, bool nonblock, int *msg_flags);
long dgram_nread(struct sock *s);

#endif
