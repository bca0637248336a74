/* plat/xen/p2m.c: a PV guest's P2M and its inverse (sorted runs), over
 * made-up frame lists: contiguous, shuffled 2 MiB extents, every frame
 * its own run, and frames that are not ours. */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>

#include "kern/kern.h"
#include "plat/xen/xen_guest.h"
#include "test.h"

/* p2m_mfn's bounds check: a panic returns to the test that expected it. */
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

/* Pages for the runs, from an arena each build starts over in (the
 * previous build's runs are dead by then). */
static char arena[200][KPAGE_SIZE] __attribute__((aligned(KPAGE_SIZE)));
static int pages_given, pages_left = 200;
uintptr_t page_alloc(void)
{
	if (!pages_left--)
		return 0;
	return (uintptr_t)arena[pages_given++];
}
static int build(void)
{
	pages_given = 0;
	return m2p_build();
}

enum { N = 20000 };
static xen_pfn_t list[N];

/* Every pfn's frame maps back to it; a frame next to no run is not ours. */
static void check_inverse(unsigned long n)
{
	int bad = 0;
	for (unsigned long pfn = 0; pfn < n; pfn++) {
		uint64_t back = ~0UL;
		if (!m2p_pfn(list[pfn], &back) || back != pfn)
			bad++;
		if (p2m_mfn(pfn) != list[pfn])
			bad++;
	}
	CHECK_EQ(bad, 0);
}

static void contiguous(void)
{
	for (int i = 0; i < N; i++)
		list[i] = 0x50000 + i;
	p2m_init(list, N);
	CHECK_EQ(build(), 0);
	CHECK_EQ(m2p_runs(), 1);
	check_inverse(N);
	uint64_t pfn = 7;
	CHECK(!m2p_pfn(0x50000 + N, &pfn)); /* one past the end */
	CHECK(!m2p_pfn(0x4ffff, &pfn));	    /* one before */
	CHECK(!m2p_pfn(0, &pfn));
	CHECK_EQ(pfn, 7); /* untouched when not ours */
}

/* 2 MiB extents (512 frames) in a scrambled machine order, as the domain
 * builder gets them from a fragmented host. */
static void shuffled_extents(void)
{
	int order[N / 512];
	int n = N / 512;
	for (int i = 0; i < n; i++)
		order[i] = (i * 17 + 5) % n;
	for (int i = 0; i < n * 512; i++)
		list[i] = 0x100000 + (uint64_t)order[i / 512] * 4096 + i % 512;
	p2m_init(list, n * 512);
	CHECK_EQ(build(), 0);
	CHECK_EQ(m2p_runs(), (unsigned long)n);
	check_inverse(n * 512);
	uint64_t pfn;
	CHECK(!m2p_pfn(0x100000 + 512, &pfn)); /* in a gap between extents */
}

/* The worst case: no two frames adjacent; the runs span several pages,
 * and sorting must get every one right. */
static void every_frame_a_run(void)
{
	for (int i = 0; i < N; i++)
		list[i] = 0x900000 - 2 * (uint64_t)((i * 7919) % N);
	p2m_init(list, N);
	CHECK_EQ(build(), 0);
	CHECK_EQ(m2p_runs(), N);
	CHECK(pages_given > 1);
	check_inverse(N);
	uint64_t pfn;
	CHECK(!m2p_pfn(0x900000 - 1, &pfn)); /* between two frames */
	CHECK(!m2p_pfn(0x900001, &pfn));
}

static void out_of_pages(void)
{
	for (int i = 0; i < N; i++)
		list[i] = 0x900000 - 2 * (uint64_t)i;
	p2m_init(list, N);
	pages_left = 3;
	CHECK_EQ(build(), -ENOMEM);
	pages_left = 200;
}

static void pfn_beyond_the_list(void)
{
	for (int i = 0; i < 16; i++)
		list[i] = 0x1000 + i;
	p2m_init(list, 16);
	CHECK_EQ(p2m_mfn(15), 0x100f);
	panic_expected = true;
	if (!setjmp(panic_jmp)) {
		p2m_mfn(16);
		CHECK(!"no panic for a pfn past the P2M");
	}
	panic_expected = false;
}

int main(int argc, char **argv)
{
	test_init("p2m", argc, argv);
	RUN(contiguous);
	RUN(shuffled_extents);
	RUN(every_frame_a_run);
	RUN(out_of_pages);
	RUN(pfn_beyond_the_list);
	return test_summary();
}
