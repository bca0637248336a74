#define _GNU_SOURCE
/* Signals and blocked calls on files, as on Linux: a handler without
 * SA_RESTART ends a blocked read with EINTR; with SA_RESTART the read
 * goes on and gets the data written later; poll and epoll_wait end with
 * EINTR either way; pselect and epoll_pwait let a blocked signal in only
 * while they wait, and the mask is back after its handler. A blocked
 * signal does not end a wait. The signal comes from another thread (pthread_kill). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static pthread_t main_thread;
static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static void msleep(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* Signal the main thread, then (if asked) write a byte. */
static void *poke(void *arg)
{
	msleep(100);
	pthread_kill(main_thread, SIGUSR1);
	if (arg) {
		msleep(100);
		write(fds[1], "d", 1);
	}
	return NULL;
}

static void handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
}

static const char *res(long r)
{
	static char buf[32];
	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%ld", r);
		return buf;
	}
	return errno == EINTR ? "EINTR" : strerror(errno);
}

int main(void)
{
	main_thread = pthread_self();
	if (pipe(fds))
		return 1;
	char c;
	pthread_t t;

	handler(0);
	pthread_create(&t, NULL, poke, NULL);
	errno = 0;
	long r = read(fds[0], &c, 1);
	pthread_join(t, NULL);
	printf("no SA_RESTART: read gives %s, handler ran %d\n", res(r),
	       (int)caught);

	handler(SA_RESTART);
	caught = 0;
	pthread_create(&t, NULL, poke, (void *)1);
	errno = 0;
	r = read(fds[0], &c, 1);
	pthread_join(t, NULL);
	printf("SA_RESTART: read gives %s ('%c'), handler ran %d\n", res(r),
	       r == 1 ? c : '?', (int)caught);

	caught = 0;
	pthread_create(&t, NULL, poke, NULL);
	struct pollfd p = { fds[0], POLLIN, 0 };
	errno = 0;
	r = poll(&p, 1, -1);
	pthread_join(t, NULL);
	printf("SA_RESTART: poll gives %s, handler ran %d\n", res(r),
	       (int)caught);

	caught = 0;
	int ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN, { .u32 = 0 } };
	epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
	pthread_create(&t, NULL, poke, NULL);
	errno = 0;
	r = epoll_wait(ep, &ev, 1, -1);
	pthread_join(t, NULL);
	printf("SA_RESTART: epoll_wait gives %s, handler ran %d\n", res(r),
	       (int)caught);

	/* The race-free wait: SIGUSR1 blocked but while waiting. */
	sigset_t usr1, none, now;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	caught = 0;
	pthread_create(&t, NULL, poke, NULL);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(fds[0], &rs);
	errno = 0;
	r = pselect(fds[0] + 1, &rs, NULL, NULL, NULL, &none);
	pthread_join(t, NULL);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("pselect with SIGUSR1 let in: %s, handler ran %d, blocked again "
	       "%d\n",
	       res(r), (int)caught, sigismember(&now, SIGUSR1));
	caught = 0;
	pthread_create(&t, NULL, poke, NULL);
	errno = 0;
	r = epoll_pwait(ep, &ev, 1, -1, &none);
	pthread_join(t, NULL);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("epoll_pwait with SIGUSR1 let in: %s, handler ran %d, blocked "
	       "again %d\n",
	       res(r), (int)caught, sigismember(&now, SIGUSR1));
	/* Blocked, it waits: poll times out, the signal stays pending. */
	pthread_create(&t, NULL, poke, NULL);
	struct pollfd p2 = { fds[0], POLLIN, 0 };
	r = poll(&p2, 1, 300);
	pthread_join(t, NULL);
	sigset_t pend;
	sigpending(&pend);
	printf("poll with SIGUSR1 blocked: %s, pending %d\n", res(r),
	       sigismember(&pend, SIGUSR1));
	return 0;
}
