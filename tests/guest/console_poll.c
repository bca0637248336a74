#define _GNU_SOURCE
/* The console is a file like the others: poll, select and epoll on stdin
 * time out (no input comes) after sleeping once, never early; stdout is
 * writable at once; a non-blocking read of stdin is EAGAIN. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static long sleeps(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

static const char *early(long long t0, int ms)
{
	return now_ms() - t0 >= ms ? "not early" : "EARLY";
}

int main(void)
{
	struct pollfd in = { 0, POLLIN, 0 };
	long s0 = sleeps();
	long long t0 = now_ms();
	int n = poll(&in, 1, 200);
	long slept = sleeps() - s0;
	printf("poll stdin for 200 ms: %d ready, slept %ld time(s), %s\n", n,
	       slept, early(t0, 200));

	struct pollfd both[2] = { { 0, POLLIN, 0 }, { 1, POLLOUT, 0 } };
	n = poll(both, 2, -1);
	printf("poll stdin and stdout: %d ready, stdout %s\n", n,
	       both[1].revents == POLLOUT ? "POLLOUT" : "other");

	fd_set r;
	FD_ZERO(&r);
	FD_SET(0, &r);
	struct timeval tv = { 0, 100000 };
	t0 = now_ms();
	n = select(1, &r, NULL, NULL, &tv);
	printf("select stdin for 100 ms: %d ready, %s\n", n, early(t0, 100));

	int ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN, { .u32 = 1 } };
	int c = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
	t0 = now_ms();
	n = epoll_wait(ep, &ev, 1, 100);
	printf("epoll stdin for 100 ms: ctl %d, %d ready, %s\n", c, n,
	       early(t0, 100));

	int fl = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, fl | O_NONBLOCK);
	char ch;
	errno = 0;
	ssize_t rr = read(0, &ch, 1);
	printf("non-blocking read of stdin: %zd %s\n", rr,
	       errno == EAGAIN ? "EAGAIN" : strerror(errno));
	fcntl(0, F_SETFL, fl);
	return 0;
}
