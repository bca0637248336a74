/*
 * Names without a network device: atman.hostname= is gethostname's, the
 * static dns= is /etc/resolv.conf's nameserver (what musl's resolver
 * reads), and /etc/hosts resolves localhost and our own name; getaddrinfo
 * then connects to localhost over loopback.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return;
	}
	char line[256];
	while (fgets(line, sizeof(line), f))
		printf("%s: %s", path, line);
	fclose(f);
}

static int lookup(const char *name, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM },
			*res;
	int r = getaddrinfo(name, port, &hints, &res);
	if (r) {
		printf("getaddrinfo %s: %s\n", name, gai_strerror(r));
		return -1;
	}
	char ip[32];
	struct sockaddr_in *a = (struct sockaddr_in *)res->ai_addr;
	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	printf("getaddrinfo %s: %s port %d\n", name, ip, ntohs(a->sin_port));
	int s = -1;
	if (!strcmp(name, "localhost")) {
		s = socket(res->ai_family, res->ai_socktype, 0);
		int l = socket(AF_INET, SOCK_STREAM, 0);
		bind(l, res->ai_addr, res->ai_addrlen);
		listen(l, 1);
		if (connect(s, res->ai_addr, res->ai_addrlen) == 0)
			printf("connected to localhost:%s\n", port);
		close(l);
		close(s);
	}
	freeaddrinfo(res);
	return 0;
}

int main(void)
{
	char host[64];
	gethostname(host, sizeof(host));
	printf("hostname %s\n", host);
	show("/etc/resolv.conf");
	show("/etc/hosts");
	FILE *f = fopen("/etc/passwd", "r");
	printf("/etc/passwd: %s\n", f ? "the default one" : "no such file");
	lookup("localhost", "8080");
	lookup(host, "80");
	return 0;
}
