/* 100 pthreads created and joined (return values come back), then 100
 * detached ones that report through a mutex and a condition variable. */
#include <pthread.h>
#include <stdio.h>

#define N 100

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int finished;

static void *square(void *arg)
{
	long v = (long)arg;
	return (void *)(v * v);
}

static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	finished++;
	pthread_cond_signal(&done);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	for (long i = 0; i < N; i++)
		if (pthread_create(&t[i], NULL, square, (void *)i)) {
			printf("FAIL: create %ld\n", i);
			return 1;
		}
	long sum = 0;
	for (int i = 0; i < N; i++) {
		void *r;
		if (pthread_join(t[i], &r)) {
			printf("FAIL: join %d\n", i);
			return 1;
		}
		sum += (long)r;
	}
	printf("joined %d, sum of squares %ld\n", N, sum);

	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < N; i++) {
		pthread_t d;
		if (pthread_create(&d, &a, detached, NULL)) {
			printf("FAIL: create detached %d\n", i);
			return 1;
		}
	}
	pthread_mutex_lock(&m);
	while (finished < N)
		pthread_cond_wait(&done, &m);
	pthread_mutex_unlock(&m);
	printf("detached %d, all finished\n", finished);
	return 0;
}
