/* mmap of files in the directory argv[1] (/tmp: ramfs; /data: ext4 on a
 * disk): MAP_PRIVATE reads the file and keeps its changes to itself;
 * MAP_SHARED's changes reach the file on msync, munmap and fsync, never
 * past its size; offsets; access modes (EACCES), files that cannot be
 * mapped (ENODEV), /dev/zero. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG   4096
#define SIZE (3 * PG + 100)

static int fails;
#define CHECK(c, what)                                                         \
	do {                                                                   \
		if (c)                                                         \
			printf("mmap_file: %s: ok\n", what);                   \
		else {                                                         \
			printf("mmap_file: FAIL %s (errno %d)\n", what,        \
			       errno);                                         \
			fails++;                                               \
		}                                                              \
	} while (0)

static char pat(size_t i)
{
	return (char)('a' + i % 23);
}

int main(int argc, char **argv)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/mapped", argc > 1 ? argv[1] : "/tmp");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *buf = malloc(SIZE), *back = malloc(SIZE);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = pat(i);
	if (fd < 0 || write(fd, buf, SIZE) != SIZE) {
		printf("mmap_file: FAIL setup %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Private, read-only: the file's bytes, zeros past its end. */
	char *p = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && !memcmp(p, buf, SIZE) && p[SIZE] == 0 &&
		      p[4 * PG - 1] == 0,
	      "MAP_PRIVATE reads the file");
	munmap(p, 4 * PG);
	/* Private, written: the file does not see it. */
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memset(p, 'X', 100);
	munmap(p, SIZE);
	CHECK(pread(fd, back, SIZE, 0) == SIZE && !memcmp(back, buf, SIZE),
	      "MAP_PRIVATE changes stay private");
	/* An offset. */
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
	CHECK(p != MAP_FAILED && !memcmp(p, buf + 2 * PG, PG),
	      "an offset of two pages");
	munmap(p, PG);
	/* Shared: msync, then munmap, then fsync write it back. */
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(p + 10, "msync", 5);
	CHECK(msync(p, SIZE, MS_SYNC) == 0 &&
		      pread(fd, back, SIZE, 0) == SIZE &&
		      !memcmp(back + 10, "msync", 5),
	      "MAP_SHARED: msync writes back");
	memcpy(p + PG + 1, "fsync", 5);
	CHECK(fsync(fd) == 0 && pread(fd, back, SIZE, 0) == SIZE &&
		      !memcmp(back + PG + 1, "fsync", 5),
	      "MAP_SHARED: fsync writes back");
	memcpy(p + 2 * PG + 7, "munmap", 6);
	p[SIZE + 5] = 'Z'; /* past the end of the file: never written */
	CHECK(munmap(p, SIZE) == 0 && pread(fd, back, SIZE, 0) == SIZE &&
		      !memcmp(back + 2 * PG + 7, "munmap", 6),
	      "MAP_SHARED: munmap writes back");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == SIZE,
	      "the file's size stays");
	/* A hole punched in a shared mapping: the rest still writes back. */
	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	munmap(p + PG, PG);
	p[2 * PG] = '!';
	CHECK(msync(p + 2 * PG, PG, MS_SYNC) == 0 &&
		      pread(fd, back, 1, 2 * PG) == 1 && back[0] == '!',
	      "after munmap of its middle");
	munmap(p, PG);
	munmap(p + 2 * PG, PG);
	/* Access modes. */
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
			      MAP_FAILED &&
		      errno == EACCES,
	      "MAP_SHARED writable on O_RDONLY: EACCES");
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED &&
		      errno == EACCES,
	      "O_WRONLY: EACCES");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(p != MAP_FAILED && p[0] == buf[0],
	      "MAP_PRIVATE writable on O_RDONLY");
	int pfd[2];
	pipe(pfd);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED &&
		      errno == ENODEV,
	      "a pipe: ENODEV");
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED &&
		      errno == EBADF,
	      "no such fd: EBADF");
	int z = open("/dev/zero", O_RDONLY);
	char *zp = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, z, 0);
	CHECK(zp != MAP_FAILED && zp[0] == 0 && zp[2 * PG - 1] == 0,
	      "/dev/zero");
	if (fails)
		return 1;
	printf("mmap_file ok\n");
	return 0;
}
