/* kern/page.c: the physical page allocator, over an arena of host memory
 * standing in for RAM. */
#include <setjmp.h>
#include <stdint.h>

#include "kern/kern.h"
#include "test.h"

/* page_free's kassert: a panic returns to the test that expected it. */
static jmp_buf panic_jmp;
static bool panic_expected;
void panic_at(const char *file, int line, const char *fmt, ...)
{
	if (!panic_expected) {
		printf("  unexpected panic at %s:%d: %s\n", file, line, fmt);
		abort();
	}
	longjmp(panic_jmp, 1);
}

enum { NPAGES = 64 };
static char *arena;
#define PG(i) ((uintptr_t)arena + (uintptr_t)(i)*KPAGE_SIZE)

static void setup(struct page_pool *p)
{
	memset(p, 0, sizeof(*p));
	memset(arena, 0, NPAGES * KPAGE_SIZE);
}

static void empty_pool(void)
{
	struct page_pool p;
	setup(&p);
	CHECK_EQ(page_pool_alloc(&p), 0);
	CHECK_EQ(p.free_pages, 0);
	CHECK_EQ(p.total_pages, 0);
}

static void one_run_until_exhausted(void)
{
	struct page_pool p;
	setup(&p);
	page_pool_add(&p, PG(0), PG(4));
	CHECK_EQ(p.total_pages, 4);
	CHECK_EQ(p.free_pages, 4);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(page_pool_alloc(&p), PG(i));
		CHECK_EQ(p.free_pages, 3 - i);
	}
	CHECK_EQ(page_pool_alloc(&p), 0);
	CHECK_EQ(page_pool_alloc(&p), 0);
	CHECK_EQ(p.free_pages, 0);
	CHECK_EQ(p.total_pages, 4);
}

static void runs_are_page_aligned(void)
{
	struct page_pool p;
	setup(&p);
	/* Rounded inwards: only PG(1) and PG(2) are whole pages. */
	page_pool_add(&p, PG(0) + 1, PG(4) + KPAGE_SIZE - 1);
	CHECK_EQ(p.total_pages, 3);
	page_pool_add(&p, PG(10) + 8, PG(11) - 8); /* no whole page */
	page_pool_add(&p, PG(12), PG(12));	   /* empty */
	page_pool_add(&p, PG(14), PG(13));	   /* backwards */
	CHECK_EQ(p.total_pages, 3);
	CHECK_EQ(p.nruns, 1);
	uintptr_t a = page_pool_alloc(&p);
	uintptr_t b = page_pool_alloc(&p);
	uintptr_t c = page_pool_alloc(&p);
	CHECK(a == PG(1) && b == PG(2) && c == PG(3));
	CHECK_EQ(page_pool_alloc(&p), 0);
}

static void freed_pages_come_back_lifo(void)
{
	struct page_pool p;
	setup(&p);
	page_pool_add(&p, PG(0), PG(8));
	uintptr_t a = page_pool_alloc(&p), b = page_pool_alloc(&p);
	uintptr_t c = page_pool_alloc(&p);
	page_pool_free(&p, a);
	page_pool_free(&p, c);
	page_pool_free(&p, b);
	CHECK_EQ(p.free_pages, 8);
	CHECK_EQ(page_pool_alloc(&p), b);
	CHECK_EQ(page_pool_alloc(&p), c);
	CHECK_EQ(page_pool_alloc(&p), a);
	/* Then the untouched rest of the run. */
	CHECK_EQ(page_pool_alloc(&p), PG(3));
	CHECK_EQ(p.free_pages, 4);
}

static void several_runs(void)
{
	struct page_pool p;
	setup(&p);
	page_pool_add(&p, PG(0), PG(2));
	page_pool_add(&p, PG(5), PG(8));
	page_pool_add(&p, PG(20), PG(21));
	CHECK_EQ(p.total_pages, 6);
	bool seen[NPAGES] = { 0 };
	for (int i = 0; i < 6; i++) {
		uintptr_t pa = page_pool_alloc(&p);
		CHECK(pa >= PG(0) && pa < PG(NPAGES) && pa % KPAGE_SIZE == 0);
		if (!(pa >= PG(0) && pa < PG(NPAGES)))
			continue;
		size_t idx = (pa - PG(0)) / KPAGE_SIZE;
		CHECK(!seen[idx]);
		seen[idx] = true;
		CHECK(idx < 2 || (idx >= 5 && idx < 8) || idx == 20);
	}
	CHECK_EQ(page_pool_alloc(&p), 0);
	CHECK_EQ(p.free_pages, 0);
}

static void at_most_64_runs(void)
{
	struct page_pool p;
	setup(&p);
	for (int i = 0; i < 32; i++)
		page_pool_add(&p, PG(2 * i), PG(2 * i + 1));
	for (int i = 0; i < 33; i++) /* the same memory again: not used */
		page_pool_add(&p, PG(2 * i), PG(2 * i + 1));
	CHECK_EQ(p.nruns, 64);
	CHECK_EQ(p.total_pages, 64);
}

/* A random mix of allocations and frees never hands out a page twice,
 * and the counts stay right. */
static void random_mix(void)
{
	struct page_pool p;
	setup(&p);
	page_pool_add(&p, PG(0), PG(20));
	page_pool_add(&p, PG(30), PG(NPAGES));
	size_t total = 20 + NPAGES - 30;
	bool held[NPAGES] = { 0 };
	uintptr_t stack[NPAGES];
	int nheld = 0;
	unsigned long long seed = 42;
	for (int step = 0; step < 20000; step++) {
		if (test_rand(&seed) % 2 && nheld) {
			int k = test_rand(&seed) % nheld;
			uintptr_t pa = stack[k];
			stack[k] = stack[--nheld];
			held[(pa - PG(0)) / KPAGE_SIZE] = false;
			page_pool_free(&p, pa);
		} else {
			uintptr_t pa = page_pool_alloc(&p);
			if (nheld == (int)total) {
				CHECK_EQ(pa, 0);
				continue;
			}
			CHECK(pa >= PG(0) && pa < PG(NPAGES));
			if (!(pa >= PG(0) && pa < PG(NPAGES)))
				break;
			size_t idx = (pa - PG(0)) / KPAGE_SIZE;
			CHECK(!held[idx] && (idx < 20 || idx >= 30));
			held[idx] = true;
			stack[nheld++] = pa;
		}
		CHECK_EQ(p.free_pages, total - nheld);
		if (test_fails)
			break;
	}
}

static void page_alloc_zeroes(void)
{
	setup(&pages);
	page_pool_add(&pages, PG(0), PG(2));
	uintptr_t a = page_alloc();
	memset((void *)a, 0xa5, KPAGE_SIZE);
	page_free(a);
	uintptr_t b = page_alloc();
	CHECK_EQ(b, a);
	char zero[KPAGE_SIZE] = { 0 };
	CHECK(!memcmp((void *)b, zero, KPAGE_SIZE));
	CHECK(page_alloc() != 0);
	CHECK_EQ(page_alloc(), 0);
}

/* Reserved pages count as free but only page_pool_alloc_reserved hands
 * them out; reservations beyond what is free are refused. */
static void reservations(void)
{
	struct page_pool p;
	setup(&p);
	page_pool_add(&p, PG(0), PG(4));
	CHECK(!page_pool_reserve(&p, 5));
	CHECK_EQ(p.reserved, 0);
	CHECK(page_pool_reserve(&p, 3));
	CHECK(!page_pool_reserve(&p, 2));
	CHECK_EQ(p.free_pages, 4);
	uintptr_t a = page_pool_alloc(&p);
	CHECK(a != 0);
	CHECK_EQ(page_pool_alloc(&p), 0); /* the rest is promised */
	uintptr_t r[3];
	for (int i = 0; i < 3; i++) {
		r[i] = page_pool_alloc_reserved(&p);
		CHECK(r[i] != 0 && r[i] != a);
	}
	CHECK_EQ(p.reserved, 0);
	CHECK_EQ(p.free_pages, 0);
	page_pool_free(&p, r[0]);
	page_pool_free(&p, r[1]);
	CHECK(page_pool_reserve(&p, 2));
	page_pool_unreserve(&p, 1);
	CHECK_EQ(p.reserved, 1);
	CHECK_EQ(page_pool_alloc(&p), r[1]); /* the one not promised */
	CHECK_EQ(page_pool_alloc(&p), 0);
	CHECK_EQ(page_pool_alloc_reserved(&p), r[0]);
}

/* Taking a reserved page with none reserved, or giving back more than
 * was reserved, is a broken invariant. */
static void reservation_misuse_panics(void)
{
	for (volatile int k = 0; k < 2; k++) {
		struct page_pool p;
		setup(&p);
		page_pool_add(&p, PG(0), PG(4));
		volatile bool panicked = false;
		panic_expected = true;
		if (!setjmp(panic_jmp)) {
			if (k)
				page_pool_unreserve(&p, 1);
			else
				page_pool_alloc_reserved(&p);
		} else {
			panicked = true;
		}
		panic_expected = false;
		CHECK(panicked);
	}
}

static void page_alloc_reserved_zeroes(void)
{
	setup(&pages);
	page_pool_add(&pages, PG(0), PG(2));
	uintptr_t a = page_alloc();
	memset((void *)a, 0xa5, KPAGE_SIZE);
	page_free(a);
	CHECK(page_reserve(2));
	CHECK_EQ(page_avail(), 0);
	CHECK_EQ(page_alloc(), 0);
	uintptr_t b = page_alloc_reserved();
	CHECK_EQ(b, a);
	char zero[KPAGE_SIZE] = { 0 };
	CHECK(!memcmp((void *)b, zero, KPAGE_SIZE));
	page_unreserve(1);
	CHECK_EQ(page_avail(), 1);
}

static void page_free_refuses_bad_addresses(void)
{
	setup(&pages);
	page_pool_add(&pages, PG(0), PG(2));
	uintptr_t bad[] = { 0, PG(1) + 8 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		volatile bool panicked = false;
		panic_expected = true;
		if (!setjmp(panic_jmp))
			page_free(bad[i]);
		else
			panicked = true;
		panic_expected = false;
		CHECK(panicked);
	}
	CHECK_EQ(pages.free_pages, 2);
}

int main(int argc, char **argv)
{
	test_init("page", argc, argv);
	arena = aligned_alloc(KPAGE_SIZE, NPAGES * KPAGE_SIZE);
	RUN(empty_pool);
	RUN(one_run_until_exhausted);
	RUN(runs_are_page_aligned);
	RUN(freed_pages_come_back_lifo);
	RUN(several_runs);
	RUN(at_most_64_runs);
	RUN(random_mix);
	RUN(page_alloc_zeroes);
	RUN(page_free_refuses_bad_addresses);
	RUN(reservations);
	RUN(reservation_misuse_panics);
	RUN(page_alloc_reserved_zeroes);
	free(arena);
	return test_summary();
}
