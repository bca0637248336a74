/*
 * The server of the network tests (tests/guest/net_srv.sh is its client
 * in dom0): TCP echo on 7, a counting sink on 9 (answers "BYTES CHECKSUM"
 * at EOF), a source on 19 (sends the number of bytes asked for), UDP
 * echo on 7, and on 8 "quit", which ends it with a summary. One thread a
 * connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 32768
static volatile long conns, failures;

/* The stream nettool sends and checks: FNV-1a over xorshift bytes. */
static void fill(uint32_t *x, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		b[i] = (unsigned char)*x;
	}
}

static int listen_on(int type, int port)
{
	int s = socket(AF_INET, type, 0), one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(s, 256))) {
		printf("net_srv: port %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return s;
}

static bool write_all(int c, const void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(c, (const char *)p + off, n - off);
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static void *echo(void *arg)
{
	int c = (int)(intptr_t)arg;
	char *buf = malloc(BUF);
	ssize_t n;
	while ((n = read(c, buf, BUF)) > 0)
		if (!write_all(c, buf, n))
			break;
	close(c);
	free(buf);
	return NULL;
}

static void *sink(void *arg)
{
	int c = (int)(intptr_t)arg;
	unsigned char *buf = malloc(BUF);
	uint64_t total = 0;
	uint32_t h = 2166136261u;
	ssize_t n;
	while ((n = read(c, buf, BUF)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 16777619u;
		total += n;
	}
	char line[64];
	int k = snprintf(line, sizeof(line), "%llu %08x\n",
			 (unsigned long long)total, h);
	write_all(c, line, k);
	close(c);
	free(buf);
	return NULL;
}

static void *source(void *arg)
{
	int c = (int)(intptr_t)arg;
	char line[32] = { 0 };
	size_t got = 0;
	while (got < sizeof(line) - 1 && !strchr(line, '\n')) {
		ssize_t n = read(c, line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	uint64_t want = strtoull(line, NULL, 10);
	uint32_t x = 2463534242u;
	unsigned char *buf = malloc(BUF);
	for (uint64_t sent = 0; sent < want;) {
		size_t k = BUF < want - sent ? BUF : want - sent;
		fill(&x, buf, k);
		if (!write_all(c, buf, k))
			break;
		sent += k;
	}
	close(c);
	free(buf);
	return NULL;
}

struct service {
	int port;
	void *(*fn)(void *);
};

static void *acceptor(void *arg)
{
	struct service *sv = arg;
	int l = listen_on(SOCK_STREAM, sv->port);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			failures++;
			continue;
		}
		__atomic_add_fetch(&conns, 1, __ATOMIC_RELAXED);
		pthread_t t;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 64 * 1024);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, sv->fn, (void *)(intptr_t)c)) {
			failures++;
			close(c);
		}
	}
	return NULL;
}

static void *udp_echo(void *arg)
{
	(void)arg;
	int s = listen_on(SOCK_DGRAM, 7);
	char buf[2048];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		if (n > 0)
			sendto(s, buf, n, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	static struct service sv[] = { { 7, echo },
				       { 9, sink },
				       { 19, source } };
	pthread_t t;
	for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++)
		pthread_create(&t, NULL, acceptor, &sv[i]);
	pthread_create(&t, NULL, udp_echo, NULL);
	int ctl = listen_on(SOCK_STREAM, 8);
	printf("net_srv: serving\n");
	fflush(stdout);
	for (;;) {
		int c = accept(ctl, NULL, NULL);
		char buf[16] = { 0 };
		read(c, buf, sizeof(buf) - 1);
		if (!strncmp(buf, "quit", 4)) {
			write_all(c, "bye\n", 4);
			close(c);
			break;
		}
		close(c);
	}
	printf("net_srv: %ld connections, %ld failures\n", conns, failures);
	return failures != 0;
}
