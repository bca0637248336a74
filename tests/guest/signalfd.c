/* signalfd: blocked signals read as data, alone and inside epoll, from a
 * timer and from another thread; SFD_NONBLOCK says EAGAIN when none is
 * pending; the set can be changed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <unistd.h>

static void *sender(void *p)
{
	(void)p;
	usleep(50000);
	kill(getpid(), SIGUSR2);
	return NULL;
}

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
	printf("signalfd: %s\n", fd >= 0 ? "ok" : "failed");

	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));
	printf("empty: %s\n", n < 0 && errno == EAGAIN ? "EAGAIN" : "wrong");

	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 5 });
	n = read(fd, &si, sizeof(si));
	printf("read: %zd bytes, signal %u, code %s, value %d\n", n,
	       si.ssi_signo, si.ssi_code == SI_QUEUE ? "SI_QUEUE" : "other",
	       si.ssi_int);

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	pthread_t th;
	pthread_create(&th, NULL, sender, NULL);
	struct epoll_event out;
	int k = epoll_wait(ep, &out, 1, 5000);
	n = read(fd, &si, sizeof(si));
	printf("epoll: %d ready, then signal %u\n", k, si.ssi_signo);
	pthread_join(th, NULL);

	struct itimerval it = { { 0, 0 }, { 0, 30000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	k = epoll_wait(ep, &out, 1, 5000);
	n = read(fd, &si, sizeof(si));
	printf("timer: %d ready, then signal %u\n", k, si.ssi_signo);

	/* A smaller set: SIGUSR1 pends, but is not this signalfd's now. */
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	printf("set changed: %s\n",
	       signalfd(fd, &only2, 0) == fd ? "same fd" : "wrong");
	raise(SIGUSR1);
	n = read(fd, &si, sizeof(si));
	printf("not in the set: %s\n",
	       n < 0 && errno == EAGAIN ? "EAGAIN" : "wrong");
	sigset_t pend;
	sigpending(&pend);
	printf("still pending: %d\n", sigismember(&pend, SIGUSR1));
	puts("signalfd ok");
	return 0;
}
