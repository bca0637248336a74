/* Timers that raise signals: setitimer fires 10 times, alarm ends a
 * pause, timer_create with SIGEV_SIGNAL carries its value and with
 * SIGEV_THREAD runs its function on a thread of its own. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int ticks, last_value, thread_runs;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SI_TIMER)
		last_value = si->si_value.sival_int;
}

static void on_thread(union sigval v)
{
	thread_runs += v.sival_int;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	double t0 = now();
	setitimer(ITIMER_REAL, &it, NULL);
	while (ticks < 10)
		pause();
	double dt = now() - t0;
	struct itimerval off = { 0 }, old;
	setitimer(ITIMER_REAL, &off, &old);
	printf("setitimer: %d ticks, not early %d, interval %ld us\n", ticks,
	       dt >= 0.2, (long)old.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &old);
	printf("getitimer: disarmed %d\n",
	       !old.it_value.tv_sec && !old.it_value.tv_usec);

	ticks = 0;
	alarm(1);
	printf("alarm: left %u\n", alarm(1));
	pause();
	printf("alarm: ticks %d\n", ticks);

	struct sigaction sa = { .sa_sigaction = on_timer,
				.sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGRTMIN,
			       .sigev_value.sival_int = 77 };
	timer_t tm;
	if (timer_create(CLOCK_MONOTONIC, &ev, &tm))
		perror("timer_create");
	struct itimerspec its = { { 0, 0 }, { 0, 30000000 } };
	timer_settime(tm, 0, &its, NULL);
	struct itimerspec cur;
	timer_gettime(tm, &cur);
	printf("timer_gettime: armed %d\n", cur.it_value.tv_nsec > 0);
	while (!last_value)
		pause();
	printf("timer signal: value %d\n", last_value);
	timer_delete(tm);

	struct sigevent tev = { .sigev_notify = SIGEV_THREAD,
				.sigev_notify_function = on_thread,
				.sigev_value.sival_int = 1 };
	if (timer_create(CLOCK_REALTIME, &tev, &tm))
		perror("timer_create thread");
	struct itimerspec per = { { 0, 10000000 }, { 0, 10000000 } };
	timer_settime(tm, 0, &per, NULL);
	while (thread_runs < 5)
		usleep(10000);
	timer_delete(tm);
	printf("timer thread: ran %s\n", thread_runs >= 5 ? "5+ times" : "?");
	puts("timers ok");
	return 0;
}
