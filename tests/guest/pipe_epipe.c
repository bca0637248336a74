#define _GNU_SOURCE
/* A write with no reader left is EPIPE, with SIGPIPE as Linux sends it:
 * ignored, the program carries on; caught, the handler runs once and the
 * write still says EPIPE; blocked, it stays pending. A writer blocked on
 * a full pipe when the last reader closes gets what it wrote, then
 * EPIPE. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile sig_atomic_t caught;

static void on_pipe(int sig)
{
	if (sig == SIGPIPE)
		caught++;
}

static void *close_later(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 100000000 };
	nanosleep(&ts, NULL);
	close(fds[0]);
	return NULL;
}

static void readerless(void)
{
	if (pipe(fds))
		printf("FAIL: pipe\n");
	close(fds[0]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	struct sigaction old;
	sigaction(SIGPIPE, NULL, &old);
	printf("SIGPIPE disposition reads back: %s\n",
	       old.sa_handler == SIG_IGN ? "SIG_IGN" : "other");
	readerless();
	errno = 0;
	ssize_t r = write(fds[1], "x", 1);
	printf("ignored: write gives %zd %s\n", r, strerror(errno));
	close(fds[1]);

	if (pipe(fds))
		return 1;
	pthread_t t;
	pthread_create(&t, NULL, close_later, NULL);
	static char big[100000];
	r = write(fds[1], big, sizeof(big));
	errno = 0;
	ssize_t r2 = write(fds[1], big, 1);
	pthread_join(t, NULL);
	printf("blocked writer, reader closed: wrote %zd, then %zd %s\n", r, r2,
	       strerror(errno));
	close(fds[1]);

	signal(SIGPIPE, on_pipe);
	readerless();
	errno = 0;
	r = write(fds[1], "x", 1);
	printf("caught: write gives %zd %s, handler ran %d time(s)\n", r,
	       strerror(errno), (int)caught);
	close(fds[1]);

	signal(SIGPIPE, SIG_DFL);
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	readerless();
	errno = 0;
	r = write(fds[1], "x", 1);
	sigpending(&pend);
	int pending = sigismember(&pend, SIGPIPE);
	/* Take it, so that unblocking does not end the program. */
	struct timespec zero = { 0, 0 };
	int got = sigtimedwait(&set, NULL, &zero);
	printf("blocked: write gives %zd %s, pending %d, taken %s\n", r,
	       strerror(errno), pending, got == SIGPIPE ? "SIGPIPE" : "none");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("still running\n");
	return 0;
}
