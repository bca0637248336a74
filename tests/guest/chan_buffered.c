/* Buffered channels: exactly `capacity` sends complete without a
 * receiver; elements come out in the order they went in, also from
 * senders that blocked on a full buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <atman/chan.h>
#include <atman/task.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);    \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define PRODUCERS 4
#define EACH	  5000

struct producer {
	chan_t *c;
	int id;
};

static void produce(void *arg)
{
	struct producer *p = arg;
	for (int i = 0; i < EACH; i++) {
		int v = p->id * EACH + i;
		CHECK(chan_send(p->c, &v) == 0);
	}
}

int main(void)
{
	for (int cap = 1; cap <= 64; cap *= 4) {
		chan_t *c = chan_make(sizeof(int), cap);
		CHECK(c);
		for (int i = 0; i < cap; i++)
			CHECK(chan_trysend(c, &i) == 0);
		int x = -1;
		CHECK(chan_trysend(c, &x) == -EAGAIN);
		for (int i = 0; i < cap; i++) {
			int v = -1;
			bool ok = false;
			CHECK(chan_recv(c, &v, &ok) == 0 && ok && v == i);
		}
		CHECK(chan_tryrecv(c, &x, NULL) == -EAGAIN);
		CHECK(chan_destroy(c) == 0);
		printf("capacity %d: holds %d, in order\n", cap, cap);
	}

	/* Several producers on a small buffer: each one's order holds. */
	chan_t *c = chan_make(sizeof(int), 3);
	CHECK(c);
	struct producer p[PRODUCERS];
	for (int k = 0; k < PRODUCERS; k++) {
		p[k] = (struct producer){ c, k };
		CHECK(go(produce, &p[k]) == 0);
	}
	int last[PRODUCERS];
	for (int k = 0; k < PRODUCERS; k++)
		last[k] = -1;
	for (int i = 0; i < PRODUCERS * EACH; i++) {
		int v = -1;
		bool ok = false;
		CHECK(chan_recv(c, &v, &ok) == 0 && ok);
		int k = v / EACH;
		CHECK(k >= 0 && k < PRODUCERS);
		CHECK(v % EACH == last[k] + 1);
		last[k] = v % EACH;
	}
	CHECK(chan_tryrecv(c, NULL, NULL) == -EAGAIN);
	CHECK(chan_destroy(c) == 0);
	printf("%d producers x %d: each in order\n", PRODUCERS, EACH);
	printf("buffered ok\n");
	return 0;
}
