#define _GNU_SOURCE
/* The descriptor table: F_GETFL/F_SETFL (O_NONBLOCK, O_APPEND) and
 * FIONBIO shared through dup, FD_CLOEXEC per fd (F_SETFD, F_DUPFD_CLOEXEC,
 * dup3, pipe2), the lowest free fd, dup2 and dup3 onto open fds,
 * close_range, and the errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CLOSE_RANGE_CLOEXEC (1U << 2)

static const char *e(int r)
{
	static char buf[32];
	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%d", r);
		return buf;
	}
	return errno == EBADF	 ? "EBADF"
	       : errno == EINVAL ? "EINVAL"
				 : strerror(errno);
}

static const char *fl(int fd)
{
	int f = fcntl(fd, F_GETFL);
	static char buf[64];
	if (f < 0)
		return "error";
	snprintf(buf, sizeof(buf), "%s%s%s",
		 (f & O_ACCMODE) == O_RDONLY   ? "O_RDONLY"
		 : (f & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
					       : "O_RDWR",
		 f & O_NONBLOCK ? "|O_NONBLOCK" : "",
		 f & O_APPEND ? "|O_APPEND" : "");
	return buf;
}

static int cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC ? 1 : 0;
}

int main(void)
{
	int p[2];
	pipe(p);
	printf("pipe: fds %d %d, %s", p[0], p[1], fl(p[0]));
	printf(" and %s\n", fl(p[1]));
	int d = dup(p[0]);
	fcntl(p[0], F_SETFL, O_NONBLOCK | O_APPEND);
	printf("F_SETFL on one fd, F_GETFL on its dup: %s\n", fl(d));
	int off = 0;
	ioctl(d, FIONBIO, &off);
	printf("FIONBIO off on the dup: %s\n", fl(p[0]));
	int on = 1;
	ioctl(p[0], FIONBIO, &on);
	fcntl(d, F_SETFL, fcntl(d, F_GETFL) & ~O_APPEND);
	printf("FIONBIO on, O_APPEND off: %s\n", fl(d));

	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	printf("FD_CLOEXEC set on %d: %d, on its dup %d: %d\n", p[0],
	       cloexec(p[0]), d, cloexec(d));
	int c = fcntl(d, F_DUPFD_CLOEXEC, 20);
	printf("F_DUPFD_CLOEXEC from 20: fd %d, cloexec %d\n", c, cloexec(c));
	int c2 = fcntl(d, F_DUPFD, 20);
	printf("F_DUPFD from 20: fd %d, cloexec %d\n", c2, cloexec(c2));
	int r3 = dup3(d, 30, O_CLOEXEC);
	printf("dup3 with O_CLOEXEC onto 30: %s, cloexec %d\n", e(r3),
	       cloexec(30));
	r3 = dup2(d, 30);
	printf("dup2 onto 30 again: %s, cloexec %d\n", e(r3), cloexec(30));
	/* The syscall itself: musl's dup3 checks some of this first. */
	printf("dup3 onto itself: %s", e(syscall(SYS_dup3, d, d, 0)));
	printf("; bad flags: %s", e(syscall(SYS_dup3, d, 31, O_NONBLOCK)));
	printf("; from a closed fd: %s\n", e(syscall(SYS_dup3, 99, 31, 0)));
	printf("dup2 onto itself: %s", e(dup2(d, d)));
	printf("; closed: %s\n", e(dup2(99, 99)));

	int q[2];
	pipe2(q, O_CLOEXEC | O_NONBLOCK);
	printf("pipe2 O_CLOEXEC|O_NONBLOCK: cloexec %d %d, %s\n", cloexec(q[0]),
	       cloexec(q[1]), fl(q[1]));
	errno = 0;
	printf("pipe2 with a bad flag: %s\n", e(pipe2(q, O_TRUNC)));

	for (int fd = 40; fd < 50; fd++)
		dup2(d, fd);
	long r = syscall(SYS_close_range, 42, 44, CLOSE_RANGE_CLOEXEC);
	printf("close_range 42-44 CLOEXEC: %ld, cloexec of 41..45: "
	       "%d%d%d%d%d\n",
	       r, cloexec(41), cloexec(42), cloexec(43), cloexec(44),
	       cloexec(45));
	r = syscall(SYS_close_range, 43, 47, 0);
	int open = 0;
	for (int fd = 40; fd < 50; fd++)
		open += fcntl(fd, F_GETFD) >= 0;
	printf("close_range 43-47: %ld, %d of 40..49 still open\n", r, open);
	r = syscall(SYS_close_range, 45, 44, 0);
	printf("close_range 45-44: %s\n", e(r));
	r = syscall(SYS_close_range, 48, ~0U, 0);
	printf("close_range 48-~0: %ld, fd 48 %s\n", r,
	       fcntl(48, F_GETFD) < 0 && errno == EBADF ? "closed" : "open");

	/* The lowest free fd; the data still flows through every dup. */
	close(3);
	int low = dup(d);
	write(p[1], "hi", 2);
	char buf[4] = { 0 };
	read(low, buf, 2);
	printf("dup after closing 3: fd %d, reads \"%s\" from the pipe\n", low,
	       buf);
	printf("F_GETFL of a closed fd: %s", e(fcntl(99, F_GETFL)));
	printf("; an unknown command: %s\n", e(fcntl(d, 9999)));
	return 0;
}
