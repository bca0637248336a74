/*
 * tools/box/fwd.c — dom0's TCP forwarder for `bin/atman run -p`: QEMU
 * hands the host's connections to dom0's PORT; this relays each to the
 * guest's IP:GPORT. One process, poll(), a listen backlog that holds a
 * burst: busybox's `nc -ll -e nc` before it accepted with a backlog of
 * one and forked a relay per connection, so a client opening 50 at once
 * (redis-benchmark) saw SYNs dropped and waited seconds for each.
 *
 * Each connection is a pair of sockets and a buffer per direction. An
 * end that reads EOF passes it on (shutdown SHUT_WR) once its buffer is
 * written; a pair ends when both directions have, or at the first error
 * on either side (both are closed: the peer sees a reset or EOF).
 *
 * Usage: fwd PORT IP GPORT   (runs until killed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define FWD_MAX	    1024	/* connections at once */
#define FWD_BUF	    (64 * 1024) /* per direction */
#define FWD_BACKLOG 511		/* Linux caps it at somaxconn */

struct dir {
	char *buf;
	size_t len, off;
	int eof;  /* the reader saw EOF; passed on once the buffer is empty */
	int shut; /* passed on */
};

/* s[0]: the host's side, s[1]: the guest's; d[i] carries s[i] -> s[1-i]. */
struct pair {
	int s[2];
	int connecting;
	struct dir d[2];
};

static struct pair *pairs[FWD_MAX];
static struct sockaddr_in target;

static void fwd_close(int i)
{
	struct pair *p = pairs[i];
	close(p->s[0]);
	close(p->s[1]);
	free(p->d[0].buf);
	free(p->d[1].buf);
	free(p);
	pairs[i] = NULL;
}

static void fwd_accept(int lfd)
{
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		return;
	int i;
	for (i = 0; i < FWD_MAX && pairs[i]; i++)
		;
	int g = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct pair *p = calloc(1, sizeof(*p));
	char *b0 = malloc(FWD_BUF), *b1 = malloc(FWD_BUF);
	if (i == FWD_MAX || g < 0 || !p || !b0 || !b1)
		goto fail;
	fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
	if (connect(g, (struct sockaddr *)&target, sizeof(target)) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	*p = (struct pair){ .s = { c, g }, .connecting = 1 };
	p->d[0].buf = b0;
	p->d[1].buf = b1;
	pairs[i] = p;
	return;
fail:
	free(b1);
	free(b0);
	free(p);
	if (g >= 0)
		close(g);
	close(c);
}

/* Move what can be moved in direction k of pair p; -1: the pair ends. */
static int fwd_move(struct pair *p, int k, short rev_in, short rev_out)
{
	struct dir *d = &p->d[k];
	int in = p->s[k], out = p->s[1 - k];
	if ((rev_in & (POLLIN | POLLHUP | POLLERR)) && !d->eof &&
	    d->len < FWD_BUF) {
		ssize_t n = read(in, d->buf + d->len, FWD_BUF - d->len);
		if (n > 0)
			d->len += n;
		else if (n == 0)
			d->eof = 1;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (d->len > d->off && (rev_out & POLLOUT || d->off == 0)) {
		ssize_t n = write(out, d->buf + d->off, d->len - d->off);
		if (n > 0)
			d->off += n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (d->off == d->len)
			d->off = d->len = 0;
	}
	if (d->eof && !d->len && !d->shut) {
		shutdown(out, SHUT_WR);
		d->shut = 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fwd PORT IP GPORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	target.sin_family = AF_INET;
	target.sin_port = htons(atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &target.sin_addr) != 1) {
		fprintf(stderr, "fwd: bad address %s\n", argv[2]);
		return 2;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(atoi(argv[1])) };
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, FWD_BACKLOG) < 0) {
		perror("fwd: listen");
		return 1;
	}
	static struct pollfd pf[1 + 2 * FWD_MAX];
	static int who[1 + 2 * FWD_MAX];
	for (;;) {
		int n = 0;
		pf[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < FWD_MAX; i++) {
			struct pair *p = pairs[i];
			if (!p)
				continue;
			for (int k = 0; k < 2; k++) {
				short ev = 0;
				if (p->connecting) {
					ev = k == 1 ? POLLOUT : 0;
				} else {
					if (!p->d[k].eof &&
					    p->d[k].len < FWD_BUF)
						ev |= POLLIN;
					if (p->d[1 - k].len)
						ev |= POLLOUT;
				}
				who[n] = i * 2 + k;
				pf[n++] = (struct pollfd){ .fd = p->s[k],
							   .events = ev };
			}
		}
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("fwd: poll");
			return 1;
		}
		if (pf[0].revents & POLLIN)
			fwd_accept(lfd);
		for (int j = 1; j + 1 < n; j += 2) {
			int i = who[j] / 2;
			struct pair *p = pairs[i];
			if (!p)
				continue;
			short r0 = pf[j].revents, r1 = pf[j + 1].revents;
			if (p->connecting) {
				if (!r1)
					continue;
				int err = 0;
				socklen_t l = sizeof(err);
				getsockopt(p->s[1], SOL_SOCKET, SO_ERROR, &err,
					   &l);
				if (err) {
					fwd_close(i);
					continue;
				}
				p->connecting = 0;
				continue;
			}
			if (fwd_move(p, 0, r0, r1) < 0 ||
			    fwd_move(p, 1, r1, r0) < 0 ||
			    (p->d[0].shut && p->d[1].shut)) {
				fwd_close(i);
				continue;
			}
			/* An error with nothing left to read ends it too. */
			if (((r0 | r1) & POLLERR) ||
			    (((r0 | r1) & POLLHUP) && p->d[0].eof &&
			     p->d[1].eof && !p->d[0].len && !p->d[1].len))
				fwd_close(i);
		}
	}
}
