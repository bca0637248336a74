/* A 10 MiB file round trip with a checksum, in odd-sized writes and
 * reads; deleting it gives its memory back (sysinfo), and so does
 * truncating it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define SIZE (10 << 20)

static unsigned long freeram(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return si.freeram * si.mem_unit / 1024;
}

static uint32_t mix(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u; /* FNV-1a */
	return h;
}

int main(void)
{
	static unsigned char buf[12345];
	unsigned long before = freeram();
	int fd = open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint32_t h = 2166136261u, x = 1;
	size_t done = 0;
	while (done < SIZE) {
		size_t n =
			sizeof(buf) < SIZE - done ? sizeof(buf) : SIZE - done;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = x >> 16;
		}
		h = mix(h, buf, n);
		if (write(fd, buf, n) != (ssize_t)n) {
			printf("FAIL short write at %zu\n", done);
			return 1;
		}
		done += n;
	}
	unsigned long full = freeram();
	printf("wrote %d bytes; memory used about %lu MiB\n", SIZE,
	       (before - full + 512) / 1024);
	lseek(fd, 0, SEEK_SET);
	uint32_t g = 2166136261u;
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, buf, 4000)) > 0) {
		g = mix(g, buf, n);
		got += n;
	}
	printf("read back %zu bytes, checksum %s\n", got,
	       g == h ? "matches" : "DIFFERS");
	ftruncate(fd, 4096);
	unsigned long cut = freeram();
	printf("truncated to 4 KiB: memory back %s\n",
	       cut + 64 >= before ? "yes" : "NO");
	close(fd);
	unlink("/tmp/big");
	unsigned long after = freeram();
	printf("deleted: memory back %s (%lu KiB -> %lu KiB)\n",
	       after + 16 >= before ? "yes" : "NO", before, after);
	return 0;
}
