/*
 * The toolstack's shutdown requests (drivers/xen/control.c): dom0's
 * half (shutdown.sh) waits for "waiting", then asks. argv[1] says how
 * this program takes SIGTERM:
 *   handler  a handler; main sleeps in pause() meanwhile, every thread
 *            blocked (not a deadlock: the signal may come)
 *   sigwait  SIGTERM blocked, main in sigwaitinfo, a second thread
 *            blocked in a pipe read
 *   ignore   SIG_IGN: the kernel ends it after atman.stop_timeout
 *   default  SIG_DFL: SIGTERM ends it, status 143
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int code;

static void on_term(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	code = si->si_code;
}

static int pipefd[2];

static void *reader(void *arg)
{
	char c;
	(void)arg;
	return (void *)(long)read(pipefd[0], &c, 1);
}

static const char *code_name(int c)
{
	return c == SI_KERNEL ? "SI_KERNEL" : c == SI_USER ? "SI_USER" : "?";
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "handler";
	if (!strcmp(how, "handler")) {
		struct sigaction sa = { .sa_sigaction = on_term,
					.sa_flags = SA_SIGINFO };
		sigaction(SIGTERM, &sa, NULL);
		printf("shutdown: waiting for SIGTERM (handler)\n");
		fflush(stdout);
		while (!got)
			pause();
		printf("shutdown: SIGTERM (%s) in the handler: exiting 0\n",
		       code_name(code));
		return 0;
	}
	if (!strcmp(how, "sigwait")) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		pipe(pipefd);
		pthread_t t;
		pthread_create(&t, NULL, reader, NULL);
		printf("shutdown: waiting for SIGTERM (sigwaitinfo)\n");
		fflush(stdout);
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		write(pipefd[1], "x", 1);
		void *r;
		pthread_join(t, &r);
		printf("shutdown: sigwaitinfo took signal %d (%s); the reader "
		       "read %ld: exiting 0\n",
		       sig, code_name(si.si_code), (long)r);
		return 0;
	}
	if (!strcmp(how, "ignore"))
		signal(SIGTERM, SIG_IGN);
	else if (strcmp(how, "default")) {
		printf("shutdown: no mode %s\n", how);
		return 2;
	}
	printf("shutdown: waiting for SIGTERM (%s)\n", how);
	fflush(stdout);
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}
