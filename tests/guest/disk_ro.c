/* Read-only disks: an ext4 file system mounted :ro at /data (and one
 * attached read-only), a raw device attached read-only (/dev/xvdb):
 * reading works, every kind of write says EROFS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fails;
#define EROFS_OF(call)                                                         \
	do {                                                                   \
		errno = 0;                                                     \
		long r_ = (long)(call);                                        \
		if (r_ != -1 || errno != EROFS) {                              \
			printf("disk_ro: FAIL %s: %ld, errno %d\n", #call, r_, \
			       errno);                                         \
			fails++;                                               \
		}                                                              \
	} while (0)

int main(void)
{
	struct stat st;
	if (stat("/data/lost+found", &st) || !S_ISDIR(st.st_mode)) {
		printf("disk_ro: FAIL no /data/lost+found\n");
		fails++;
	}
	EROFS_OF(open("/data/new", O_WRONLY | O_CREAT, 0644));
	EROFS_OF(open("/data/lost+found/../x", O_RDWR | O_CREAT, 0644));
	EROFS_OF(mkdir("/data/dir", 0755));
	EROFS_OF(rmdir("/data/lost+found"));
	EROFS_OF(rename("/data/lost+found", "/data/lf"));
	EROFS_OF(symlink("x", "/data/sym"));
	EROFS_OF(chmod("/data/lost+found", 0700));
	EROFS_OF(open("/dev/xvdb", O_RDWR));
	EROFS_OF(open("/dev/xvdb", O_WRONLY));
	int fd = open("/dev/xvdb", O_RDONLY);
	char buf[512];
	if (fd < 0 || pread(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
		printf("disk_ro: FAIL reading /dev/xvdb: errno %d\n", errno);
		fails++;
	}
	if (fails)
		return 1;
	printf("disk_ro ok\n");
	return 0;
}
