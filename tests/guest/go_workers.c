/* go threads on workers: each starts with fresh __thread variables and
 * errno 0; a go thread that spins does not keep a later one from
 * running; one that blocks makes room for the others (1,000 blocked at
 * once); one that calls pthread_exit ends alone. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include <atman/chan.h>
#include <atman/task.h>

static __thread int tv = 7;
static __thread char tbss[64];
static chan_t *done;
static atomic_int fresh, flag;

static void check_fresh(void *arg)
{
	(void)arg;
	if (tv == 7 && !tbss[10] && errno == 0)
		atomic_fetch_add(&fresh, 1);
	tv = 99;
	tbss[10] = 1;
	errno = EIO;
	int one = 1;
	chan_send(done, &one);
}

static void spinner(void *arg)
{
	(void)arg;
	while (!atomic_load(&flag))
		;
	int one = 1;
	chan_send(done, &one);
}

static void setter(void *arg)
{
	(void)arg;
	atomic_store(&flag, 1);
	int one = 1;
	chan_send(done, &one);
}

static chan_t *gate;
static void blocker(void *arg)
{
	(void)arg;
	int v;
	chan_recv(gate, &v, NULL);
	chan_send(done, &v);
}

static void quitter(void *arg)
{
	(void)arg;
	int one = 1;
	chan_send(done, &one);
	pthread_exit(NULL);
}

static int wait_n(int n)
{
	int got = 0, v;
	for (int i = 0; i < n; i++)
		if (chan_recv(done, &v, NULL) == 0)
			got++;
	return got;
}

int main(void)
{
	done = chan_make(sizeof(int), 2000);
	for (int i = 0; i < 100; i++)
		go(check_fresh, NULL);
	wait_n(100);
	printf("fresh: %d of 100 go threads started with fresh TLS and errno\n",
	       atomic_load(&fresh));

	go(spinner, NULL);
	go(setter, NULL);
	printf("spinner and setter: %d done\n", wait_n(2));

	gate = chan_make(sizeof(int), 0);
	for (int i = 0; i < 1000; i++)
		go(blocker, NULL);
	for (int i = 0; i < 1000; i++) {
		int v = i;
		chan_send(gate, &v);
	}
	printf("blockers: %d of 1000 released\n", wait_n(1000));

	for (int i = 0; i < 10; i++)
		go(quitter, NULL);
	printf("quitters: %d\n", wait_n(10));
	for (int i = 0; i < 10; i++)
		go(check_fresh, NULL);
	printf("after pthread_exit: %d more\n", wait_n(10));
	puts("go workers ok");
	return 0;
}
