/*
 * Two guests on the box's bridge: this one finds the other by name
 * (dnsmasq knows every guest's), echoes 1 MiB over TCP and 100 UDP
 * datagrams with it, then tells it to quit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in peer;

static int dial(int port)
{
	struct sockaddr_in a = peer;
	a.sin_port = htons(port);
	for (int i = 0; i < 300; i++) { /* the other may come up later */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			return s;
		close(s);
		usleep(100000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	/* The other guest's name; the test runner's PV runs add a suffix. */
	const char *base = argc > 1 ? argv[1] : "net-pair-srv";
	const char *sfx = getenv("ATMAN_TEST_SUFFIX");
	char name[256];
	snprintf(name, sizeof(name), "%s%s", base, sfx ? sfx : "");
	struct addrinfo hints = { .ai_family = AF_INET }, *res;
	int r = -1;
	for (int i = 0; i < 50 && r; i++) {
		r = getaddrinfo(name, NULL, &hints, &res);
		if (r)
			usleep(100000);
	}
	if (r) {
		printf("net_pair: %s: %s\n", name, gai_strerror(r));
		return 1;
	}
	peer = *(struct sockaddr_in *)res->ai_addr;
	printf("net_pair: found %s by name\n", base);
	int s = dial(7);
	if (s < 0) {
		printf("net_pair: cannot connect\n");
		return 1;
	}
	static char out[1 << 20], in[1 << 20];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 4096);
	size_t sent = 0, got = 0;
	struct pollfd p = { s, POLLIN | POLLOUT, 0 };
	while (got < sizeof(in)) {
		p.events = POLLIN | (sent < sizeof(out) ? POLLOUT : 0);
		poll(&p, 1, 10000);
		if (p.revents & POLLOUT) {
			ssize_t n = write(s, out + sent, sizeof(out) - sent);
			if (n > 0)
				sent += n;
		}
		if (p.revents & POLLIN) {
			ssize_t n = read(s, in + got, sizeof(in) - got);
			if (n <= 0)
				break;
			got += n;
		}
	}
	close(s);
	printf("net_pair: 1 MiB echoed by the other guest: %s\n",
	       got == sizeof(in) && !memcmp(in, out, got) ? "intact" : "WRONG");
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = peer;
	a.sin_port = htons(7);
	connect(u, (struct sockaddr *)&a, sizeof(a));
	int back = 0;
	for (int i = 0; i < 100; i++) {
		char m[32], b[32] = { 0 };
		int n = snprintf(m, sizeof(m), "datagram %d", i);
		send(u, m, n, 0);
		struct pollfd q = { u, POLLIN, 0 };
		if (poll(&q, 1, 2000) == 1 && recv(u, b, sizeof(b), 0) == n &&
		    !memcmp(b, m, n))
			back++;
	}
	printf("net_pair: %d of 100 datagrams came back\n", back);
	s = dial(8);
	write(s, "quit", 4);
	char bye[8] = { 0 };
	read(s, bye, sizeof(bye) - 1);
	printf("net_pair: the other said %s", bye);
	return 0;
}
