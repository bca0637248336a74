#define _GNU_SOURCE
/* A non-blocking pipe: EAGAIN when empty, 64 KiB of room, atomic writes
 * refused whole; poll sleeps until another thread's write (once: no
 * periodic recheck, counted as the thread's voluntary context switches)
 * or read wakes it; the writer's close is POLLHUP and end of file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static char buf[1 << 17];

static void msleep(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static long sleeps(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

static void *write_later(void *arg)
{
	(void)arg;
	msleep(100);
	if (write(fds[1], "x", 1) != 1)
		printf("FAIL: helper write\n");
	return NULL;
}

static void *read_later(void *arg)
{
	(void)arg;
	msleep(100);
	if (read(fds[0], buf, 8192) != 8192)
		printf("FAIL: helper read\n");
	return NULL;
}

static void *close_later(void *arg)
{
	(void)arg;
	msleep(100);
	close(fds[1]);
	return NULL;
}

static const char *err(long r)
{
	return r >= 0 ? "ok" : errno == EAGAIN ? "EAGAIN" : strerror(errno);
}

int main(void)
{
	if (pipe2(fds, O_NONBLOCK)) {
		printf("FAIL: pipe2\n");
		return 1;
	}
	long r = read(fds[0], buf, 1);
	printf("empty pipe, non-blocking read: %s\n", err(r));

	long total = 0;
	while ((r = write(fds[1], "y", 1)) == 1)
		total++;
	printf("filled with 1-byte writes: %ld bytes, then %s\n", total,
	       err(r));
	struct pollfd wp = { fds[1], POLLOUT, 0 };
	printf("full: poll for POLLOUT gives %d\n", poll(&wp, 1, 0));

	read(fds[0], buf, 100);
	r = write(fds[1], buf, 200);
	printf("100 bytes of room: a 200-byte write is %s", err(r));
	read(fds[0], buf, PIPE_BUF);
	r = write(fds[1], buf, PIPE_BUF);
	printf("; %d: a %d-byte write %s\n", 100 + PIPE_BUF, PIPE_BUF, err(r));

	/* Drain, then wait for a write from another thread. */
	while (read(fds[0], buf, sizeof(buf)) > 0)
		;
	pthread_t t;
	pthread_create(&t, NULL, write_later, NULL);
	struct pollfd rp = { fds[0], POLLIN, 0 };
	long s0 = sleeps();
	int n = poll(&rp, 1, 10000);
	long slept = sleeps() - s0;
	pthread_join(t, NULL);
	printf("poll woke on data: %d ready, revents %s, slept %ld time(s)\n",
	       n, rp.revents == POLLIN ? "POLLIN" : "other", slept);
	read(fds[0], buf, 1);

	/* Full again; a reader thread makes room. */
	while (write(fds[1], buf, 4096) > 0)
		;
	pthread_create(&t, NULL, read_later, NULL);
	wp.revents = 0;
	s0 = sleeps();
	n = poll(&wp, 1, 10000);
	slept = sleeps() - s0;
	pthread_join(t, NULL);
	printf("poll woke on room: %d ready, revents %s, slept %ld time(s)\n",
	       n, wp.revents == POLLOUT ? "POLLOUT" : "other", slept);
	while (read(fds[0], buf, sizeof(buf)) > 0)
		;

	/* The writer closes: POLLHUP, then end of file. */
	pthread_create(&t, NULL, close_later, NULL);
	rp.revents = 0;
	n = poll(&rp, 1, 10000);
	pthread_join(t, NULL);
	printf("writer closed: %d ready, revents %s, read gives %ld\n", n,
	       rp.revents == POLLHUP ? "POLLHUP" : "other",
	       (long)read(fds[0], buf, 1));
	return 0;
}
