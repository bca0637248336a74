/* ext4 on a disk, mounted at /data, over two boots. The first boot (no
 * /data/state yet) writes: a 3 MiB file with a checksum, directories,
 * 300 files in one directory, a rename over an existing file, a
 * symlink and a hard link, a file unlinked while open (still readable
 * until closed), O_APPEND, truncate, chmod; fsync; statfs. The second
 * boot finds all of it as it was left. The host then runs e2fsck -fn
 * and reads the guest's files with debugfs (disk_ext_host.sh). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define BIG	   (3 << 20)
#define MANY	   300
#define EXT4_SUPER 0xEF53

static int fails;
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("disk_ext: FAIL %s: ", #c);                     \
			printf(__VA_ARGS__);                                   \
			printf(" (errno %d)\n", errno);                        \
			fails++;                                               \
		}                                                              \
	} while (0)

static uint32_t sum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static char *get(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static unsigned char *big_pattern(void)
{
	unsigned char *b = malloc(BIG);
	uint32_t x = 12345;
	for (size_t i = 0; i < BIG; i++) {
		x = x * 1103515245 + 12345;
		b[i] = (unsigned char)(x >> 16);
	}
	return b;
}

static void first_boot(void)
{
	struct statfs sf;
	CHECK(statfs("/data", &sf) == 0 && sf.f_type == EXT4_SUPER,
	      "statfs type %lx", (long)sf.f_type);
	/* The big file, written in odd-sized pieces. */
	unsigned char *b = big_pattern();
	int fd = open("/data/big", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "create big");
	for (size_t off = 0; off < BIG;) {
		size_t n = BIG - off < 100000 ? BIG - off : 100000;
		CHECK(write(fd, b + off, n) == (ssize_t)n, "write big");
		off += n;
	}
	CHECK(fsync(fd) == 0, "fsync big");
	close(fd);
	printf("disk_ext: big written, checksum %08x\n", sum(b, BIG));
	/* Directories and many files. */
	CHECK(mkdir("/data/d", 0755) == 0, "mkdir");
	CHECK(mkdir("/data/d/e", 0700) == 0, "mkdir nested");
	CHECK(mkdir("/data/d", 0755) == -1 && errno == EEXIST, "mkdir again");
	CHECK(mkdir("/data/many", 0755) == 0, "mkdir many");
	for (int i = 0; i < MANY; i++) {
		char p[64], s[32];
		snprintf(p, sizeof(p), "/data/many/file-%04d", i);
		snprintf(s, sizeof(s), "%d\n", i * i);
		CHECK(put(p, s) == 0, "%s", p);
	}
	/* Rename over an existing file: the old one goes. */
	CHECK(put("/data/d/a", "alpha\n") == 0, "a");
	CHECK(put("/data/d/b", "beta\n") == 0, "b");
	CHECK(rename("/data/d/a", "/data/d/b") == 0, "rename over");
	CHECK(access("/data/d/a", F_OK) == -1 && errno == ENOENT, "a gone");
	/* Rename a directory to another parent. */
	CHECK(rename("/data/d/e", "/data/e") == 0, "rename dir");
	CHECK(put("/data/e/inside", "in e\n") == 0, "inside e");
	CHECK(rmdir("/data/d") == -1 && errno == ENOTEMPTY, "rmdir non-empty");
	/* Links. */
	CHECK(symlink("d/b", "/data/sym") == 0, "symlink");
	CHECK(link("/data/d/b", "/data/hard") == 0, "link");
	/* Unlink while open: still readable until close. */
	CHECK(put("/data/gone", "ghost\n") == 0, "gone");
	fd = open("/data/gone", O_RDONLY);
	CHECK(unlink("/data/gone") == 0, "unlink open");
	char buf[16] = { 0 };
	CHECK(read(fd, buf, sizeof(buf)) == 6 && !strcmp(buf, "ghost\n"),
	      "read unlinked: %s", buf);
	close(fd);
	/* O_APPEND, truncate, chmod. */
	fd = open("/data/log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	CHECK(write(fd, "one\n", 4) == 4 && write(fd, "two\n", 4) == 4, "log");
	close(fd);
	CHECK(put("/data/trunc", "0123456789") == 0, "trunc");
	CHECK(truncate("/data/trunc", 4) == 0, "truncate");
	CHECK(chmod("/data/log", 0600) == 0, "chmod");
	/* Errors as Linux's. */
	CHECK(open("/data/nope/x", O_RDONLY) == -1 && errno == ENOENT,
	      "ENOENT");
	CHECK(unlink("/data/d") == -1 && errno == EISDIR, "unlink dir");
	CHECK(rmdir("/data/log") == -1 && errno == ENOTDIR, "rmdir file");
	CHECK(put("/data/state", "written\n") == 0, "state");
	sync();
	free(b);
}

static void second_boot(void)
{
	unsigned char *b = big_pattern(), *r = malloc(BIG);
	int fd = open("/data/big", O_RDONLY);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == BIG &&
		      (st.st_mode & 0777) == 0600,
	      "big: size %lld mode %o", (long long)st.st_size, st.st_mode);
	size_t got = 0;
	ssize_t n;
	while (got < BIG && (n = read(fd, r + got, BIG - got)) > 0)
		got += n;
	close(fd);
	CHECK(got == BIG && !memcmp(b, r, BIG), "big contents");
	printf("disk_ext: big read back, checksum %08x\n", sum(r, got));
	/* The many files, listed and read. */
	DIR *d = opendir("/data/many");
	int count = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			count++;
	if (d)
		closedir(d);
	CHECK(count == MANY, "listed %d", count);
	char *s = get("/data/many/file-0299");
	CHECK(s && !strcmp(s, "89401\n"), "file-0299: %s", s ? s : "?");
	s = get("/data/d/b");
	CHECK(s && !strcmp(s, "alpha\n"), "renamed: %s", s ? s : "?");
	s = get("/data/e/inside");
	CHECK(s && !strcmp(s, "in e\n"), "moved dir: %s", s ? s : "?");
	char t[32] = { 0 };
	CHECK(readlink("/data/sym", t, sizeof(t)) == 3 && !strcmp(t, "d/b"),
	      "readlink %s", t);
	s = get("/data/sym");
	CHECK(s && !strcmp(s, "alpha\n"), "through the link");
	CHECK(stat("/data/hard", &st) == 0 && st.st_nlink == 2,
	      "hard: nlink %d", (int)st.st_nlink);
	CHECK(access("/data/gone", F_OK) == -1 && errno == ENOENT, "gone");
	s = get("/data/log");
	CHECK(s && !strcmp(s, "one\ntwo\n"), "log: %s", s ? s : "?");
	CHECK(stat("/data/log", &st) == 0 && (st.st_mode & 0777) == 0600,
	      "chmod kept: %o", st.st_mode);
	s = get("/data/trunc");
	CHECK(s && !strcmp(s, "0123"), "trunc: %s", s ? s : "?");
	/* Now make room: the files go, the space comes back. */
	struct statfs before, after;
	statfs("/data", &before);
	CHECK(unlink("/data/big") == 0, "unlink big");
	statfs("/data", &after);
	CHECK(after.f_bfree > before.f_bfree, "space back: %llu -> %llu",
	      (unsigned long long)before.f_bfree,
	      (unsigned long long)after.f_bfree);
	CHECK(put("/data/state", "checked\n") == 0, "state");
	free(b);
	free(r);
}

int main(void)
{
	char *s = get("/data/state");
	if (!s) {
		first_boot();
		printf("disk_ext: first boot %s\n", fails ? "FAILED" : "ok");
	} else {
		second_boot();
		printf("disk_ext: second boot %s\n", fails ? "FAILED" : "ok");
	}
	return fails ? 1 : 0;
}
