/* Two threads take two mutexes in opposite orders and wait for each
 * other forever; main waits to join them. Nothing can ever run again:
 * the kernel says so (a crash report naming the deadlock and where each
 * thread waits) instead of hanging until someone kills the domain. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

static void *one(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&a);
	usleep(20000);
	pthread_mutex_lock(&b);
	return NULL;
}

static void *two(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&b);
	usleep(20000);
	pthread_mutex_lock(&a);
	return NULL;
}

int main(void)
{
	pthread_t t1, t2;
	pthread_create(&t1, NULL, one, NULL);
	pthread_create(&t2, NULL, two, NULL);
	printf("waiting for two threads that wait for each other\n");
	fflush(stdout);
	pthread_join(t1, NULL);
	printf("FAIL: joined\n");
	return 0;
}
