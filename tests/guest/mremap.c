/* mremap grows and shrinks a mapping and keeps its contents, in place or
 * moved; without MREMAP_MAYMOVE a blocked grow is ENOMEM. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KiB 1024UL

static int fails;
static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	fails += !ok;
}

static int pattern_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + i / 4096))
			return 0;
	return 1;
}

static int zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	unsigned char *p = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < 64 * KiB; i++)
		p[i] = i * 7 + i / 4096;
	/* Something right after it, so it cannot grow in place. */
	unsigned char *wall =
		mmap(p + 64 * KiB, 4096, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check("a neighbour after it", wall == p + 64 * KiB);

	errno = 0;
	check("grow without MAYMOVE when blocked is ENOMEM",
	      mremap(p, 64 * KiB, 128 * KiB, 0) == MAP_FAILED &&
		      errno == ENOMEM);
	unsigned char *q = mremap(p, 64 * KiB, 1024 * KiB, MREMAP_MAYMOVE);
	check("grow to 1 MiB, moved", q != MAP_FAILED && q != p);
	check("contents kept, new part zero",
	      pattern_ok(q, 64 * KiB) && zero(q + 64 * KiB, 960 * KiB));
	memset(q + 64 * KiB, 0xee, 960 * KiB); /* and writable */

	unsigned char *r = mremap(q, 1024 * KiB, 8 * KiB, 0);
	check("shrink to 8 KiB in place", r == q && pattern_ok(r, 8 * KiB));
	r = mremap(r, 8 * KiB, 32 * KiB, 0);
	check("grow in place again: old part kept, new part zero",
	      r == q && pattern_ok(r, 8 * KiB) && zero(r + 8 * KiB, 24 * KiB));
	check("old place unmapped, neighbour kept",
	      munmap(wall, 4096) == 0 &&
		      mmap(p, 64 * KiB, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			   -1, 0) == p);
	/* realloc of a big block uses mremap in musl */
	char *m = malloc(300 * KiB);
	memset(m, 'a', 300 * KiB);
	m = realloc(m, 3000 * KiB);
	check("realloc 300 KiB -> 3000 KiB keeps contents",
	      m && m[0] == 'a' && m[300 * KiB - 1] == 'a');
	printf("mremap %s\n", fails ? "FAILED" : "ok");
	return fails != 0;
}
