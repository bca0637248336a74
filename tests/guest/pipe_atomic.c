/* Writes of at most PIPE_BUF bytes are never interleaved: 8 threads write
 * records of varying sizes (1 .. PIPE_BUF bytes) to one pipe, which is
 * often nearly full, while the main thread reads in odd-sized pieces and
 * checks that the stream is whole records, each writer's in order. */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WRITERS 8
#define RECORDS 2000

static int fds[2];

/* Record seq of writer id: its length, and its bytes after the header. */
static size_t rec_len(int id, int seq)
{
	return 4 + (seq * 2477u + id * 613u) % (PIPE_BUF - 3);
}

static unsigned char rec_byte(int id, int seq, size_t i)
{
	return (unsigned char)(id * 37 + seq * 11 + i);
}

static void *writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	static unsigned char bufs[WRITERS][PIPE_BUF];
	unsigned char *b = bufs[id];
	for (int seq = 0; seq < RECORDS; seq++) {
		size_t len = rec_len(id, seq);
		b[0] = id;
		b[1] = seq & 0xff;
		b[2] = seq >> 8;
		b[3] = 0xa5;
		for (size_t i = 4; i < len; i++)
			b[i] = rec_byte(id, seq, i);
		ssize_t r = write(fds[1], b, len);
		if (r != (ssize_t)len) {
			printf("FAIL: writer %d: write of %zu gave %zd\n", id,
			       len, r);
			return NULL;
		}
	}
	return NULL;
}

int main(void)
{
	if (pipe(fds)) {
		printf("FAIL: pipe\n");
		return 1;
	}
	pthread_t t[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
	/* Close our write end once they are done: then end of file. */
	static unsigned char stream[2 * PIPE_BUF];
	size_t have = 0;
	int next[WRITERS] = { 0 }, whole = 0, torn = 0, disorder = 0;
	int joined = 0;
	for (;;) {
		unsigned char chunk[3001];
		size_t want = sizeof(chunk);
		if (want > sizeof(stream) - have)
			want = sizeof(stream) - have;
		ssize_t r = read(fds[0], stream + have, want);
		if (r < 0) {
			printf("FAIL: read\n");
			break;
		}
		have += r;
		/* Take every whole record from the front. */
		size_t at = 0;
		while (have - at >= 4) {
			int id = stream[at],
			    seq = stream[at + 1] | stream[at + 2] << 8;
			if (id >= WRITERS || stream[at + 3] != 0xa5) {
				torn++;
				break;
			}
			size_t len = rec_len(id, seq);
			if (have - at < len)
				break;
			for (size_t i = 4; i < len; i++)
				if (stream[at + i] != rec_byte(id, seq, i)) {
					torn++;
					break;
				}
			if (seq != next[id])
				disorder++;
			next[id] = seq + 1;
			whole++;
			at += len;
		}
		memmove(stream, stream + at, have - at);
		have -= at;
		if (torn)
			break;
		if (whole == WRITERS * RECORDS && !joined) {
			for (int i = 0; i < WRITERS; i++)
				pthread_join(t[i], NULL);
			joined = 1;
			close(fds[1]);
		}
		if (r == 0)
			break;
	}
	if (!joined)
		for (int i = 0; i < WRITERS; i++)
			pthread_join(t[i], NULL);
	printf("%d writers x %d records of 4..%d bytes: %d whole, %d torn, "
	       "%d out of order, %zu bytes left over\n",
	       WRITERS, RECORDS, PIPE_BUF, whole, torn, disorder, have);
	return 0;
}
