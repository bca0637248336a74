/* Signals as Linux delivers them: handlers, siginfo, masks, pending
 * sets, sigsuspend, sigtimedwait, sigqueue, a handler on another
 * thread, EINTR from a sleep, SIGKILL that cannot be caught. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got, got_code, got_pid, got_value;
static volatile pid_t got_tid;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_value = si->si_value.sival_int;
	got_tid = syscall(SYS_gettid);
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = on_info,
				.sa_flags = SA_SIGINFO | flags };
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		perror("sigaction");
}

static void *blocker(void *p)
{
	(void)p;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sleep(1);
	return NULL;
}

static void *waiter(void *p)
{
	(void)p;
	struct timespec ts = { 0, 300 * 1000000 };
	nanosleep(&ts, NULL);
	return NULL;
}

int main(void)
{
	handle(SIGUSR1, 0);
	raise(SIGUSR1);
	printf("raise: handler %d code %s pid %d\n", (int)got,
	       got_code == SI_TKILL ? "SI_TKILL" : "other", (int)got_pid);

	/* Blocked: pending, not run, until unblocked. */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	got = 0;
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	printf("blocked: ran %d pending %d\n", (int)got,
	       sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("unblocked: ran %d\n", (int)got);

	/* sigqueue carries a value; kill() is SI_USER. */
	got = 0;
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });
	printf("sigqueue: code %s value %d\n",
	       got_code == SI_QUEUE ? "SI_QUEUE" : "other", (int)got_value);
	kill(getpid(), SIGUSR1);
	printf("kill: code %s\n", got_code == SI_USER ? "SI_USER" : "other");

	/* sigtimedwait takes a blocked signal without a handler. */
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int r = sigtimedwait(&s, &si, &zero);
	printf("sigtimedwait: %d (%s)\n", r,
	       r == SIGUSR1 ? "SIGUSR1" : "wrong");
	struct timespec short_ts = { 0, 50 * 1000000 };
	r = sigtimedwait(&s, &si, &short_ts);
	printf("sigtimedwait empty: %s\n",
	       r < 0 && errno == EAGAIN ? "EAGAIN" : "wrong");
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* A signal for the process goes to a thread that does not block
	 * it: here the main thread, while the other blocks everything. */
	pthread_t th;
	pthread_create(&th, NULL, blocker, NULL);
	usleep(100000);
	got = 0;
	kill(getpid(), SIGUSR1);
	printf("process signal: ran on main %d\n", got && got_tid == getpid());
	pthread_join(th, NULL);

	/* pthread_kill: the handler runs on the thread it was sent to,
	 * and ends its sleep. */
	handle(SIGUSR2, 0);
	got = 0;
	pthread_create(&th, NULL, waiter, NULL);
	usleep(100000);
	pthread_kill(th, SIGUSR2);
	pthread_join(th, NULL);
	printf("pthread_kill: ran on the other thread %d\n",
	       got == SIGUSR2 && got_tid != getpid());

	/* A sleep that a handler interrupts says EINTR, with what is left. */
	handle(SIGALRM, 0);
	alarm(1);
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	r = nanosleep(&req, &rem);
	printf("nanosleep: %s, %s left\n",
	       r < 0 && errno == EINTR ? "EINTR" : "wrong",
	       rem.tv_sec >= 3 && rem.tv_sec <= 4 ? "3-4 s" : "wrong");

	/* sigsuspend: waits with the given mask, then the old one is back. */
	sigprocmask(SIG_BLOCK, &s, NULL);
	got = 0;
	alarm(1);
	sigset_t none;
	sigemptyset(&none);
	r = sigsuspend(&none);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("sigsuspend: %s, ran %d, SIGUSR1 still blocked %d\n",
	       r < 0 && errno == EINTR ? "EINTR" : "wrong", (int)got,
	       sigismember(&now, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* SA_RESETHAND: once, then the default again. */
	struct sigaction sa = { .sa_sigaction = on_info,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	printf("resethand: default again %d\n", cur.sa_handler == SIG_DFL);

	/* SIGKILL and SIGSTOP keep their actions. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	printf("sigaction(SIGKILL): %s\n",
	       sigaction(SIGKILL, &sa, NULL) < 0 && errno == EINVAL ? "EINVAL"
								    : "wrong");
	/* Ignored: nothing happens. */
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("signals ok\n");
	return 0;
}
