/* The disk benchmarks of docs/performance.md: one program, built for
 * AtmanOS (atman-cc) and for Linux (gcc -static), run on an ext4 file
 * system mounted at DIR. Sequential write of MIB MiB in 1 MiB blocks
 * with an fsync at the end, sequential read of it, 4 KiB random reads
 * of it, file creates (small files, then a sync). Linux's page cache is
 * dropped before each read phase (/proc/sys/vm/drop_caches; AtmanOS has
 * none to drop), so both sides read from the disk. Everything it makes
 * it removes. Prints "bench NAME VALUE UNIT" lines.
 * Usage: disk_bench DIR [MIB] */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	(1 << 20)
#define RANDOM	2000
#define CREATES 500

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void drop_caches(void)
{
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3\n", 2) != 2)
			perror("drop_caches");
		close(fd);
	}
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/data";
	long mib = argc > 2 ? atol(argv[2]) : 32;
	char path[256];
	char *buf = malloc(BLOCK);
	for (int i = 0; i < BLOCK; i++)
		buf[i] = (char)(i * 31 + 7);
	snprintf(path, sizeof(path), "%s/bench.dat", dir);
	struct statfs sf;
	if (statfs(dir, &sf) || sf.f_type != 0xEF53) {
		fprintf(stderr, "disk_bench: %s is not an ext file system\n",
			dir);
		return 1;
	}

	double t0 = now();
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	for (long i = 0; i < mib; i++)
		if (write(fd, buf, BLOCK) != BLOCK)
			die("write");
	if (fsync(fd))
		die("fsync");
	printf("bench disk_seq_write %.2f MB/s\n", mib / (now() - t0));
	close(fd);

	drop_caches();
	t0 = now();
	fd = open(path, O_RDONLY);
	long got = 0;
	ssize_t n;
	while ((n = read(fd, buf, BLOCK)) > 0)
		got += n;
	if (got != mib * BLOCK)
		die("read");
	printf("bench disk_seq_read %.2f MB/s\n", mib / (now() - t0));

	drop_caches();
	uint32_t x = 12345;
	long pages = mib * (BLOCK / 4096);
	t0 = now();
	for (int i = 0; i < RANDOM; i++) {
		x = x * 1103515245 + 12345;
		if (pread(fd, buf, 4096, (off_t)((x >> 8) % pages) * 4096) !=
		    4096)
			die("pread");
	}
	printf("bench disk_rand_read_4k %.0f IOPS\n", RANDOM / (now() - t0));
	close(fd);
	unlink(path);

	snprintf(path, sizeof(path), "%s/creates", dir);
	mkdir(path, 0755);
	t0 = now();
	for (int i = 0; i < CREATES; i++) {
		char f[300];
		snprintf(f, sizeof(f), "%s/f%d", path, i);
		int c = open(f, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (c < 0 || write(c, buf, 100) != 100)
			die(f);
		close(c);
	}
	sync();
	printf("bench disk_creates %.0f files/s\n", CREATES / (now() - t0));
	for (int i = 0; i < CREATES; i++) {
		char f[300];
		snprintf(f, sizeof(f), "%s/f%d", path, i);
		unlink(f);
	}
	rmdir(path);
	sync();
	return 0;
}
