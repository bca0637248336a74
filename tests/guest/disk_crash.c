/* A crash after fsync: the first boot writes /data/kept and fsyncs it,
 * then faults on purpose (a NULL store: the crash report, status 139,
 * no unmount); the second boot finds the data. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEXT "kept across a crash\n"

int main(void)
{
	char buf[64] = { 0 };
	int fd = open("/data/kept", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n != (ssize_t)strlen(TEXT) || strcmp(buf, TEXT)) {
			printf("disk_crash: FAIL read back %zd: %s\n", n, buf);
			return 1;
		}
		printf("disk_crash: found after the crash: %s", buf);
		return 0;
	}
	fd = open("/data/kept", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, TEXT, strlen(TEXT)) != (ssize_t)strlen(TEXT) ||
	    fsync(fd)) {
		printf("disk_crash: FAIL writing: %s\n", strerror(errno));
		return 1;
	}
	printf("disk_crash: written and fsynced; crashing\n");
	fflush(stdout);
	*(volatile int *)0 = 1;
	return 2;
}
