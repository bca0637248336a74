/* A full ramfs: the writer gets ENOSPC (after a short write), the
 * kernel carries on; deleting a file makes room to write again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char buf[65536];
	memset(buf, 'z', sizeof(buf));
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT, 0644);
	long total = 0;
	ssize_t n;
	int err = 0;
	for (;;) {
		n = write(fd, buf, sizeof(buf));
		if (n < 0) {
			err = errno;
			break;
		}
		total += n;
	}
	close(fd);
	printf("filled: %s after %ld MiB\n", strerror(err), total >> 20);
	int fd2 = open("/tmp/other", O_WRONLY | O_CREAT, 0644);
	n = write(fd2, buf, sizeof(buf));
	printf("another file while full: %s\n",
	       n < 0 ? strerror(errno) : "WROTE");
	unlink("/tmp/fill");
	n = write(fd2, buf, sizeof(buf));
	printf("after deleting: wrote %zd\n", n);
	close(fd2);
	return 0;
}
