/*
 * echo: TCP and UDP echo on one port, a thread for every TCP connection
 * and one for UDP. An ordinary Linux server; built unchanged it is also an
 * AtmanOS unikernel:
 *
 *   gcc -O2 -pthread -o echo examples/echo.c && ./echo 7007
 *   bin/atman-cc -O2 -o echo examples/echo.c && bin/atman run -p 7007:7 echo
 *
 * Usage: echo [PORT [CONNECTIONS]]: port 7 by default; with CONNECTIONS,
 * it exits once that many TCP connections have ended (for scripts).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long limit, ended;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;

static void *serve(void *arg)
{
	int c = (int)(long)arg;
	char buf[16384];
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, n - off);
			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	close(c);
	pthread_mutex_lock(&lock);
	ended++;
	pthread_cond_signal(&done);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *accept_loop(void *arg)
{
	int l = (int)(long)arg;
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			perror("echo: accept");
			continue;
		}
		pthread_t t;
		if (pthread_create(&t, NULL, serve, (void *)(long)c)) {
			close(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void *udp_loop(void *arg)
{
	int u = (int)(long)arg;
	char buf[65536];
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(u, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);
		if (n >= 0)
			sendto(u, buf, n, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

static int open_socket(int type, int port)
{
	int s = socket(AF_INET, type, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(s, SOMAXCONN) < 0)) {
		fprintf(stderr, "echo: port %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return s;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	limit = argc > 2 ? atol(argv[2]) : 0;
	signal(SIGPIPE, SIG_IGN); /* a vanished client is its thread's end */
	int l = open_socket(SOCK_STREAM, port);
	int u = open_socket(SOCK_DGRAM, port);
	pthread_t t;
	pthread_create(&t, NULL, accept_loop, (void *)(long)l);
	pthread_create(&t, NULL, udp_loop, (void *)(long)u);
	printf("echo: TCP and UDP on port %d\n", port);
	fflush(stdout);
	pthread_mutex_lock(&lock);
	while (!limit || ended < limit)
		pthread_cond_wait(&done, &lock);
	pthread_mutex_unlock(&lock);
	printf("echo: %ld connections served\n", ended);
	return 0;
}
