/* Locks of open file descriptions, as Linux tracks them: OFD record
 * locks and flock conflict between two opens of one file, never within
 * one; F_OFD_GETLK names what is in the way; a blocking lock waits for
 * the holder (another thread) to let go; closing a description drops
 * its locks. POSIX locks (one process) are granted. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static int fails;
#define CHECK(c, what)                                                         \
	do {                                                                   \
		if (c)                                                         \
			printf("locks: %s: ok\n", what);                       \
		else {                                                         \
			printf("locks: FAIL %s (errno %d)\n", what, errno);    \
			fails++;                                               \
		}                                                              \
	} while (0)

static int ofd(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = start,
			    .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static int a, b;
static volatile int released;

static void *holder(void *arg)
{
	(void)arg;
	struct timespec t = { 0, 200 * 1000 * 1000 };
	nanosleep(&t, NULL);
	released = 1;
	ofd(a, F_OFD_SETLK, F_UNLCK, 0, 0);
	return NULL;
}

int main(void)
{
	const char *p = "/tmp/locked";
	a = open(p, O_RDWR | O_CREAT, 0644);
	b = open(p, O_RDWR);
	CHECK(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 100) == 0, "a write-locks 0-99");
	CHECK(ofd(a, F_OFD_SETLK, F_RDLCK, 50, 10) == 0,
	      "a again on its own range");
	errno = 0;
	CHECK(ofd(b, F_OFD_SETLK, F_RDLCK, 90, 20) == -1 && errno == EAGAIN,
	      "b on an overlapping range: EAGAIN");
	CHECK(ofd(b, F_OFD_SETLK, F_WRLCK, 100, 10) == 0,
	      "b beside it: granted");
	struct flock fl = { .l_type = F_WRLCK,
			    .l_whence = SEEK_SET,
			    .l_start = 0,
			    .l_len = 0 };
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK &&
		      fl.l_start == 0 && fl.l_pid == -1,
	      "F_OFD_GETLK names a's lock");
	CHECK(ofd(a, F_OFD_SETLK, F_UNLCK, 0, 0) == 0 &&
		      ofd(b, F_OFD_SETLK, F_RDLCK, 0, 50) == 0,
	      "after a unlocks, b gets it");
	ofd(b, F_OFD_SETLK, F_UNLCK, 0, 0);
	/* A blocking lock waits for the holder, another thread. */
	ofd(a, F_OFD_SETLK, F_WRLCK, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	CHECK(ofd(b, F_OFD_SETLKW, F_WRLCK, 0, 0) == 0 && released,
	      "F_OFD_SETLKW waits until a lets go");
	pthread_join(t, NULL);
	ofd(b, F_OFD_SETLK, F_UNLCK, 0, 0);
	/* flock: per description too; close drops it. */
	CHECK(flock(a, LOCK_EX) == 0 && flock(a, LOCK_EX | LOCK_NB) == 0,
	      "flock twice on one description");
	errno = 0;
	CHECK(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	      "flock from another: EWOULDBLOCK");
	int c = dup(a);
	close(a);
	errno = 0;
	CHECK(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	      "a dup keeps the description's lock");
	close(c);
	CHECK(flock(b, LOCK_SH | LOCK_NB) == 0, "closing the last fd drops it");
	/* POSIX locks: the process's own, never in each other's way. */
	struct flock px = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int d = open(p, O_RDWR);
	CHECK(fcntl(d, F_SETLK, &px) == 0 && fcntl(b, F_SETLK, &px) == 0,
	      "POSIX locks of one process are granted");
	if (fails)
		return 1;
	printf("locks ok\n");
	return 0;
}
