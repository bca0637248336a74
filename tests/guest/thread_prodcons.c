/* Producer/consumer: 3 producers and 3 consumers on a bounded buffer with
 * a mutex and two condition variables; every item arrives exactly once. */
#include <pthread.h>
#include <stdio.h>

#define NPROD	     3
#define NCONS	     3
#define PER_PRODUCER 20000
#define CAP	     8

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long buf[CAP];
static int head, count, producers_left = NPROD;
static long long consumed_sum;
static long consumed_n;

static void *producer(void *arg)
{
	long base = (long)arg * PER_PRODUCER;
	for (long i = 0; i < PER_PRODUCER; i++) {
		pthread_mutex_lock(&m);
		while (count == CAP)
			pthread_cond_wait(&not_full, &m);
		buf[(head + count++) % CAP] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&m);
	}
	pthread_mutex_lock(&m);
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&m);
		while (count == 0 && producers_left)
			pthread_cond_wait(&not_empty, &m);
		if (count == 0) {
			pthread_mutex_unlock(&m);
			return NULL;
		}
		long v = buf[head];
		head = (head + 1) % CAP;
		count--;
		consumed_sum += v;
		consumed_n++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&m);
	}
}

int main(void)
{
	pthread_t p[NPROD], c[NCONS];
	for (long i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (long i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (int i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < NCONS; i++)
		pthread_join(c[i], NULL);
	long long n = (long long)NPROD * PER_PRODUCER;
	printf("consumed %ld items, sum %lld (expected %lld)\n", consumed_n,
	       consumed_sum, n * (n - 1) / 2);
	return consumed_n == n && consumed_sum == n * (n - 1) / 2 ? 0 : 1;
}
