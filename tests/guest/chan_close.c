/* close: buffered elements drain, then receives get ok false and a
 * zeroed element; blocked receivers and senders (go threads and a
 * pthread) all wake; sending on or closing a closed channel is an error
 * returned, not a crash. */
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

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	nanosleep(&ts, NULL);
}

struct party {
	chan_t *c;
	int r;
	bool ok;
	int v;
	chan_t *done;
};

static void receive(void *arg)
{
	struct party *p = arg;
	p->v = 12345;
	p->ok = true;
	p->r = chan_recv(p->c, &p->v, &p->ok);
	CHECK(chan_send(p->done, NULL) == 0);
}

static void *receive_pthread(void *arg)
{
	receive(arg);
	return NULL;
}

static void send(void *arg)
{
	struct party *p = arg;
	p->r = chan_send(p->c, &p->v);
	CHECK(chan_send(p->done, NULL) == 0);
}

int main(void)
{
	chan_t *done = chan_make(0, 16);
	CHECK(done);

	/* Drain, then not ok. */
	chan_t *c = chan_make(sizeof(int), 4);
	CHECK(c);
	for (int i = 1; i <= 3; i++)
		CHECK(chan_send(c, &i) == 0);
	CHECK(chan_close(c) == 0);
	CHECK(chan_close(c) == -EPIPE);
	int x = 9;
	CHECK(chan_send(c, &x) == -EPIPE);
	CHECK(chan_trysend(c, &x) == -EPIPE);
	for (int i = 1; i <= 3; i++) {
		int v = -1;
		bool ok = false;
		CHECK(chan_recv(c, &v, &ok) == 0 && ok && v == i);
	}
	for (int i = 0; i < 3; i++) {
		int v = -1;
		bool ok = true;
		CHECK(chan_recv(c, &v, &ok) == 0 && !ok && v == 0);
	}
	CHECK(chan_destroy(c) == 0);
	printf("close: drained 3, then ok false\n");

	/* Blocked receivers: three go threads and a pthread. */
	c = chan_make(sizeof(int), 0);
	CHECK(c);
	struct party r[4];
	for (int k = 0; k < 4; k++) {
		r[k] = (struct party){ .c = c, .done = done };
		if (k < 3) {
			CHECK(go(receive, &r[k]) == 0);
		} else {
			pthread_t t;
			CHECK(pthread_create(&t, NULL, receive_pthread,
					     &r[k]) == 0);
			CHECK(pthread_detach(t) == 0);
		}
	}
	sleep_ms(50);
	CHECK(chan_destroy(c) == -EBUSY);
	CHECK(chan_close(c) == 0);
	for (int k = 0; k < 4; k++)
		CHECK(chan_recv(done, NULL, NULL) == 0);
	for (int k = 0; k < 4; k++)
		CHECK(r[k].r == 0 && !r[k].ok && r[k].v == 0);
	CHECK(chan_destroy(c) == 0);
	printf("close: woke 4 blocked receivers\n");

	/* Blocked senders, unbuffered and on a full buffer. */
	for (int cap = 0; cap <= 2; cap += 2) {
		c = chan_make(sizeof(int), cap);
		CHECK(c);
		for (int i = 0; i < cap; i++)
			CHECK(chan_send(c, &i) == 0);
		struct party s[3];
		for (int k = 0; k < 3; k++) {
			s[k] = (struct party){ .c = c, .done = done, .v = k };
			CHECK(go(send, &s[k]) == 0);
		}
		sleep_ms(50);
		CHECK(chan_close(c) == 0);
		for (int k = 0; k < 3; k++)
			CHECK(chan_recv(done, NULL, NULL) == 0);
		for (int k = 0; k < 3; k++)
			CHECK(s[k].r == -EPIPE);
		for (int i = 0; i < cap; i++) {
			int v = -1;
			bool ok = false;
			CHECK(chan_recv(c, &v, &ok) == 0 && ok && v == i);
		}
		bool ok = true;
		CHECK(chan_recv(c, &x, &ok) == 0 && !ok);
		CHECK(chan_destroy(c) == 0);
		printf("close: woke 3 blocked senders (capacity %d): -EPIPE\n",
		       cap);
	}

	CHECK(chan_close(NULL) == -EINVAL);
	CHECK(chan_destroy(done) == 0);
	printf("close ok\n");
	return 0;
}
