/*
 * A client in the guest, servers in dom0 (net_client.sh): dom0 found by
 * name (getaddrinfo: musl's resolver, DNS from dnsmasq), 10 MiB echoed
 * with a checksum, a refused port, a connect to an address that never
 * answers (our own timeout), the seal (an outside address is never
 * reached), then the backend goes away under a blocked recv: ENETDOWN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in dom0;

static struct sockaddr_in at(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* Connect, retrying while refused (dom0's server starts when we are up). */
static int dial_dom0(int port, int seconds)
{
	struct sockaddr_in a = dom0;
	a.sin_port = htons(port);
	for (int i = 0; i < seconds * 10; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			return s;
		int e = errno;
		close(s);
		if (e != ECONNREFUSED)
			return -1;
		usleep(100000);
	}
	return -1;
}

#define ECHO_BYTES (10u << 20)

static void *writer(void *arg)
{
	int s = *(int *)arg;
	static unsigned char buf[8192];
	uint32_t x = 1;
	for (size_t sent = 0; sent < ECHO_BYTES; sent += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)(x = x * 1103515245 + 12345) >>
				 3;
		for (size_t off = 0; off < sizeof(buf);) {
			ssize_t n = write(s, buf + off, sizeof(buf) - off);
			if (n <= 0)
				return NULL;
			off += n;
		}
	}
	shutdown(s, SHUT_WR);
	return NULL;
}

static void echo_test(void)
{
	int s = dial_dom0(7000, 30);
	if (s < 0) {
		printf("net_client: cannot reach dom0:7000: %s\n",
		       strerror(errno));
		return;
	}
	pthread_t t;
	pthread_create(&t, NULL, writer, &s);
	uint32_t want = 2166136261u, got = 2166136261u, x = 1;
	for (size_t i = 0; i < ECHO_BYTES; i++)
		want = (want ^
			((unsigned char)(x = x * 1103515245 + 12345) >> 3)) *
		       16777619u;
	size_t total = 0;
	char buf[8192];
	ssize_t n;
	while ((n = read(s, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			got = (got ^ (unsigned char)buf[i]) * 16777619u;
		total += n;
	}
	pthread_join(t, NULL);
	close(s);
	printf("net_client: echo with dom0: %zu bytes, checksum %s\n", total,
	       total == ECHO_BYTES && got == want ? "ok" : "WRONG");
}

/* A non-blocking connect that should never complete: what poll says in
 * `ms`, as one word. */
static const char *connect_nowhere(const char *ip, int port, int ms)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = at(ip, port);
	if (!connect(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		return "CONNECTED";
	}
	if (errno != EINPROGRESS) {
		static char e[64];
		snprintf(e, sizeof(e), "failed at once (%s)", strerror(errno));
		close(s);
		return e;
	}
	struct pollfd p = { s, POLLOUT, 0 };
	int r = poll(&p, 1, ms);
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	close(s);
	if (r == 0)
		return "EINPROGRESS, then our timeout";
	return err ? strerror(err) : "CONNECTED";
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM },
			*res;
	int r = getaddrinfo("dom0", NULL, &hints, &res);
	if (r) {
		printf("net_client: getaddrinfo dom0: %s\n", gai_strerror(r));
		return 1;
	}
	dom0 = *(struct sockaddr_in *)res->ai_addr;
	freeaddrinfo(res);
	char ip[32];
	inet_ntop(AF_INET, &dom0.sin_addr, ip, sizeof(ip));
	printf("net_client: dom0 is %s\n", ip);

	echo_test();

	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = dom0;
	a.sin_port = htons(7999);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	printf("net_client: dom0's closed port: %s\n",
	       r ? strerror(errno) : "CONNECTED");
	close(s);

	printf("net_client: an address nobody has: %s\n",
	       connect_nowhere("10.7.0.254", 80, 3000));
	/* The seal: outside addresses exist only outside the box. */
	printf("net_client: outside, 93.184.216.34:80: %s\n",
	       connect_nowhere("93.184.216.34", 80, 5000));
	printf("net_client: outside, 8.8.8.8:53: %s\n",
	       connect_nowhere("8.8.8.8", 53, 3000));

	/* The backend goes away while we wait for data. */
	s = dial_dom0(7000, 10);
	printf("net_client: blocked in recv\n");
	char c;
	ssize_t n = recv(s, &c, 1, 0);
	printf("net_client: then recv: %s\n",
	       n < 0 ? strerror(errno) : "returned data?");
	int s2 = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(7000);
	r = connect(s2, (struct sockaddr *)&a, sizeof(a));
	printf("net_client: and a new connect: %s\n",
	       r ? strerror(errno) : "CONNECTED");
	return 0;
}
