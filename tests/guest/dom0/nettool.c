/*
 * nettool: the network tests' client and server in dom0 (built static with
 * the host's gcc by tools/testrun, run by a test's dom0 script). Each
 * command prints one line saying what it saw, and exits 0 if that was
 * right, 1 if not, 2 on bad usage.
 *
 *   nettool echo HOST PORT BYTES      send BYTES, read them back: checksum
 *   nettool source HOST PORT BYTES    send BYTES (the server counts them)
 *   nettool sink HOST PORT BYTES      read BYTES the server sends
 *   nettool udp HOST PORT COUNT       COUNT datagrams to an echo server
 *   nettool seq HOST PORT N           N connections, one after another
 *   nettool conc HOST PORT N          N connections open at once, each used
 *   nettool http HOST PORT PATH N     N keep-alive requests on one connection
 *   nettool httpnew HOST PORT PATH N  N requests, a connection each
 *   nettool reuse HOST PORT PATH N    N requests, a connection each, all
 *                                     from one local port: each new one
 *                                     meets the last in TIME_WAIT (the
 *                                     server closes first)
 *   nettool hold HOST PORT PATH N     N keep-alive connections open at once,
 *                                     two requests on each
 *   nettool halfclose HOST PORT       write, shutdown(SHUT_WR), read to EOF
 *   nettool reset HOST PORT           reset a connection mid-transfer
 *   nettool flood HOST PORT N         N connections that never send
 *   nettool send HOST PORT TEXT       send TEXT, print what comes back
 *   nettool serve PORT N              echo server for N connections
 *   nettool frames IFACE MAC COUNT    malformed frames at MAC (raw socket)
 *   nettool bench-http HOST PORT PATH SECONDS CONNS NEWCONN
 *   nettool bench-tcp HOST PORT SECONDS DIR       DIR: up or down
 *   nettool bench-udp HOST PORT SECONDS
 *   nettool first HOST PORT TIMEOUT_MS print ms until a connect succeeds
 *
 * Data is a pseudo-random stream from a fixed seed, so both ends can
 * compute its checksum.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static struct sockaddr_in addr(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		struct hostent *h = gethostbyname(host);
		if (!h) {
			fprintf(stderr, "nettool: unknown host %s\n", host);
			exit(2);
		}
		memcpy(&a.sin_addr, h->h_addr, 4);
	}
	return a;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a = addr(host, port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		return -1;
	}
	/* A server that stops answering fails the command, never hangs it. */
	struct timeval tv = { 20, 0 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return s;
}

/* The stream: FNV-1a over xorshift bytes. */
struct stream {
	uint32_t x;
};
static void fill(struct stream *st, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		st->x ^= st->x << 13;
		st->x ^= st->x >> 17;
		st->x ^= st->x << 5;
		b[i] = (unsigned char)st->x;
	}
}
static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct writer {
	int s;
	uint64_t bytes;
	int err;
};
static void *write_all(void *arg)
{
	struct writer *w = arg;
	struct stream st = { 2463534242u };
	static unsigned char buf[65536];
	for (uint64_t sent = 0; sent < w->bytes;) {
		size_t k = sizeof(buf) < w->bytes - sent ? sizeof(buf)
							 : w->bytes - sent;
		fill(&st, buf, k);
		for (size_t off = 0; off < k;) {
			ssize_t n = write(w->s, buf + off, k - off);
			if (n <= 0) {
				w->err = errno;
				return NULL;
			}
			off += n;
		}
		sent += k;
	}
	shutdown(w->s, SHUT_WR);
	return NULL;
}

static uint32_t want_sum(uint64_t bytes)
{
	struct stream st = { 2463534242u };
	static unsigned char buf[65536];
	uint32_t h = 2166136261u;
	for (uint64_t done = 0; done < bytes;) {
		size_t k =
			sizeof(buf) < bytes - done ? sizeof(buf) : bytes - done;
		fill(&st, buf, k);
		h = fnv(h, buf, k);
		done += k;
	}
	return h;
}

/* Read to EOF: bytes and checksum. */
static uint64_t read_all(int s, uint32_t *sum)
{
	static unsigned char buf[65536];
	uint64_t total = 0;
	uint32_t h = 2166136261u;
	ssize_t n;
	while ((n = read(s, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, n);
		total += n;
	}
	*sum = h;
	return total;
}

static int cmd_echo(const char *host, int port, uint64_t bytes)
{
	int s = dial(host, port);
	if (s < 0) {
		printf("echo: connect: %s\n", strerror(errno));
		return 1;
	}
	struct writer w = { s, bytes, 0 };
	pthread_t t;
	uint64_t t0 = now_us();
	pthread_create(&t, NULL, write_all, &w);
	uint32_t sum;
	uint64_t got = read_all(s, &sum);
	pthread_join(t, NULL);
	uint64_t us = now_us() - t0;
	bool ok = got == bytes && sum == want_sum(bytes) && !w.err;
	printf("echo: %llu bytes both ways, checksum %s\n",
	       (unsigned long long)got, ok ? "ok" : "WRONG");
	fprintf(stderr, "echo: %.1f MB/s\n", bytes / (double)us);
	close(s);
	return !ok;
}

static int cmd_source(const char *host, int port, uint64_t bytes)
{
	int s = dial(host, port);
	if (s < 0) {
		printf("source: connect: %s\n", strerror(errno));
		return 1;
	}
	struct writer w = { s, bytes, 0 };
	write_all(&w);
	/* The server answers with its count and checksum. */
	char line[128] = { 0 };
	ssize_t n = read(s, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = 0;
	char want[128];
	snprintf(want, sizeof(want), "%llu %08x", (unsigned long long)bytes,
		 want_sum(bytes));
	bool ok = !w.err && !strncmp(line, want, strlen(want));
	printf("source: sent %llu bytes, the server %s\n",
	       (unsigned long long)bytes, ok ? "got them all" : "disagrees");
	close(s);
	return !ok;
}

static int cmd_sink(const char *host, int port, uint64_t bytes)
{
	int s = dial(host, port);
	if (s < 0) {
		printf("sink: connect: %s\n", strerror(errno));
		return 1;
	}
	char req[64];
	snprintf(req, sizeof(req), "%llu\n", (unsigned long long)bytes);
	write(s, req, strlen(req));
	uint32_t sum;
	uint64_t got = read_all(s, &sum);
	bool ok = got == bytes && sum == want_sum(bytes);
	printf("sink: %llu bytes from the server, checksum %s\n",
	       (unsigned long long)got, ok ? "ok" : "WRONG");
	close(s);
	return !ok;
}

/* Datagrams with a sequence number; up to WINDOW in flight. */
static int cmd_udp(const char *host, int port, int count)
{
	struct sockaddr_in a = addr(host, port);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	connect(s, (struct sockaddr *)&a, sizeof(a));
	enum { WINDOW = 32 };
	char *seen = calloc(count, 1);
	int sent = 0, got = 0, bad = 0;
	uint64_t last = now_us();
	while (got < count) {
		while (sent < count && sent - got < WINDOW) {
			char buf[512];
			int n = snprintf(buf, sizeof(buf), "dgram %d ", sent);
			memset(buf + n, 'a' + sent % 26, 200);
			send(s, buf, n + 200, 0);
			sent++;
		}
		struct pollfd p = { s, POLLIN, 0 };
		if (poll(&p, 1, 500) <= 0) {
			/* Lost ones are lost: count on. */
			if (now_us() - last > 2000000)
				break;
			got += sent - got; /* stop waiting for these */
			continue;
		}
		char buf[512];
		ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		int k;
		if (sscanf(buf, "dgram %d", &k) == 1 && k >= 0 && k < count &&
		    n == (ssize_t)(strchr(buf, ' ') - buf + 1 +
				   strlen(strchr(buf, ' ') + 1)))
			seen[k] = 1;
		else
			bad++;
		got++;
		last = now_us();
	}
	int back = 0;
	for (int i = 0; i < count; i++)
		back += seen[i];
	/* UDP may drop; the test wants most back and none corrupted. */
	printf("udp: %d datagrams sent, %s came back, %d corrupted\n", count,
	       back >= count * 95 / 100 ? "at least 95%" : "FEWER than 95%",
	       bad);
	fprintf(stderr, "udp: %d of %d back\n", back, count);
	return !(back >= count * 95 / 100 && !bad);
}

static bool one_exchange(int s, int i)
{
	char msg[32], back[32];
	int n = snprintf(msg, sizeof(msg), "ping %d\n", i);
	if (write(s, msg, n) != n)
		return false;
	int got = 0;
	while (got < n) {
		ssize_t k = read(s, back + got, n - got);
		if (k <= 0)
			return false;
		got += k;
	}
	return !memcmp(msg, back, n);
}

static int cmd_seq(const char *host, int port, int n)
{
	int ok = 0;
	for (int i = 0; i < n; i++) {
		int s = dial(host, port);
		if (s < 0)
			continue;
		ok += one_exchange(s, i);
		close(s);
	}
	printf("seq: %d of %d connections echoed\n", ok, n);
	return ok != n;
}

static int cmd_conc(const char *host, int port, int n)
{
	int *s = calloc(n, sizeof(int)), open_ = 0, ok = 0;
	for (int i = 0; i < n; i++) {
		s[i] = dial(host, port);
		open_ += s[i] >= 0;
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < n; i++)
			if (s[i] >= 0 && !one_exchange(s[i], i * 10 + round)) {
				close(s[i]);
				s[i] = -1;
			}
	for (int i = 0; i < n; i++)
		if (s[i] >= 0) {
			ok++;
			close(s[i]);
		}
	printf("conc: %d connections open at once, %d echoed 3 times\n", open_,
	       ok);
	return ok != n;
}

/* One HTTP/1.1 response: status and body length; -1 on error. */
static int http_get(int s, const char *host, const char *path, bool close_,
		    long *body, char *status, size_t slen)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host,
			 close_ ? "Connection: close\r\n" : "");
	if (write(s, req, n) != n)
		return -1;
	static char buf[1 << 16];
	size_t have = 0;
	char *end = NULL;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
		ssize_t k = read(s, buf + have, sizeof(buf) - have);
		if (k <= 0)
			return -1;
		have += k;
	}
	size_t hlen = end + 4 - buf;
	char *nl = memchr(buf, '\r', hlen);
	snprintf(status, slen, "%.*s", (int)(nl - buf), buf);
	long clen = -1;
	for (char *p = buf; p < end; p = strchr(p, '\n') + 1) {
		if (!strncasecmp(p, "Content-Length:", 15))
			clen = strtol(p + 15, NULL, 10);
		if (!strchr(p, '\n'))
			break;
	}
	if (clen < 0)
		return -1;
	long left = clen - (long)(have - hlen);
	while (left > 0) {
		ssize_t k = read(s, buf,
				 left < (long)sizeof(buf) ? left
							  : (long)sizeof(buf));
		if (k <= 0)
			return -1;
		left -= k;
	}
	*body = clen;
	return 0;
}

static int cmd_http(const char *host, int port, const char *path, int n)
{
	int s = dial(host, port);
	if (s < 0) {
		printf("http: connect: %s\n", strerror(errno));
		return 1;
	}
	int ok = 0;
	long body = 0;
	char status[64] = "";
	for (int i = 0; i < n; i++)
		if (!http_get(s, host, path, false, &body, status,
			      sizeof(status)) &&
		    !strncmp(status, "HTTP/1.1 200", 12))
			ok++;
	close(s);
	printf("http: %d of %d keep-alive requests for %s answered 200, last "
	       "body %ld bytes\n",
	       ok, n, path, body);
	return ok != n;
}

static int cmd_httpnew(const char *host, int port, const char *path, int n)
{
	int ok = 0;
	long body = 0;
	char status[64] = "";
	for (int i = 0; i < n; i++) {
		int s = dial(host, port);
		if (s < 0) {
			fprintf(stderr, "httpnew: request %d: connect: %s\n", i,
				strerror(errno));
			continue;
		}
		if (!http_get(s, host, path, true, &body, status,
			      sizeof(status)) &&
		    !strncmp(status, "HTTP/1.1 200", 12))
			ok++;
		else
			fprintf(stderr, "httpnew: request %d: %s (%s)\n", i,
				status, strerror(errno));
		close(s);
	}
	printf("httpnew: %d of %d requests on new connections answered 200\n",
	       ok, n);
	return ok != n;
}

static int cmd_reuse(const char *host, int port, const char *path, int n)
{
	struct sockaddr_in a = addr(host, port), me = { .sin_family = AF_INET };
	int ok = 0, one = 1;
	long body = 0;
	char status[64] = "";
	/* A port of the dynamic range that Linux's own connects skip: bound. */
	me.sin_port = htons(61000 + getpid() % 1000);
	/* connect gives up after this instead of Linux's two minutes. */
	struct timeval tv = { 10, 0 };
	for (int i = 0; i < n; i++) {
		int s, r, tries = 0;
		/* Our last connection's end (LAST_ACK) holds the 4-tuple until
		 * the server's final ACK: a moment. */
		do {
			if (tries)
				usleep(50000);
			s = socket(AF_INET, SOCK_STREAM, 0);
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
			setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			r = bind(s, (struct sockaddr *)&me, sizeof(me));
			if (!r)
				r = connect(s, (struct sockaddr *)&a,
					    sizeof(a));
			if (r)
				close(s);
		} while (r && errno == EADDRNOTAVAIL && ++tries < 100);
		if (r) {
			fprintf(stderr, "reuse: request %d: %s\n", i,
				strerror(errno));
			continue;
		}
		char c;
		/* The server's FIN first, so that its side waits in TIME_WAIT. */
		if (!http_get(s, host, path, true, &body, status,
			      sizeof(status)) &&
		    !strncmp(status, "HTTP/1.1 200", 12) && read(s, &c, 1) == 0)
			ok++;
		else
			fprintf(stderr, "reuse: request %d: %s (%s)\n", i,
				status, strerror(errno));
		close(s);
	}
	printf("reuse: %d of %d requests from one port answered 200\n", ok, n);
	return ok != n;
}

static int cmd_hold(const char *host, int port, const char *path, int n)
{
	int *s = calloc(n, sizeof(int)), open_ = 0, ok = 0;
	long body;
	char status[64];
	for (int i = 0; i < n; i++) {
		s[i] = dial(host, port);
		open_ += s[i] >= 0;
	}
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n; i++)
			if (s[i] >= 0 &&
			    (http_get(s[i], host, path, false, &body, status,
				      sizeof(status)) ||
			     strncmp(status, "HTTP/1.1 200", 12))) {
				close(s[i]);
				s[i] = -1;
			}
	for (int i = 0; i < n; i++)
		if (s[i] >= 0) {
			ok++;
			close(s[i]);
		}
	printf("hold: %d keep-alive connections open at once, %d answered "
	       "twice\n",
	       open_, ok);
	return ok != n;
}

static int cmd_halfclose(const char *host, int port)
{
	int s = dial(host, port);
	if (s < 0)
		return 1;
	const char msg[] = "half a conversation";
	write(s, msg, sizeof(msg));
	shutdown(s, SHUT_WR);
	char buf[256];
	size_t got = 0;
	ssize_t n;
	while ((n = read(s, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	bool ok = n == 0 && got == sizeof(msg) && !memcmp(buf, msg, got);
	printf("halfclose: after our FIN the server still answered and then "
	       "closed: %s\n",
	       ok ? "yes" : "NO");
	close(s);
	return !ok;
}

static int cmd_reset(const char *host, int port)
{
	int s = dial(host, port);
	if (s < 0)
		return 1;
	static unsigned char buf[1 << 16];
	for (int i = 0; i < 8; i++)
		write(s, buf, sizeof(buf));
	read(s, buf, 1000);
	struct linger l = { 1, 0 };
	setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(s);
	printf("reset: a connection reset in the middle of a transfer\n");
	return 0;
}

static int cmd_flood(const char *host, int port, int n)
{
	int *s = calloc(n, sizeof(int)), open_ = 0;
	for (int i = 0; i < n; i++) {
		s[i] = dial(host, port);
		open_ += s[i] >= 0;
	}
	/* While they hang there, a real client is served. */
	int t = dial(host, port);
	bool served = t >= 0 && one_exchange(t, 42);
	if (t >= 0)
		close(t);
	for (int i = 0; i < n; i++)
		if (s[i] >= 0)
			close(s[i]);
	printf("flood: %d silent connections open, a real client %s\n", open_,
	       served ? "was served" : "was NOT served");
	return !(open_ == n && served);
}

static int cmd_send(const char *host, int port, const char *text)
{
	int s = dial(host, port);
	if (s < 0) {
		printf("send: connect: %s\n", strerror(errno));
		return 1;
	}
	write(s, text, strlen(text));
	write(s, "\n", 1);
	shutdown(s, SHUT_WR);
	char buf[512];
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(buf) - 1 &&
	       (n = read(s, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	if (got && buf[got - 1] == '\n')
		buf[got - 1] = 0;
	printf("send: the answer was \"%s\"\n", buf);
	close(s);
	return 0;
}

static void *serve_one(void *arg)
{
	int c = (int)(intptr_t)arg;
	char buf[65536];
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, n - off);
			if (w <= 0)
				goto out;
			off += w;
		}
out:
	close(c);
	return NULL;
}

static int cmd_serve(int port, int n)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 64)) {
		perror("serve");
		return 1;
	}
	printf("serve: listening on %d\n", port);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int c = accept(l, NULL, NULL);
		pthread_t t;
		pthread_create(&t, NULL, serve_one, (void *)(intptr_t)c);
		pthread_detach(t);
	}
	sleep(1);
	return 0;
}

/* Malformed frames, from a raw socket on IFACE to MAC: truncated
 * headers, bad checksums, lying lengths, odd protocols, random bytes. */
static int cmd_frames(const char *iface, const char *mac, int count)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s < 0) {
		perror("frames: socket");
		return 1;
	}
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_ifindex = if_nametoindex(iface),
				  .sll_halen = 6 };
	unsigned m[6];
	sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
	       &m[5]);
	for (int i = 0; i < 6; i++)
		ll.sll_addr[i] = m[i];
	srand(12345);
	int sent = 0;
	for (int i = 0; i < count; i++) {
		unsigned char f[1514];
		size_t len = 14 + rand() % 1500;
		for (size_t k = 0; k < len; k++)
			f[k] = rand();
		memcpy(f, ll.sll_addr, 6);
		int kind = i % 6;
		if (kind > 0) { /* an IPv4 header, broken in some way */
			f[12] = 0x08, f[13] = 0x00;
			f[14] = 0x45;
			unsigned tot = kind == 1 ? 60000 : len - 14;
			f[16] = tot >> 8, f[17] = tot;
			f[23] = kind == 2   ? 6
				: kind == 3 ? 17
				: kind == 4 ? 1
					    : f[23];
			if (kind == 5)
				len = 14 + rand() % 20; /* truncated header */
		}
		if (sendto(s, f, len, 0, (struct sockaddr *)&ll, sizeof(ll)) ==
		    (ssize_t)len)
			sent++;
	}
	printf("frames: %d malformed frames sent\n", sent);
	return sent != count;
}

/* ---- benchmarks: numbers on stderr, one line on stdout ---- */

struct hstat {
	const char *host, *path;
	int port;
	double seconds;
	bool newconn;
	long n;
	uint32_t *lat; /* microseconds */
	long cap;
	int errors;
};

static void *http_loop(void *arg)
{
	struct hstat *h = arg;
	uint64_t end = now_us() + (uint64_t)(h->seconds * 1e6);
	int s = -1;
	char status[64];
	long body;
	while (now_us() < end) {
		uint64_t t0 = now_us();
		if (s < 0 && (s = dial(h->host, h->port)) < 0) {
			h->errors++;
			continue;
		}
		if (http_get(s, h->host, h->path, h->newconn, &body, status,
			     sizeof(status))) {
			h->errors++;
			close(s);
			s = -1;
			continue;
		}
		if (h->newconn) {
			close(s);
			s = -1;
		}
		if (h->n < h->cap)
			h->lat[h->n] = (uint32_t)(now_us() - t0);
		h->n++;
	}
	if (s >= 0)
		close(s);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmd_bench_http(const char *host, int port, const char *path,
			  double seconds, int conns, bool newconn)
{
	struct hstat *h = calloc(conns, sizeof(*h));
	pthread_t *t = calloc(conns, sizeof(*t));
	for (int i = 0; i < conns; i++) {
		h[i] = (struct hstat){ host, path, port, seconds, newconn };
		h[i].cap = 1 << 20;
		h[i].lat = malloc(h[i].cap * sizeof(uint32_t));
		pthread_create(&t[i], NULL, http_loop, &h[i]);
	}
	long n = 0, errors = 0;
	for (int i = 0; i < conns; i++) {
		pthread_join(t[i], NULL);
		n += h[i].n;
		errors += h[i].errors;
	}
	uint32_t *all = malloc((n + 1) * sizeof(uint32_t));
	long k = 0;
	for (int i = 0; i < conns; i++)
		for (long j = 0; j < h[i].n && j < h[i].cap; j++)
			all[k++] = h[i].lat[j];
	qsort(all, k, sizeof(uint32_t), cmp_u32);
	printf("bench-http reqs/s %.0f p50_us %u p99_us %u errors %ld\n",
	       n / seconds, k ? all[k / 2] : 0, k ? all[k * 99 / 100] : 0,
	       errors);
	return 0;
}

static int cmd_bench_tcp(const char *host, int port, double seconds,
			 const char *dir)
{
	int s = dial(host, port);
	if (s < 0)
		return 1;
	static unsigned char buf[1 << 16];
	uint64_t total = 0, t0 = now_us(), end = t0 + (uint64_t)(seconds * 1e6);
	if (!strcmp(dir, "up")) {
		while (now_us() < end) {
			ssize_t n = write(s, buf, sizeof(buf));
			if (n <= 0)
				break;
			total += n;
		}
	} else {
		write(s, "999999999999\n", 13);
		while (now_us() < end) {
			ssize_t n = read(s, buf, sizeof(buf));
			if (n <= 0)
				break;
			total += n;
		}
	}
	double sec = (now_us() - t0) / 1e6;
	printf("bench-tcp %s MB/s %.2f\n", dir, total / sec / 1e6);
	close(s);
	return 0;
}

static int cmd_bench_udp(const char *host, int port, double seconds)
{
	struct sockaddr_in a = addr(host, port);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	connect(s, (struct sockaddr *)&a, sizeof(a));
	uint64_t end = now_us() + (uint64_t)(seconds * 1e6), got = 0;
	char buf[64] = "x";
	enum { WINDOW = 16 };
	int inflight = 0;
	while (now_us() < end) {
		while (inflight < WINDOW) {
			send(s, buf, 32, 0);
			inflight++;
		}
		struct pollfd p = { s, POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0) {
			inflight = 0; /* lost: start a new window */
			continue;
		}
		if (recv(s, buf, sizeof(buf), 0) > 0) {
			got++;
			inflight--;
		}
	}
	printf("bench-udp pkts/s %.0f\n", got / seconds);
	return 0;
}

static int cmd_first(const char *host, int port, int timeout_ms)
{
	uint64_t t0 = now_us();
	struct sockaddr_in a = addr(host, port);
	while (now_us() - t0 < (uint64_t)timeout_ms * 1000) {
		/* Each attempt bounded (a SYN to a guest not yet up may be
		 * lost): 100 ms, then a fresh one. */
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(s, (struct sockaddr *)&a, sizeof(a));
		struct pollfd p = { s, POLLOUT, 0 };
		int err = -1;
		socklen_t len = sizeof(err);
		if (poll(&p, 1, 100) == 1)
			getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
		close(s);
		if (err == 0) {
			printf("first %.1f ms\n", (now_us() - t0) / 1000.0);
			return 0;
		}
		usleep(2000);
	}
	printf("first none\n");
	return 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	const char *c = argv[1];
#define ARGS(n)                                                                \
	if (argc != (n) + 2)                                                   \
	goto usage
	if (!strcmp(c, "echo")) {
		ARGS(3);
		return cmd_echo(argv[2], atoi(argv[3]),
				strtoull(argv[4], 0, 10));
	} else if (!strcmp(c, "source")) {
		ARGS(3);
		return cmd_source(argv[2], atoi(argv[3]),
				  strtoull(argv[4], 0, 10));
	} else if (!strcmp(c, "sink")) {
		ARGS(3);
		return cmd_sink(argv[2], atoi(argv[3]),
				strtoull(argv[4], 0, 10));
	} else if (!strcmp(c, "udp")) {
		ARGS(3);
		return cmd_udp(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(c, "seq")) {
		ARGS(3);
		return cmd_seq(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(c, "conc")) {
		ARGS(3);
		return cmd_conc(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(c, "http")) {
		ARGS(4);
		return cmd_http(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
	} else if (!strcmp(c, "httpnew")) {
		ARGS(4);
		return cmd_httpnew(argv[2], atoi(argv[3]), argv[4],
				   atoi(argv[5]));
	} else if (!strcmp(c, "reuse")) {
		ARGS(4);
		return cmd_reuse(argv[2], atoi(argv[3]), argv[4],
				 atoi(argv[5]));
	} else if (!strcmp(c, "hold")) {
		ARGS(4);
		return cmd_hold(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
	} else if (!strcmp(c, "halfclose")) {
		ARGS(2);
		return cmd_halfclose(argv[2], atoi(argv[3]));
	} else if (!strcmp(c, "reset")) {
		ARGS(2);
		return cmd_reset(argv[2], atoi(argv[3]));
	} else if (!strcmp(c, "flood")) {
		ARGS(3);
		return cmd_flood(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(c, "send")) {
		ARGS(3);
		return cmd_send(argv[2], atoi(argv[3]), argv[4]);
	} else if (!strcmp(c, "serve")) {
		ARGS(2);
		return cmd_serve(atoi(argv[2]), atoi(argv[3]));
	} else if (!strcmp(c, "frames")) {
		ARGS(3);
		return cmd_frames(argv[2], argv[3], atoi(argv[4]));
	} else if (!strcmp(c, "bench-http")) {
		ARGS(6);
		return cmd_bench_http(argv[2], atoi(argv[3]), argv[4],
				      atof(argv[5]), atoi(argv[6]),
				      atoi(argv[7]));
	} else if (!strcmp(c, "bench-tcp")) {
		ARGS(4);
		return cmd_bench_tcp(argv[2], atoi(argv[3]), atof(argv[4]),
				     argv[5]);
	} else if (!strcmp(c, "bench-udp")) {
		ARGS(3);
		return cmd_bench_udp(argv[2], atoi(argv[3]), atof(argv[4]));
	} else if (!strcmp(c, "first")) {
		ARGS(3);
		return cmd_first(argv[2], atoi(argv[3]), atoi(argv[4]));
	}
usage:
	fprintf(stderr, "usage: see the head of tests/guest/dom0/nettool.c\n");
	return 2;
}
