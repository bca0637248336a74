/* 10,000 go threads at once, each sending its number once on one
 * unbuffered channel; main receives them all (run in a 64 MiB guest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atman/chan.h>
#include <atman/task.h>

#define N 10000

static chan_t *c;
static int ids[N];

static void send_once(void *arg)
{
	if (chan_send(c, arg) != 0)
		printf("FAIL: send %d\n", *(int *)arg);
}

int main(void)
{
	static unsigned char seen[N];
	c = chan_make(sizeof(int), 0);
	if (!c)
		return 1;
	for (int i = 0; i < N; i++) {
		ids[i] = i;
		int r = go(send_once, &ids[i]);
		if (r) {
			printf("FAIL: go thread %d: %s\n", i, strerror(-r));
			return 1;
		}
	}
	printf("%d go threads started\n", N);
	long sum = 0;
	for (int i = 0; i < N; i++) {
		int v = -1;
		bool ok = false;
		if (chan_recv(c, &v, &ok) != 0 || !ok || v < 0 || v >= N ||
		    seen[v]++) {
			printf("FAIL: receive %d got %d\n", i, v);
			return 1;
		}
		sum += v;
	}
	if (sum != (long)N * (N - 1) / 2) {
		printf("FAIL: sum %ld\n", sum);
		return 1;
	}
	printf("%d go threads: all received\n", N);
	return 0;
}
