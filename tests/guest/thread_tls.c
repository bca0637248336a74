/* __thread variables are per thread: initialised ones start from the
 * image's value in every thread, zero ones at zero, and no thread sees
 * another's writes. */
#include <pthread.h>
#include <stdio.h>

static __thread int counter = 42;
static __thread char name[32] = "initial";
static __thread long zeroed[64];

static void *work(void *arg)
{
	long id = (long)arg;
	long bad = 0;
	if (counter != 42 || name[0] != 'i')
		bad++;
	for (int i = 0; i < 64; i++)
		if (zeroed[i])
			bad++;
	for (int round = 0; round < 1000; round++) {
		counter += (int)id;
		zeroed[round % 64] = id;
	}
	snprintf(name, sizeof(name), "thread %ld", id);
	for (int i = 0; i < 50000; i++)
		if (zeroed[i % 64] != id)
			bad++;
	if (counter != 42 + 1000 * (int)id)
		bad++;
	return (void *)bad;
}

int main(void)
{
	pthread_t t[50];
	counter = 7;
	for (long i = 0; i < 50; i++)
		pthread_create(&t[i], NULL, work, (void *)(i + 1));
	long bad = 0;
	for (int i = 0; i < 50; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("tls: 50 threads, %ld wrong values; main still %d \"%s\"\n", bad,
	       counter, name);
	return bad != 0 || counter != 7;
}
