/*
 * A classic PV guest's frame numbers: the P2M (pseudo-physical to
 * machine: the domain builder's list, start_info's mfn_list) and its
 * inverse for our own frames. Xen's M2P table would answer the inverse,
 * but it is mapped only in guest kernel mode, and the kernel runs in
 * user mode (arch/x86_64/pventry.S): so we keep the P2M turned around,
 * as runs of consecutive frames sorted by machine frame. The domain
 * builder allocates memory in 2 MiB extents where it can, so there are
 * few runs; the worst case (every frame its own run) is bounded by
 * RUN_PAGES pages of them.
 */
#include <errno.h>

#include "xen_guest.h"
#include "kern/kern.h"

#define RUNS_PER_PAGE (KPAGE_SIZE / sizeof(struct m2p_run))
#define RUN_PAGES     256 /* 43,520 runs */

struct m2p_run {
	uint64_t mfn, pfn, n; /* mfn .. mfn + n - 1 are pfn .. pfn + n - 1 */
};

static const xen_pfn_t *p2m;
static unsigned long nr_pfns;
static struct m2p_run *run_page[RUN_PAGES];
static unsigned long nruns, last;

void p2m_init(const xen_pfn_t *list, unsigned long nr_pages)
{
	p2m = list;
	nr_pfns = nr_pages;
}

uint64_t p2m_mfn(uint64_t pfn)
{
	if (pfn >= nr_pfns)
		panic("pfn %#lx beyond the P2M (%#lx pages)", pfn, nr_pfns);
	return p2m[pfn];
}

static struct m2p_run *run_at(unsigned long i)
{
	return &run_page[i / RUNS_PER_PAGE][i % RUNS_PER_PAGE];
}

static void run_swap(unsigned long i, unsigned long j)
{
	struct m2p_run t = *run_at(i);
	*run_at(i) = *run_at(j);
	*run_at(j) = t;
}

/* Heapsort by machine frame: no recursion, no extra memory. */
static void sift(unsigned long root, unsigned long n)
{
	for (unsigned long child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n &&
		    run_at(child + 1)->mfn > run_at(child)->mfn)
			child++;
		if (run_at(root)->mfn >= run_at(child)->mfn)
			return;
		run_swap(root, child);
	}
}

static void runs_sort(void)
{
	for (unsigned long i = nruns / 2; i--;)
		sift(i, nruns);
	for (unsigned long n = nruns; n > 1; n--) {
		run_swap(0, n - 1);
		sift(0, n - 1);
	}
}

int m2p_build(void)
{
	unsigned long n = 0;
	for (uint64_t pfn = 0; pfn < nr_pfns; pfn++) {
		struct m2p_run *r = n ? run_at(n - 1) : NULL;
		if (r && p2m[pfn] == r->mfn + r->n && pfn == r->pfn + r->n) {
			r->n++;
			continue;
		}
		if (n % RUNS_PER_PAGE == 0) {
			if (n / RUNS_PER_PAGE == RUN_PAGES)
				return -E2BIG;
			run_page[n / RUNS_PER_PAGE] = (void *)page_alloc();
			if (!run_page[n / RUNS_PER_PAGE])
				return -ENOMEM;
		}
		*run_at(n++) = (struct m2p_run){ p2m[pfn], pfn, 1 };
	}
	nruns = n;
	last = 0;
	runs_sort();
	return 0;
}

bool m2p_pfn(uint64_t mfn, uint64_t *pfn)
{
	/* Look where the last answer was first: walks stay near. */
	struct m2p_run *r = nruns ? run_at(last) : NULL;
	if (!r || mfn - r->mfn >= r->n) {
		/* The last run starting at or below mfn. */
		unsigned long lo = 0, hi = nruns;
		while (hi - lo > 1) {
			unsigned long mid = lo + (hi - lo) / 2;
			if (run_at(mid)->mfn <= mfn)
				lo = mid;
			else
				hi = mid;
		}
		if (!nruns || mfn - run_at(lo)->mfn >= run_at(lo)->n)
			return false; /* not ours */
		last = lo;
		r = run_at(lo);
	}
	*pfn = r->pfn + (mfn - r->mfn);
	return true;
}

unsigned long m2p_runs(void)
{
	return nruns;
}
