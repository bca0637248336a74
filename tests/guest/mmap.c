/* Anonymous memory: mmap gives zeroed pages, MAP_FIXED replaces,
 * mprotect keeps contents, munmap frees — page tables included — so
 * mapping and unmapping far more than the guest has goes on working.
 * Pages are backed on first touch but reserved at the call: a mapping
 * the memory cannot hold is ENOMEM there, never a crash at a touch.
 * Run in a 16 MiB guest. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MiB  (1UL << 20)

static int fails;
static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	fails += !ok;
}

static int all(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int main(void)
{
	unsigned char *p = mmap(NULL, MiB, RW, ANON, -1, 0);
	check("mmap 1 MiB, zero-filled",
	      p != MAP_FAILED && ((uintptr_t)p & 4095) == 0 && all(p, MiB, 0));
	memset(p, 0x5a, MiB);

	/* MAP_FIXED over part of it: fresh zero pages there only. */
	unsigned char *q = mmap(p + 8192, 8192, RW, ANON | MAP_FIXED, -1, 0);
	check("MAP_FIXED replaces", q == p + 8192 && all(q, 8192, 0) &&
					    all(p, 8192, 0x5a) &&
					    all(p + 16384, 4096, 0x5a));
	errno = 0;
	q = mmap(p, 4096, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	check("MAP_FIXED_NOREPLACE refuses",
	      q == MAP_FAILED && errno == EEXIST);

	check("mprotect read-only",
	      mprotect(p, 65536, PROT_READ) == 0 && all(p, 4096, 0x5a));
	check("mprotect PROT_NONE then back, contents kept",
	      mprotect(p, 65536, PROT_NONE) == 0 &&
		      mprotect(p, 65536, RW) == 0 && all(p, 4096, 0x5a));
	p[0] = 1; /* writable again */
	check("MADV_DONTNEED: zero pages after",
	      madvise(p, 8192, MADV_DONTNEED) == 0 && all(p, 8192, 0) &&
		      all(p + 16384, 4096, 0x5a));
	check("munmap", munmap(p, MiB) == 0);
	errno = 0;
	check("munmap of an unaligned address is EINVAL",
	      munmap(p + 1, 4096) == -1 && errno == EINVAL);

	/* 256 MiB through a 16 MiB guest, 1 MiB at a time, each page
	 * touched: the frames must be reused. */
	int n;
	for (n = 0; n < 256; n++) {
		p = mmap(NULL, MiB, RW, ANON, -1, 0);
		if (p == MAP_FAILED)
			break;
		for (size_t o = 0; o < MiB; o += 4096)
			p[o] = 1;
		munmap(p, MiB);
	}
	check("256 x 1 MiB mapped, touched, unmapped", n == 256);

	/* One page at a time, each 2 MiB apart: every one needs its own
	 * page table, which munmap must give back too (16 MiB of them). */
	static unsigned char *const base = (unsigned char *)0x200000000000;
	for (n = 0; n < 4096; n++) {
		p = mmap(base + n * 2 * MiB, 4096, RW,
			 ANON | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			break;
		p[0] = 1;
		munmap(p, 4096);
	}
	check("4096 pages 2 MiB apart, page tables given back", n == 4096);

	errno = 0;
	p = mmap(NULL, 1UL << 40, RW, ANON, -1, 0);
	check("1 TiB is ENOMEM, not a crash",
	      p == MAP_FAILED && errno == ENOMEM);
	errno = 0;
	p = mmap(NULL, 64 * MiB, RW, ANON, -1, 0);
	check("64 MiB in a 16 MiB guest is ENOMEM",
	      p == MAP_FAILED && errno == ENOMEM);
	p = mmap(NULL, MiB, RW, ANON, -1, 0);
	check("and memory is still there after",
	      p != MAP_FAILED && all(p, MiB, 0));
	munmap(p, MiB);

	/* Two 10 MiB mappings do not fit in 16 MiB, touched or not. */
	unsigned char *a = mmap(NULL, 10 * MiB, RW, ANON, -1, 0);
	errno = 0;
	unsigned char *b = mmap(NULL, 10 * MiB, RW, ANON, -1, 0);
	check("10 MiB untouched holds its memory: 10 MiB more is ENOMEM",
	      a != MAP_FAILED && b == MAP_FAILED && errno == ENOMEM);
	errno = 0;
	b = mmap(NULL, 10 * MiB, RW, ANON | MAP_POPULATE, -1, 0);
	check("and so with MAP_POPULATE", b == MAP_FAILED && errno == ENOMEM);
	check("every page of it can be touched, zero",
	      a != MAP_FAILED && all(a, 10 * MiB, 0));
	memset(a, 1, 10 * MiB);
	check("its memory comes back at munmap",
	      munmap(a, 10 * MiB) == 0 && (b = mmap(NULL, 10 * MiB, RW, ANON,
						    -1, 0)) != MAP_FAILED);
	check("and at PROT_NONE of pages never touched",
	      mprotect(b, 10 * MiB, PROT_NONE) == 0 &&
		      (a = mmap(NULL, 10 * MiB, RW, ANON, -1, 0)) !=
			      MAP_FAILED &&
		      all(a, 10 * MiB, 0));
	check("PROT_NONE pages made writable again are zero",
	      munmap(a, 10 * MiB) == 0 && mprotect(b, MiB, RW) == 0 &&
		      all(b, MiB, 0));
	munmap(b, 10 * MiB);
	b = mmap(NULL, 10 * MiB, RW, ANON | MAP_POPULATE, -1, 0);
	check("MAP_POPULATE, zero", b != MAP_FAILED && all(b, 10 * MiB, 0));
	munmap(b, 10 * MiB);
	printf("mmap %s\n", fails ? "FAILED" : "ok");
	return fails != 0;
}
