/* Unbuffered channels: a send waits for its receiver and the element goes
 * straight across; ping-pong between main and a go thread, and a go
 * thread talking to a pthread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <atman/chan.h>
#include <atman/task.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);    \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define ROUNDS 10000

static volatile int sent;

static void sender(void *arg)
{
	chan_t *c = arg;
	for (int i = 0; i < 3; i++) {
		CHECK(chan_send(c, &i) == 0);
		sent = i + 1;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	nanosleep(&ts, NULL);
}

/* Echo every number back, plus one, until the channel closes. */
static void echo(void *arg)
{
	chan_t **c = arg;
	long v;
	bool ok;
	while (chan_recv(c[0], &v, &ok) == 0 && ok) {
		v++;
		CHECK(chan_send(c[1], &v) == 0);
	}
	CHECK(chan_close(c[1]) == 0);
}

static void *echo_pthread(void *arg)
{
	echo(arg);
	return NULL;
}

static void pingpong(const char *who, chan_t **c)
{
	for (long i = 0; i < ROUNDS; i++) {
		long v = i;
		bool ok = false;
		CHECK(chan_send(c[0], &v) == 0);
		CHECK(chan_recv(c[1], &v, &ok) == 0);
		CHECK(ok && v == i + 1);
	}
	CHECK(chan_close(c[0]) == 0);
	long v;
	bool ok = true;
	CHECK(chan_recv(c[1], &v, &ok) == 0 && !ok);
	printf("%s: %d round trips\n", who, ROUNDS);
}

int main(void)
{
	/* The sender blocks until we receive, one element at a time. */
	chan_t *c = chan_make(sizeof(int), 0);
	CHECK(c);
	CHECK(go(sender, c) == 0);
	sleep_ms(20);
	CHECK(sent == 0);
	for (int i = 0; i < 3; i++) {
		int v = -1;
		bool ok = false;
		CHECK(chan_recv(c, &v, &ok) == 0 && ok && v == i);
		sleep_ms(20);
		CHECK(sent == i + 1);
	}
	CHECK(chan_destroy(c) == 0);
	printf("unbuffered send waits for its receiver\n");

	/* Ping-pong with a go thread, then with a pthread. */
	chan_t *pp[2] = { chan_make(sizeof(long), 0),
			  chan_make(sizeof(long), 0) };
	CHECK(pp[0] && pp[1]);
	CHECK(go(echo, pp) == 0);
	pingpong("go thread", pp);
	CHECK(chan_destroy(pp[0]) == 0 && chan_destroy(pp[1]) == 0);

	chan_t *pq[2] = { chan_make(sizeof(long), 0),
			  chan_make(sizeof(long), 0) };
	CHECK(pq[0] && pq[1]);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, echo_pthread, pq) == 0);
	pingpong("pthread", pq);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(chan_destroy(pq[0]) == 0 && chan_destroy(pq[1]) == 0);

	printf("handoff ok\n");
	return 0;
}
