/* 10 MiB through a pipe between two threads, in chunks of random sizes
 * on both sides: the reader gets every byte, in order (same count, same
 * FNV-1a checksum as the writer's, and the value known in advance). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define TOTAL (10 << 20)

static int fds[2];
static uint64_t sent_sum, sent_bytes;

static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void *writer(void *arg)
{
	(void)arg;
	static unsigned char buf[200000];
	uint64_t seed = 42, data = 7;
	sent_sum = 0xcbf29ce484222325ULL;
	while (sent_bytes < TOTAL) {
		size_t n = 1 + next(&seed) % sizeof(buf);
		if (n > TOTAL - sent_bytes)
			n = TOTAL - sent_bytes;
		for (size_t i = 0; i < n; i++)
			buf[i] = next(&data) >> 56;
		for (size_t off = 0; off < n;) {
			ssize_t r = write(fds[1], buf + off, n - off);
			if (r <= 0) {
				printf("FAIL: write returned %zd\n", r);
				return NULL;
			}
			off += r;
		}
		sent_sum = fnv(sent_sum, buf, n);
		sent_bytes += n;
	}
	close(fds[1]);
	return NULL;
}

int main(void)
{
	if (pipe(fds)) {
		printf("FAIL: pipe\n");
		return 1;
	}
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	static unsigned char buf[100000];
	uint64_t seed = 9, sum = 0xcbf29ce484222325ULL, got = 0;
	ssize_t r;
	while ((r = read(fds[0], buf, 1 + next(&seed) % sizeof(buf))) > 0) {
		sum = fnv(sum, buf, r);
		got += r;
	}
	pthread_join(t, NULL);
	if (r < 0)
		printf("FAIL: read returned %zd\n", r);
	printf("sent %llu bytes, fnv1a %016llx\n",
	       (unsigned long long)sent_bytes, (unsigned long long)sent_sum);
	printf("received %llu bytes, fnv1a %016llx\n", (unsigned long long)got,
	       (unsigned long long)sum);
	printf("then end of file: %s\n", r == 0 ? "yes" : "no");
	return 0;
}
