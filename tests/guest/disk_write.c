/* Big writes on ext4 (a 16 MiB disk at /data), each checked against a
 * model of the file in memory: appends of 1 MiB (the whole blocks go
 * straight to the disk), overwrites in the middle, unaligned writes,
 * a big write into a hole, a write whose buffer ends at an unmapped
 * page (a short write), then the disk filled to ENOSPC and emptied
 * again. The host's e2fsck -fn must find it clean after. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB	 (1 << 20)
#define MODEL_SZ (4 * MIB)

static unsigned char model[MODEL_SZ], got[MODEL_SZ], src[MIB + 8192];
static size_t model_len;
static int fails;

#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("disk_write: FAIL %s: ", #c);                   \
			printf(__VA_ARGS__);                                   \
			printf(" (errno %d)\n", errno);                        \
			fails++;                                               \
		}                                                              \
	} while (0)

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + i / 4096 + seed);
}

/* pwrite n bytes of a fresh pattern at off, into the model too. */
static void put(int fd, size_t off, size_t n, unsigned seed)
{
	pattern(src, n, seed);
	CHECK(pwrite(fd, src, n, (off_t)off) == (ssize_t)n, "pwrite %zu at %zu",
	      n, off);
	memcpy(model + off, src, n);
	if (off + n > model_len)
		model_len = off + n;
}

/* The file read back (64 KiB reads) is the model. */
static void same(int fd, const char *what)
{
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && (size_t)st.st_size == model_len,
	      "%s: size %lld, want %zu", what, (long long)st.st_size,
	      model_len);
	size_t at = 0;
	ssize_t n;
	while (at < MODEL_SZ && (n = pread(fd, got + at, 65536, (off_t)at)) > 0)
		at += (size_t)n;
	CHECK(at == model_len && !memcmp(got, model, model_len),
	      "%s: contents (%zu bytes read)", what, at);
	printf("disk_write: %s: %zu bytes, as written\n", what, model_len);
}

static int fresh(const char *path)
{
	memset(model, 0, sizeof(model));
	model_len = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "open %s", path);
	return fd;
}

int main(void)
{
	int fd = fresh("/data/big");
	for (unsigned i = 0; i < 3; i++)
		put(fd, i * MIB, MIB, i);
	put(fd, 3 * MIB, 100, 9);
	CHECK(fsync(fd) == 0, "fsync");
	same(fd, "appends");
	put(fd, 512 * 1024, 256 * 1024, 20);
	same(fd, "overwrite");
	put(fd, 1000, 300 * 1024, 21);
	put(fd, 3 * MIB + 50, MIB / 2 + 7, 22);
	same(fd, "unaligned");
	close(fd);

	fd = fresh("/data/holes");
	put(fd, 2 * MIB, 4096, 30);
	put(fd, 512 * 1024, MIB, 31); /* into the hole */
	same(fd, "hole");

	/* The buffer's second half is not mapped: the write stops there
	 * (a short write), or does not start (EFAULT); the file says which. */
	unsigned char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && munmap(p + 4 * 4096, 4 * 4096) == 0, "mmap");
	pattern(p, 4 * 4096, 40);
	ssize_t w = pwrite(fd, p, 8 * 4096, (off_t)model_len);
	CHECK(w == 4 * 4096 || (w < 0 && errno == EFAULT), "short write: %zd",
	      w);
	if (w > 0) {
		memcpy(model + model_len, p, (size_t)w);
		model_len += (size_t)w;
	}
	same(fd, "short write");
	close(fd);

	/* Full: writes stop with ENOSPC (or short), what was written is the
	 * file, and the space comes back with the file. */
	unlink("/data/big");
	unlink("/data/holes");
	fd = open("/data/fill", O_RDWR | O_CREAT | O_TRUNC, 0644);
	pattern(src, MIB, 50);
	long long total = 0;
	int err = 0;
	for (int i = 0; i < 64; i++) {
		ssize_t n = write(fd, src, MIB);
		if (n > 0)
			total += n;
		if (n < MIB) {
			err = n < 0 ? errno : 0;
			break;
		}
	}
	if (!err) /* a short write first: the next one says why */
		err = write(fd, src, MIB) < 0 ? errno : 0;
	struct stat st;
	CHECK(err == ENOSPC, "filling: errno %d after %lld bytes", err, total);
	CHECK(fstat(fd, &st) == 0 && st.st_size == total,
	      "filled: size %lld, written %lld", (long long)st.st_size, total);
	CHECK(fsync(fd) == 0, "fsync when full");
	close(fd);
	CHECK(total > 8 * MIB, "filled with %lld bytes", total);
	printf("disk_write: full: ENOSPC\n");
	unlink("/data/fill");
	fd = fresh("/data/again");
	put(fd, 0, MIB, 60);
	same(fd, "after ENOSPC");
	close(fd);
	if (fails)
		return 1;
	printf("disk_write ok\n");
	return 0;
}
