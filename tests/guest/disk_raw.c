/* The raw disk /dev/xvda (blkfront): its size and sector size by ioctl,
 * writes and reads at offsets and lengths that are not whole sectors
 * (the kernel reads the sectors around them first), transfers larger
 * than the driver's page pool, the end of the device (read 0, write
 * ENOSPC), fsync; then a marker for the host to find in the image. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MARK_AT 1000000
#define MARK	"atman disk_raw ok"

static int fails;
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("disk_raw: FAIL %s: ", #c);                     \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			fails++;                                               \
		}                                                              \
	} while (0)

static unsigned char pattern(size_t i, int seed)
{
	return (unsigned char)(i * 7 + seed + i / 4093);
}

int main(void)
{
	int fd = open("/dev/xvda", O_RDWR);
	if (fd < 0) {
		printf("disk_raw: FAIL open /dev/xvda: %s\n", strerror(errno));
		return 1;
	}
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && S_ISBLK(st.st_mode), "not a block device");
	CHECK(major(st.st_rdev) == 202 && minor(st.st_rdev) == 0, "rdev %u:%u",
	      major(st.st_rdev), minor(st.st_rdev));
	uint64_t size = 0;
	int ss = 0;
	CHECK(ioctl(fd, BLKGETSIZE64, &size) == 0, "BLKGETSIZE64: %s",
	      strerror(errno));
	CHECK(ioctl(fd, BLKSSZGET, &ss) == 0, "BLKSSZGET: %s", strerror(errno));
	printf("disk_raw: %llu bytes, %d-byte sectors\n",
	       (unsigned long long)size, ss);
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)size, "SEEK_END");

	/* 1 MiB + a bit at an odd offset: many requests, partial sectors at
	 * both ends. */
	size_t n = (1 << 20) + 777;
	unsigned char *buf = malloc(n), *back = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(i, 1);
	CHECK(pwrite(fd, buf, n, 4097) == (ssize_t)n, "pwrite: %s",
	      strerror(errno));
	CHECK(fsync(fd) == 0, "fsync: %s", strerror(errno));
	memset(back, 0, n);
	CHECK(pread(fd, back, n, 4097) == (ssize_t)n, "pread");
	CHECK(!memcmp(buf, back, n), "read back differs");
	/* The bytes around the write are untouched (zero: a fresh image). */
	unsigned char edge[2];
	CHECK(pread(fd, edge, 1, 4096) == 1 && edge[0] == 0, "byte before");
	CHECK(pread(fd, edge, 1, 4097 + n) == 1 && edge[0] == 0, "byte after");
	/* One byte in the middle of a sector, by read/write at the offset. */
	CHECK(lseek(fd, 4097 + 1000, SEEK_SET) == 4097 + 1000, "lseek");
	CHECK(write(fd, "Z", 1) == 1, "write 1");
	CHECK(pread(fd, back, 3, 4097 + 999) == 3 &&
		      back[0] == pattern(999, 1) && back[1] == 'Z' &&
		      back[2] == pattern(1001, 1),
	      "one byte");
	/* The end of the device. */
	CHECK(pread(fd, back, 10, size) == 0, "read at the end");
	errno = 0;
	CHECK(pwrite(fd, back, 10, size) == -1 && errno == ENOSPC,
	      "write at the end: errno %d", errno);
	CHECK(pwrite(fd, buf, 10, size - 4) == 4, "write across the end");
	/* The marker, for the host. */
	CHECK(pwrite(fd, MARK, strlen(MARK), MARK_AT) == (ssize_t)strlen(MARK),
	      "marker");
	CHECK(fsync(fd) == 0, "fsync");
	close(fd);
	if (fails)
		return 1;
	printf("disk_raw ok\n");
	return 0;
}
