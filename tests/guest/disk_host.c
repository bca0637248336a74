/* A file system the host made (mkfs.ext2/3/4 -d, hostfiles.sh), read
 * by the guest at /data: contents, sizes, modes, directories, fast and
 * slow symlinks, a 1.3 MB file, a sparse file, unwritten extents. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static int fails;
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("disk_host: FAIL %s: ", #c);                    \
			printf(__VA_ARGS__);                                   \
			printf(" (errno %d)\n", errno);                        \
			fails++;                                               \
		}                                                              \
	} while (0)

static char big[1 << 20];

/* The whole file in reads of n bytes: its size, or -1. */
static long slurp(const char *path, char *buf, long max, size_t n)
{
	FILE *f = fopen(path, "r");
	long got = 0;
	size_t c;
	if (!f)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	while (got < max &&
	       (c = fread(buf + got, 1, MIN(n, (size_t)(max - got)), f)))
		got += (long)c;
	fclose(f);
	return got;
}

/* The hole reads as zeros, in big reads and across its edges. */
static void sparse(void)
{
	static char whole[3145733 + 10];
	long n = slurp("/data/sparse", whole, sizeof(whole), sizeof(big));
	bool zeros = n == 3145733;
	for (long i = 5; zeros && i < 3145728; i++)
		zeros = !whole[i];
	CHECK(zeros && !memcmp(whole, "head\n", 5) &&
		      !memcmp(whole + 3145728, "tail\n", 5),
	      "sparse: %ld bytes", n);
	int fd = open("/data/sparse", O_RDONLY);
	char edge[16] = { 1 };
	CHECK(pread(fd, edge, 10, 3145723) == 10 && !edge[0] && !edge[4] &&
		      !memcmp(edge + 5, "tail\n", 5),
	      "sparse: the hole's end");
	CHECK(pread(fd, edge, 16, 3145728) == 5, "sparse: at the end");
	close(fd);
	printf("disk_host: sparse: %ld bytes, the hole zeros\n", n);
}

/* ext4's unwritten extents (the host's fallocate): zeros, whatever their
 * disk blocks hold. Only where hostfiles.sh made them (ext4). */
static void prealloc(void)
{
	struct stat st;
	if (stat("/data/prealloc", &st) || st.st_size == 5)
		return;
	long n = slurp("/data/prealloc", big, sizeof(big), 7000);
	bool zeros = n == 41984 && !memcmp(big, "data\n", 5);
	for (long i = 5; zeros && i < n; i++)
		zeros = !big[i];
	CHECK(zeros, "prealloc: %ld bytes, not zeros", n);
	printf("disk_host: prealloc: %ld bytes, zeros after its first line\n",
	       n);
}

int main(void)
{
	char line[128];
	FILE *f = fopen("/data/hello.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) &&
		      !strcmp(line, "written by the host\n"),
	      "hello.txt");
	if (f)
		fclose(f);
	struct stat st;
	CHECK(stat("/data/hello.txt", &st) == 0 && (st.st_mode & 0777) == 0640,
	      "mode %o", st.st_mode);
	f = fopen("/data/sub/dir/deep.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "deep\n"),
	      "deep.txt");
	if (f)
		fclose(f);
	/* seq 1 200000: the lines and their sum. */
	f = fopen("/data/numbers", "r");
	long long total = 0, n = 0, v;
	while (f && fscanf(f, "%lld", &v) == 1) {
		total += v;
		n++;
	}
	if (f)
		fclose(f);
	CHECK(n == 200000 && total == 20000100000LL, "numbers: %lld, %lld", n,
	      total);
	printf("disk_host: numbers: %lld lines, sum %lld\n", n, total);
	char t[256] = { 0 };
	CHECK(readlink("/data/link", t, sizeof(t)) == 9 &&
		      !strcmp(t, "hello.txt"),
	      "link: %s", t);
	memset(t, 0, sizeof(t));
	CHECK(readlink("/data/longlink", t, sizeof(t)) == 100 && t[99] == 'x',
	      "longlink: %zu", strlen(t));
	DIR *d = opendir("/data/sub");
	int files = 0, dirs = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR)
			dirs++;
		else if (e->d_type == DT_REG)
			files++;
	}
	if (d)
		closedir(d);
	CHECK(files == 100 && dirs == 1, "sub: %d files, %d dirs", files, dirs);
	printf("disk_host: sub: %d files, %d directory\n", files, dirs);
	sparse();
	prealloc();
	if (fails)
		return 1;
	printf("disk_host ok\n");
	return 0;
}
