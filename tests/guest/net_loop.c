/*
 * Sockets over loopback (127.0.0.1), inside the guest: TCP echo with a
 * server thread and a checksum, UDP, poll waking on data, connection,
 * space and hang-up, non-blocking connect, half-close, reset by
 * SO_LINGER 0, and Linux's error numbers. Each check prints a line; a
 * failed one prints FAIL and the program exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);            \
			printf(__VA_ARGS__);                                   \
			printf(" (errno %d %s)\n", errno, strerror(errno));    \
			failures++;                                            \
		}                                                              \
	} while (0)

static struct sockaddr_in loop_addr(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = loop_addr(port);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		perror("listener");
		exit(1);
	}
	return s;
}

static int connect_to(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loop_addr(port);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	return s;
}

/* ---- TCP echo of 4 MiB through a server thread ---- */

#define ECHO_BYTES (4u << 20)

static void *echo_server(void *arg)
{
	int l = *(int *)arg;
	int c = accept(l, NULL, NULL);
	char buf[16384];
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, n - off);
			if (w <= 0)
				return NULL;
			off += w;
		}
	}
	close(c);
	return NULL;
}

static uint32_t mix(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void *echo_writer(void *arg)
{
	int c = *(int *)arg;
	unsigned char buf[10000];
	uint32_t x = 12345;
	for (size_t sent = 0; sent < ECHO_BYTES;) {
		size_t k = sizeof(buf) < ECHO_BYTES - sent ? sizeof(buf)
							   : ECHO_BYTES - sent;
		for (size_t i = 0; i < k; i++) {
			x = x * 1103515245 + 12345;
			buf[i] = x >> 16;
		}
		ssize_t w = send(c, buf, k, 0);
		if (w <= 0)
			return (void *)1;
		sent += w;
		if ((size_t)w < k) /* short: resend the rest next round */
			return (void *)2;
	}
	shutdown(c, SHUT_WR);
	return NULL;
}

static void test_echo(void)
{
	int l = listener(7001);
	pthread_t srv, wr;
	pthread_create(&srv, NULL, echo_server, &l);
	int c = connect_to(7001);
	pthread_create(&wr, NULL, echo_writer, &c);
	/* The expected checksum, from the same generator. */
	uint32_t x = 12345, want = 2166136261u;
	for (size_t i = 0; i < ECHO_BYTES; i++) {
		x = x * 1103515245 + 12345;
		unsigned char b = x >> 16;
		want = mix(want, &b, 1);
	}
	uint32_t got = 2166136261u;
	size_t total = 0;
	char buf[7000];
	ssize_t n;
	while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
		got = mix(got, (unsigned char *)buf, n);
		total += n;
	}
	void *wret;
	pthread_join(wr, &wret);
	pthread_join(srv, NULL);
	CHECK(n == 0 && total == ECHO_BYTES && got == want && !wret,
	      "echo: %zu bytes, checksum %08x want %08x", total, got, want);
	printf("tcp echo: %zu bytes, checksum %s\n", total,
	       got == want ? "ok" : "WRONG");
	close(c);
	close(l);
}

/* ---- errors ---- */

static void test_errors(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loop_addr(7999);
	errno = 0;
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == -1 && errno == ECONNREFUSED, "refused: %d", r);
	printf("connect to a closed port: %s\n", strerror(errno));
	close(s);

	int l = listener(7002);
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = loop_addr(7002);
	r = bind(s, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == -1 && errno == EADDRINUSE, "bind twice: %d", r);
	printf("bind to a port in use: %s\n", strerror(errno));
	close(s);
	close(l);

	char c;
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(recv(s, &c, 1, 0) == -1 && errno == ENOTCONN, "recv unconnected");
	CHECK(send(s, &c, 1, 0) == -1 && errno == ENOTCONN, "send unconnected");
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	CHECK(getpeername(s, (struct sockaddr *)&peer, &plen) == -1 &&
		      errno == ENOTCONN,
	      "getpeername unconnected");
	close(s);
	CHECK(socket(AF_INET, SOCK_RAW, 0) == -1, "raw socket");
	CHECK(write(99, &c, 1) == -1 && errno == EBADF, "bad fd");
	CHECK(accept(1, NULL, NULL) == -1 && errno == ENOTSOCK, "not a socket");
	printf("errors ok\n");
}

/* ---- non-blocking connect, poll, SO_ERROR, accept4 ---- */

static void *late_write(void *arg)
{
	usleep(50000);
	write(*(int *)arg, "late", 4);
	return NULL;
}

static void test_nonblocking(void)
{
	int l = listener(7003);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = loop_addr(7003);
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == -1 && errno == EINPROGRESS, "nonblocking connect: %d", r);
	struct pollfd p = { s, POLLOUT, 0 };
	r = poll(&p, 1, 5000);
	CHECK(r == 1 && (p.revents & POLLOUT), "poll for connect: %d", r);
	int err = -1;
	socklen_t len = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	CHECK(err == 0, "SO_ERROR %d", err);
	printf("non-blocking connect: EINPROGRESS, then writable, SO_ERROR "
	       "0\n");

	struct pollfd lp = { l, POLLIN, 0 };
	CHECK(poll(&lp, 1, 5000) == 1, "listener readable");
	int c = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(c >= 0 && (fcntl(c, F_GETFL) & O_NONBLOCK), "accept4 nonblock");
	char buf[100];
	CHECK(read(c, buf, sizeof(buf)) == -1 && errno == EAGAIN, "EAGAIN");
	fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK);
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN, "accept EAGAIN");
	write(s, "hello", 5);
	struct pollfd cp = { c, POLLIN, 0 };
	CHECK(poll(&cp, 1, 5000) == 1 && (cp.revents & POLLIN), "data wakes");
	int avail = 0;
	ioctl(c, FIONREAD, &avail);
	CHECK(avail == 5, "FIONREAD %d", avail);
	CHECK(recv(c, buf, 3, MSG_PEEK) == 3 && !memcmp(buf, "hel", 3), "peek");
	CHECK(read(c, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "read after peek");
	printf("poll wakes on connection and data; FIONREAD, MSG_PEEK ok\n");

	/* epoll: a thread asleep in epoll_wait wakes for data on a socket. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0, "epoll_ctl");
	struct epoll_event got[4];
	CHECK(epoll_wait(ep, got, 4, 0) == 0, "epoll: nothing yet");
	pthread_t wt;
	pthread_create(&wt, NULL, late_write, &s);
	int ne = epoll_wait(ep, got, 4, 5000);
	CHECK(ne == 1 && got[0].data.fd == c && (got[0].events & EPOLLIN),
	      "epoll woke: %d", ne);
	pthread_join(wt, NULL);
	CHECK(read(c, buf, sizeof(buf)) == 4, "the late data");
	close(ep);
	printf("epoll wakes on data\n");

	/* Fill the pipe: EAGAIN, then poll wakes when the reader drains. */
	static char big[65536];
	size_t queued = 0;
	for (;;) {
		ssize_t w = send(s, big, sizeof(big), MSG_DONTWAIT);
		if (w < 0)
			break;
		queued += w;
	}
	CHECK(errno == EAGAIN && queued > 0, "send fills: %zu", queued);
	struct pollfd sp = { s, POLLOUT, 0 };
	CHECK(poll(&sp, 1, 0) == 0, "full: not writable");
	size_t drained = 0;
	while (drained < queued) {
		ssize_t n = read(c, big, sizeof(big));
		if (n <= 0)
			break;
		drained += n;
	}
	CHECK(drained == queued, "drained %zu of %zu", drained, queued);
	CHECK(poll(&sp, 1, 5000) == 1 && (sp.revents & POLLOUT), "writable");
	printf("send buffer filled (%s), writable again after the drain\n",
	       queued >= 256 * 1024 ? ">= 256 KiB" : "< 256 KiB");

	/* Half-close: the reader sees EOF, can still write back. */
	shutdown(s, SHUT_WR);
	CHECK(poll(&cp, 1, 5000) == 1, "EOF wakes");
	CHECK(read(c, buf, sizeof(buf)) == 0, "EOF");
	CHECK(write(c, "back", 4) == 4, "write after peer's FIN");
	struct pollfd rp = { s, POLLIN, 0 };
	poll(&rp, 1, 5000);
	CHECK(read(s, buf, sizeof(buf)) == 4, "half-closed still reads");
	close(c);
	poll(&rp, 1, 5000);
	CHECK(read(s, buf, sizeof(buf)) == 0, "then EOF");
	printf("half-close ok\n");
	close(s);
	close(l);
}

/* ---- reset with SO_LINGER 0 ---- */

static volatile int sigpipes;
static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void test_reset(void)
{
	int l = listener(7004);
	int s = connect_to(7004);
	int c = accept(l, NULL, NULL);
	struct linger lg = { 1, 0 };
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	char buf[10];
	struct pollfd p = { s, POLLIN, 0 };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & (POLLHUP | POLLERR)),
	      "reset wakes: %x", p.revents);
	CHECK(read(s, buf, sizeof(buf)) == -1 && errno == ECONNRESET,
	      "ECONNRESET");
	printf("SO_LINGER 0: the peer gets %s\n", strerror(errno));
	signal(SIGPIPE, on_sigpipe);
	CHECK(write(s, buf, 1) == -1 && errno == EPIPE, "EPIPE after reset");
	CHECK(sigpipes == 1, "SIGPIPE: %d", sigpipes);
	CHECK(send(s, buf, 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "EPIPE");
	CHECK(sigpipes == 1, "MSG_NOSIGNAL: %d", sigpipes);
	printf("then EPIPE with SIGPIPE, none with MSG_NOSIGNAL\n");
	signal(SIGPIPE, SIG_IGN);
	close(s);
	close(l);
}

/* ---- UDP ---- */

static void test_udp(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in aa = loop_addr(7005), ba = loop_addr(0);
	CHECK(bind(a, (struct sockaddr *)&aa, sizeof(aa)) == 0, "bind udp");
	bind(b, (struct sockaddr *)&ba, sizeof(ba));
	socklen_t len = sizeof(ba);
	getsockname(b, (struct sockaddr *)&ba, &len);
	CHECK(ntohs(ba.sin_port) != 0, "ephemeral port");
	int got = 0;
	char buf[2000];
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "datagram %d", i);
		sendto(b, buf, strlen(buf) + 1, 0, (struct sockaddr *)&aa,
		       sizeof(aa));
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(a, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		char want[32];
		snprintf(want, sizeof(want), "datagram %d", i);
		if (n > 0 && !strcmp(buf, want) && from.sin_port == ba.sin_port)
			got++;
	}
	CHECK(got == 1000, "udp: %d of 1000", got);
	printf("udp: %d of 1000 datagrams, sender's address right\n", got);
	/* A big one, truncated on a small read. */
	static char big[60000];
	memset(big, 'x', sizeof(big));
	CHECK(sendto(b, big, sizeof(big), 0, (struct sockaddr *)&aa,
		     sizeof(aa)) == sizeof(big),
	      "60000-byte datagram");
	struct msghdr m = { 0 };
	struct iovec v = { buf, 100 };
	m.msg_iov = &v;
	m.msg_iovlen = 1;
	ssize_t n = recvmsg(a, &m, 0);
	CHECK(n == 100 && (m.msg_flags & MSG_TRUNC), "truncated: %zd", n);
	CHECK(recv(a, buf, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "udp EAGAIN");
	printf("udp: 60000-byte datagram, MSG_TRUNC ok\n");
	close(a);
	close(b);
}

/* ---- many connections ---- */

static void test_many(void)
{
	int l = listener(7006);
	int ok = 0;
	for (int i = 0; i < 300; i++) {
		int s = connect_to(7006);
		int c = accept(l, NULL, NULL);
		char x = (char)i, y = 0;
		write(s, &x, 1);
		if (read(c, &y, 1) == 1 && y == x)
			ok++;
		close(c);
		close(s);
	}
	CHECK(ok == 300, "sequential: %d", ok);
	printf("300 sequential connections: %d ok\n", ok);
	close(l);
}

int main(void)
{
	test_errors();
	test_nonblocking();
	test_reset();
	test_udp();
	test_echo();
	test_many();
	if (failures) {
		printf("net_loop: %d FAILED\n", failures);
		return 1;
	}
	printf("net_loop ok\n");
	return 0;
}
