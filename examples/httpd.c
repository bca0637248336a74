/*
 * httpd: a small HTTP/1.1 server on epoll, one thread, non-blocking
 * sockets, keep-alive and pipelining. It serves a generated page at /
 * and a large generated body at /big (BIG_BYTES). An ordinary Linux
 * server; built unchanged it is also an AtmanOS unikernel:
 *
 *   gcc -O2 -o httpd examples/httpd.c && ./httpd 8080
 *   bin/atman-cc -O2 -o httpd examples/httpd.c && bin/atman run -p 8080:80 httpd
 *   curl http://127.0.0.1:8080/
 *
 * Usage: httpd [PORT [REQUESTS]]: port 80 by default; with REQUESTS, it
 * exits after answering that many (for scripts and benchmarks).
 */
#define _GNU_SOURCE /* accept4, memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIG_BYTES  (4 << 20)
#define REQ_MAX	   2048
#define MAX_EVENTS 64

struct conn {
	int fd;
	char req[REQ_MAX];
	size_t rlen;
	/* What is left to send: a header, then a body from memory. */
	char head[512];
	size_t hlen, hoff;
	const char *body;
	size_t blen, boff;
	int close_after;
};

static char *big;
static long served, limit;
static int ep;

static void conn_close(struct conn *c)
{
	close(c->fd); /* also leaves the epoll set */
	free(c);
}

/* Build the response to the request in c->req[0..end). */
static void respond(struct conn *c, size_t end)
{
	static char page[1024];
	char method[8] = "", path[256] = "", version[16] = "";
	sscanf(c->req, "%7s %255s %15s", method, path, version);
	int keep = !strcmp(version, "HTTP/1.1");
	/* Header lines: Connection: close / keep-alive. */
	for (char *p = strstr(c->req, "\r\n"); p && p < c->req + end;
	     p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, "Connection:", 11)) {
			const char *v = p + 13;
			while (*v == ' ')
				v++;
			keep = !strncasecmp(v, "keep-alive", 10) ||
			       (keep && strncasecmp(v, "close", 5));
		}
	}
	const char *status = "200 OK", *type = "text/html";
	const char *body;
	size_t blen;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = "405 Method Not Allowed";
		body = "no such method\n";
		blen = strlen(body);
		type = "text/plain";
	} else if (!strcmp(path, "/")) {
		blen = snprintf(
			page, sizeof(page),
			"<!doctype html><html><head><title>httpd</title>"
			"</head><body><h1>Hello from httpd</h1>"
			"<p>Request %ld on this server.</p>"
			"<p><a href=\"/big\">/big</a>: %d bytes.</p>"
			"</body></html>\n",
			served + 1, BIG_BYTES);
		body = page;
	} else if (!strcmp(path, "/big")) {
		body = big;
		blen = BIG_BYTES;
		type = "application/octet-stream";
	} else {
		status = "404 Not Found";
		body = "not found\n";
		blen = strlen(body);
		type = "text/plain";
	}
	c->hlen =
		snprintf(c->head, sizeof(c->head),
			 "HTTP/1.1 %s\r\nServer: httpd\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
			 status, type, blen, keep ? "keep-alive" : "close");
	c->hoff = 0;
	c->body = strcmp(method, "HEAD") ? body : "";
	c->blen = strcmp(method, "HEAD") ? blen : 0;
	c->boff = 0;
	c->close_after = !keep;
	served++;
}

/* Send what is pending: 1 all sent, 0 would block, -1 error. */
static int flush(struct conn *c)
{
	while (c->hoff < c->hlen || c->boff < c->blen) {
		ssize_t n;
		if (c->hoff < c->hlen)
			n = send(c->fd, c->head + c->hoff, c->hlen - c->hoff,
				 MSG_NOSIGNAL | (c->blen ? MSG_MORE : 0));
		else
			n = send(c->fd, c->body + c->boff, c->blen - c->boff,
				 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (c->hoff < c->hlen)
			c->hoff += n;
		else
			c->boff += n;
	}
	return 1;
}

/* Serve every whole request in the buffer while the socket takes the
 * answers; wait for EPOLLOUT when it does not. */
static void handle(struct conn *c)
{
	for (;;) {
		int r = flush(c);
		if (r < 0)
			goto drop;
		if (r == 0) {
			struct epoll_event ev = { EPOLLIN | EPOLLOUT,
						  { .ptr = c } };
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (c->close_after)
			goto drop;
		if (limit && served >= limit)
			return;
		char *end = memmem(c->req, c->rlen, "\r\n\r\n", 4);
		if (end) {
			size_t used = end + 4 - c->req;
			c->req[used - 1] = 0;
			respond(c, used);
			memmove(c->req, c->req + used, c->rlen - used);
			c->rlen -= used;
			continue;
		}
		if (c->rlen == REQ_MAX - 1)
			goto drop; /* a request too large: no answer */
		ssize_t n =
			recv(c->fd, c->req + c->rlen, REQ_MAX - 1 - c->rlen, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			goto drop;
		if (n < 0) {
			struct epoll_event ev = { EPOLLIN, { .ptr = c } };
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		c->rlen += n;
		c->req[c->rlen] = 0;
	}
drop:
	conn_close(c);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 80;
	limit = argc > 2 ? atol(argv[2]) : 0;
	signal(SIGPIPE, SIG_IGN);
	big = malloc(BIG_BYTES);
	for (int i = 0; i < BIG_BYTES; i++)
		big[i] = 'a' + i % 26;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, SOMAXCONN) < 0) {
		fprintf(stderr, "httpd: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { EPOLLIN, { .ptr = NULL } }; /* NULL: l */
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	printf("httpd: listening on port %d\n", port);
	fflush(stdout);
	while (!limit || served < limit) {
		struct epoll_event evs[MAX_EVENTS];
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c) {
				handle(c);
				continue;
			}
			int fd;
			while ((fd = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >=
			       0) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					   sizeof(one));
				c = calloc(1, sizeof(*c));
				if (!c) { /* out of memory: this one waits */
					close(fd);
					break;
				}
				c->fd = fd;
				struct epoll_event cev = { EPOLLIN,
							   { .ptr = c } };
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
			}
		}
	}
	printf("httpd: %ld requests served\n", served);
	return 0;
}
