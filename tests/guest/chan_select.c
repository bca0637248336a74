/* select: a default when nothing is ready, a timeout that never ends
 * early, a fair choice among ready cases, NULL cases never chosen, and a
 * select woken by another thread. */
#include <errno.h>
#include <stdint.h>
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

#define MS     1000000LL
#define ROUNDS 40000

static int64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void send_later(void *arg)
{
	chan_t *c = arg;
	struct timespec ts = { 0, 30 * MS };
	nanosleep(&ts, NULL);
	int v = 42;
	CHECK(chan_send(c, &v) == 0);
}

int main(void)
{
	chan_t *a = chan_make(sizeof(int), 1), *b = chan_make(sizeof(int), 0);
	CHECK(a && b);
	int va = -1, vb = -1, one = 1;

	/* Default. */
	chan_case_t cs[] = { CHAN_RECV_CASE(a, &va), CHAN_RECV_CASE(b, &vb) };
	CHECK(chan_select(cs, 2, CHAN_NOWAIT) == -EAGAIN);
	CHECK(chan_send(a, &one) == 0);
	CHECK(chan_select(cs, 2, CHAN_NOWAIT) == 0 && cs[0].ok && va == 1);
	printf("select: default when nothing is ready\n");

	/* Timeout: never early. */
	for (int i = 0; i < 5; i++) {
		int64_t t0 = now();
		CHECK(chan_select(cs, 2, 20 * MS) == -ETIMEDOUT);
		int64_t took = now() - t0;
		CHECK(took >= 20 * MS);
	}
	CHECK(chan_select(NULL, 0, 10 * MS) == -ETIMEDOUT);
	CHECK(chan_select(NULL, 0, CHAN_FOREVER) == -EDEADLK);
	printf("select: timeout, never early\n");

	/* Woken by a go thread before the timeout. */
	CHECK(go(send_later, b) == 0);
	int64_t t0 = now();
	CHECK(chan_select(cs, 2, 10000 * MS) == 1 && cs[1].ok && vb == 42);
	CHECK(now() - t0 >= 30 * MS);
	printf("select: woken by a sender\n");

	/* Fairness: four ready cases and two NULL ones. */
	chan_t *c[4];
	for (int i = 0; i < 4; i++)
		CHECK((c[i] = chan_make(sizeof(int), 1)));
	CHECK(chan_send(c[0], &one) == 0 && chan_send(c[1], &one) == 0);
	int v;
	chan_case_t fc[] = {
		CHAN_RECV_CASE(c[0], &v), CHAN_SEND_CASE(NULL, &one),
		CHAN_RECV_CASE(c[1], &v), CHAN_SEND_CASE(c[2], &one),
		CHAN_RECV_CASE(NULL, &v), CHAN_SEND_CASE(c[3], &one),
	};
	int count[6] = { 0 };
	for (int round = 0; round < ROUNDS; round++) {
		int i = chan_select(fc, 6, CHAN_FOREVER);
		CHECK(i >= 0 && i < 6 && fc[i].ok);
		count[i]++;
		if (fc[i].op == CHAN_RECV)
			CHECK(chan_send(fc[i].chan, &one) == 0);
		else
			CHECK(chan_recv(fc[i].chan, &v, NULL) == 0);
	}
	CHECK(count[1] == 0 && count[4] == 0);
	static const int ready[] = { 0, 2, 3, 5 };
	for (int j = 0; j < 4; j++) {
		int n = count[ready[j]];
		if (n < ROUNDS / 4 * 95 / 100 || n > ROUNDS / 4 * 105 / 100) {
			printf("FAIL: case %d chosen %d times of %d\n",
			       ready[j], n, ROUNDS);
			return 1;
		}
	}
	printf("select: fair over %d rounds, NULL cases never chosen\n",
	       ROUNDS);
	for (int i = 0; i < 4; i++)
		CHECK(chan_destroy(c[i]) == 0);
	CHECK(chan_destroy(a) == 0 && chan_destroy(b) == 0);
	printf("select ok\n");
	return 0;
}
