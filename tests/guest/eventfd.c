/* eventfd: a counter that writes add to and a read takes whole; in
 * semaphore mode a read takes 1. The limits, non-blocking reads and
 * writes, a read blocked until another thread writes, poll. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int efd;

static const char *res(ssize_t r)
{
	return r >= 0 ? "ok" : errno == EAGAIN ? "EAGAIN" : strerror(errno);
}

static long long take(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));
	return r == 8 ? (long long)v : -errno;
}

static void *post_later(void *arg)
{
	struct timespec ts = { 0, 100000000 };
	nanosleep(&ts, NULL);
	uint64_t v = (uintptr_t)arg;
	write(efd, &v, sizeof(v));
	return NULL;
}

int main(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	printf("eventfd: fd %s, cloexec %d, nonblock %d\n",
	       fd >= 0 ? "ok" : "-1", fcntl(fd, F_GETFD) & FD_CLOEXEC ? 1 : 0,
	       fcntl(fd, F_GETFL) & O_NONBLOCK ? 1 : 0);
	printf("empty: read %lld\n", take(fd));
	for (uint64_t v = 1; v <= 4; v++)
		write(fd, &v, sizeof(v));
	long long sum = take(fd), after = take(fd);
	printf("counting: wrote 1+2+3+4, read %lld, then %lld\n", sum, after);

	int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	long long a = take(sem), b = take(sem), c = take(sem), d = take(sem);
	printf("semaphore from 3: %lld %lld %lld, then %lld\n", a, b, c, d);
	uint64_t two = 2;
	write(sem, &two, sizeof(two));
	a = take(sem), b = take(sem), c = take(sem);
	printf("semaphore after writing 2: %lld %lld, then %lld\n", a, b, c);

	uint64_t max = UINT64_MAX;
	ssize_t r = write(fd, &max, sizeof(max));
	printf("writing 2^64-1: %s\n", res(r));
	max = UINT64_MAX - 1;
	write(fd, &max, sizeof(max));
	uint64_t one = 1;
	r = write(fd, &one, sizeof(one));
	printf("at the maximum, writing 1: %s\n", res(r));
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	poll(&p, 1, 0);
	printf("at the maximum, poll: %s%s\n", p.revents & POLLIN ? "IN" : "",
	       p.revents & POLLOUT ? " OUT" : "");
	printf("read %llx\n", take(fd));
	uint32_t small;
	r = read(fd, &small, sizeof(small));
	printf("4-byte read: %s\n", res(r));

	/* Blocking: a read waits for another thread's write. */
	efd = eventfd(0, 0);
	pthread_t t;
	pthread_create(&t, NULL, post_later, (void *)(uintptr_t)5);
	printf("blocking read got %lld\n", take(efd));
	pthread_join(t, NULL);
	pthread_create(&t, NULL, post_later, (void *)(uintptr_t)9);
	p = (struct pollfd){ efd, POLLIN, 0 };
	int n = poll(&p, 1, 10000);
	pthread_join(t, NULL);
	printf("poll woke: %d %s, read %lld\n", n,
	       p.revents == POLLIN ? "POLLIN" : "other", take(efd));
	return 0;
}
