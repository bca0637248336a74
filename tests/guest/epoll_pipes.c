#define _GNU_SOURCE
/* epoll over 100 pipes: level-triggered (reported while ready) and
 * edge-triggered (reported once per write), one instance inside another,
 * and 1000 bytes from a writer thread to pipes in random order, received
 * through edge-triggered waits that block. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define N     100
#define BYTES 1000

static int p[N][2];
static int sent[N];

/* The events of one wait: how many, and the sum of their data. */
static int wait_sum(int ep, int timeout, long *sum)
{
	struct epoll_event ev[2 * N];
	int n = epoll_wait(ep, ev, 2 * N, timeout);
	*sum = 0;
	for (int i = 0; i < n; i++)
		*sum += ev[i].data.u32;
	return n;
}

static void *writer(void *arg)
{
	(void)arg;
	uint32_t s = 12345;
	for (int i = 0; i < BYTES; i++) {
		s = s * 1103515245 + 12345;
		int k = (s >> 8) % N;
		sent[k]++;
		if (write(p[k][1], "b", 1) != 1)
			printf("FAIL: write to pipe %d\n", k);
		if (i % 50 == 0) {
			struct timespec ts = { 0, 2000000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int main(void)
{
	int lt = epoll_create1(0), et = epoll_create1(EPOLL_CLOEXEC);
	long want = 0, sum;
	for (int i = 0; i < N; i++) {
		if (pipe2(p[i], O_NONBLOCK)) {
			printf("FAIL: pipe %d\n", i);
			return 1;
		}
		struct epoll_event e = { EPOLLIN, { .u32 = i } };
		epoll_ctl(lt, EPOLL_CTL_ADD, p[i][0], &e);
		e.events = EPOLLIN | EPOLLET;
		epoll_ctl(et, EPOLL_CTL_ADD, p[i][0], &e);
	}
	printf("nothing written: %d ready\n", wait_sum(lt, 0, &sum));

	for (int i = 0; i < N; i += 3) {
		write(p[i][1], "a", 1);
		want += i;
	}
	int n1 = wait_sum(lt, 0, &sum);
	long s1 = sum;
	int n2 = wait_sum(lt, 0, &sum);
	printf("level: wrote to every 3rd pipe: %d ready (data sum %s), "
	       "again %d\n",
	       n1, s1 == want ? "right" : "wrong", n2);
	n1 = wait_sum(et, 0, &sum);
	n2 = wait_sum(et, 0, &sum);
	printf("edge: %d ready, again %d\n", n1, n2);
	for (int i = 0; i < N; i += 9)
		write(p[i][1], "a", 1);
	n1 = wait_sum(et, 0, &sum);
	printf("edge: wrote again to every 9th: %d ready\n", n1);

	int outer = epoll_create1(0);
	struct epoll_event e = { EPOLLIN, { .u32 = 777 } };
	epoll_ctl(outer, EPOLL_CTL_ADD, lt, &e);
	n1 = wait_sum(outer, 0, &sum);
	printf("nested: outer sees the inner one: %d ready, data %ld\n", n1,
	       sum);
	char buf[64];
	for (int i = 0; i < N; i++)
		while (read(p[i][0], buf, sizeof(buf)) > 0)
			;
	n1 = wait_sum(lt, 0, &sum);
	n2 = wait_sum(outer, 0, &sum);
	printf("drained: level %d ready, nested %d\n", n1, n2);

	/* Edge-triggered waits that block, against a writer thread. */
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	int got[N] = { 0 }, total = 0, waits = 0;
	while (total < BYTES) {
		struct epoll_event ev[N];
		int n = epoll_wait(et, ev, N, 10000);
		if (n <= 0) {
			printf("FAIL: epoll_wait gave %d\n", n);
			break;
		}
		waits++;
		for (int i = 0; i < n; i++) {
			int k = ev[i].data.u32;
			ssize_t r;
			while ((r = read(p[k][0], buf, sizeof(buf))) > 0) {
				got[k] += r;
				total += r;
			}
			if (r < 0 && errno != EAGAIN)
				printf("FAIL: read pipe %d\n", k);
		}
	}
	pthread_join(t, NULL);
	int wrong = 0;
	for (int i = 0; i < N; i++)
		wrong += got[i] != sent[i];
	printf("writer thread: %d bytes received, %d pipes with a wrong "
	       "count, %s\n",
	       total, wrong, waits > 1 ? "over several waits" : "at once");
	return 0;
}
