/* kern/vmem.c: the interval set behind mmap. Small numbers stand in for
 * addresses: the set does not care about page sizes. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "kern/kern.h"
#include "test.h"

/* node_page: real pages from the host, at most node_budget of them. */
static void *node_pages[64];
static int nnode_pages, node_budget;

static void *fake_node_page(void)
{
	if (nnode_pages == node_budget || nnode_pages == 64)
		return NULL;
	void *p = aligned_alloc(KPAGE_SIZE, KPAGE_SIZE);
	node_pages[nnode_pages++] = p;
	return p;
}

static void setup(struct vmem *v, uintptr_t base, uintptr_t limit, int budget)
{
	while (nnode_pages)
		free(node_pages[--nnode_pages]);
	node_budget = budget;
	*v = (struct vmem){ .base = base,
			    .limit = limit,
			    .node_page = fake_node_page };
}

/* Is the set exactly these n intervals (start, end, start, end...)?
 * Prints what it is when not. */
static bool set_is(const struct vmem *v, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	bool same = true;
	const struct vmem_node *nd = v->head;
	for (int i = 0; i < n; i++, nd = nd ? nd->next : NULL) {
		uintptr_t s = va_arg(ap, uintptr_t), e = va_arg(ap, uintptr_t);
		if (!nd || nd->start != s || nd->end != e)
			same = false;
	}
	va_end(ap);
	if (nd)
		same = false;
	if (!same) {
		printf("  the set is:");
		for (nd = v->head; nd; nd = nd->next)
			printf(" [%lu, %lu)", (unsigned long)nd->start,
			       (unsigned long)nd->end);
		printf("\n");
	}
	return same;
}
#define SET_IS(v, ...) CHECK(set_is(v, __VA_ARGS__))
#define U(x)	       ((uintptr_t)(x))

static void insert_disjoint_sorted(void)
{
	struct vmem v;
	setup(&v, 100, 1000, 1);
	CHECK_EQ(vmem_insert(&v, 500, 600), 0);
	CHECK_EQ(vmem_insert(&v, 100, 200), 0);
	CHECK_EQ(vmem_insert(&v, 800, 1000), 0);
	CHECK_EQ(vmem_insert(&v, 300, 400), 0);
	SET_IS(&v, 4, U(100), U(200), U(300), U(400), U(500), U(600), U(800),
	       U(1000));
}

static void insert_merges(void)
{
	struct vmem v;
	setup(&v, 0, 1000, 1);
	CHECK_EQ(vmem_insert(&v, 100, 200), 0);
	CHECK_EQ(vmem_insert(&v, 200, 300), 0); /* touches on the right */
	SET_IS(&v, 1, U(100), U(300));
	CHECK_EQ(vmem_insert(&v, 50, 100), 0); /* touches on the left */
	SET_IS(&v, 1, U(50), U(300));
	CHECK_EQ(vmem_insert(&v, 400, 500), 0);
	CHECK_EQ(vmem_insert(&v, 600, 700), 0);
	CHECK_EQ(vmem_insert(&v, 300, 400), 0); /* fills a hole exactly */
	SET_IS(&v, 2, U(50), U(500), U(600), U(700));
	CHECK_EQ(vmem_insert(&v, 120, 130), 0); /* already inside */
	SET_IS(&v, 2, U(50), U(500), U(600), U(700));
	CHECK_EQ(vmem_insert(&v, 800, 900), 0);
	CHECK_EQ(vmem_insert(&v, 450, 850), 0); /* swallows two, overlaps */
	SET_IS(&v, 1, U(50), U(900));
}

static void insert_refuses_bad_ranges(void)
{
	struct vmem v;
	setup(&v, 100, 1000, 1);
	CHECK_EQ(vmem_insert(&v, 200, 200), -EINVAL);
	CHECK_EQ(vmem_insert(&v, 300, 200), -EINVAL);
	CHECK_EQ(vmem_insert(&v, 50, 150), -EINVAL);
	CHECK_EQ(vmem_insert(&v, 900, 1001), -EINVAL);
	CHECK_EQ(vmem_insert(&v, 100, 1000), 0);
	SET_IS(&v, 1, U(100), U(1000));
}

static void remove_trims_splits_drops(void)
{
	struct vmem v;
	setup(&v, 0, 1000, 1);
	vmem_insert(&v, 100, 400);
	vmem_insert(&v, 500, 600);
	vmem_insert(&v, 700, 900);
	CHECK_EQ(vmem_remove(&v, 200, 300), 0); /* a hole: split */
	SET_IS(&v, 4, U(100), U(200), U(300), U(400), U(500), U(600), U(700),
	       U(900));
	CHECK_EQ(vmem_remove(&v, 50, 150), 0);	/* the head of one */
	CHECK_EQ(vmem_remove(&v, 850, 950), 0); /* the tail of one */
	SET_IS(&v, 4, U(150), U(200), U(300), U(400), U(500), U(600), U(700),
	       U(850));
	CHECK_EQ(vmem_remove(&v, 350, 750), 0); /* across three */
	SET_IS(&v, 3, U(150), U(200), U(300), U(350), U(750), U(850));
	CHECK_EQ(vmem_remove(&v, 400, 700), 0); /* nothing there */
	CHECK_EQ(vmem_remove(&v, 150, 200), 0); /* exactly one */
	SET_IS(&v, 2, U(300), U(350), U(750), U(850));
	CHECK_EQ(vmem_remove(&v, 0, 1000), 0);
	SET_IS(&v, 0);
	CHECK_EQ(vmem_remove(&v, 5, 5), -EINVAL);
	CHECK_EQ(vmem_remove(&v, 6, 5), -EINVAL);
}

static void find_first_fit_from_hint(void)
{
	struct vmem v;
	setup(&v, 100, 1000, 1);
	uintptr_t at = 0;
	CHECK_EQ(vmem_find(&v, 50, 0, &at), 0);
	CHECK_EQ(at, 100); /* empty: the base */
	CHECK_EQ(vmem_find(&v, 50, 300, &at), 0);
	CHECK_EQ(at, 300); /* empty: the hint */
	vmem_insert(&v, 100, 200);
	vmem_insert(&v, 250, 400);
	vmem_insert(&v, 450, 900);
	CHECK_EQ(vmem_find(&v, 50, 0, &at), 0);
	CHECK_EQ(at, 200); /* exactly the first hole */
	CHECK_EQ(vmem_find(&v, 51, 0, &at), 0);
	CHECK_EQ(at, 900); /* too big for [200, 250) and [400, 450) */
	CHECK_EQ(vmem_find(&v, 50, 300, &at), 0);
	CHECK_EQ(at, 400); /* hint inside a used range: after it */
	CHECK_EQ(vmem_find(&v, 20, 410, &at), 0);
	CHECK_EQ(at, 410); /* room at the hint itself */
	CHECK_EQ(vmem_find(&v, 100, 200, &at), 0);
	CHECK_EQ(at, 900); /* the top hole */
	CHECK_EQ(vmem_find(&v, 100, 950, &at), 0);
	CHECK_EQ(at, 900); /* no room above the hint: wrap to the base */
	CHECK_EQ(vmem_find(&v, 40, 980, &at), 0);
	CHECK_EQ(at, 200); /* wrapped, first fit from the base */
	CHECK_EQ(vmem_find(&v, 40, 5000, &at), 0);
	CHECK_EQ(at, 200); /* a hint outside the window is ignored */
	at = 1;
	CHECK_EQ(vmem_find(&v, 101, 0, &at), -ENOMEM);
	CHECK_EQ(vmem_find(&v, 0, 0, &at), -ENOMEM);
	CHECK_EQ(vmem_find(&v, 901, 0, &at), -ENOMEM);
	CHECK_EQ(vmem_find(&v, SIZE_MAX, 0, &at), -ENOMEM);
	CHECK_EQ(at, 1); /* untouched on failure */
	vmem_insert(&v, 900, 1000);
	vmem_insert(&v, 200, 250);
	vmem_insert(&v, 400, 450);
	CHECK_EQ(vmem_find(&v, 1, 500, &at), -ENOMEM); /* full */
}

static void covers_and_is_free(void)
{
	struct vmem v;
	setup(&v, 100, 1000, 1);
	vmem_insert(&v, 200, 300);
	vmem_insert(&v, 400, 500);
	CHECK(vmem_covers(&v, 200, 300));
	CHECK(vmem_covers(&v, 250, 260));
	CHECK(!vmem_covers(&v, 199, 300));
	CHECK(!vmem_covers(&v, 200, 301));
	CHECK(!vmem_covers(&v, 250, 450)); /* across a hole */
	CHECK(!vmem_covers(&v, 600, 700));
	CHECK(vmem_is_free(&v, 100, 200));
	CHECK(vmem_is_free(&v, 300, 400));
	CHECK(vmem_is_free(&v, 500, 1000));
	CHECK(!vmem_is_free(&v, 299, 400));
	CHECK(!vmem_is_free(&v, 300, 401));
	CHECK(!vmem_is_free(&v, 150, 600));
	CHECK(!vmem_is_free(&v, 50, 100)); /* outside the window */
	CHECK(!vmem_is_free(&v, 900, 1001));
	CHECK(!vmem_is_free(&v, 350, 350)); /* empty */
}

/* Nodes come from node_page; when it has none, insert and a splitting
 * remove fail with -ENOMEM and leave the set as it was. */
static void out_of_nodes(void)
{
	struct vmem v;
	setup(&v, 0, 100000, 0);
	CHECK_EQ(vmem_insert(&v, 10, 20), -ENOMEM);
	SET_IS(&v, 0);

	size_t per_page = KPAGE_SIZE / sizeof(struct vmem_node);
	setup(&v, 0, 100000, 1);
	for (size_t i = 0; i < per_page; i++)
		CHECK_EQ(vmem_insert(&v, 10 * i, 10 * i + 5), 0);
	CHECK_EQ(nnode_pages, 1);
	CHECK_EQ(vmem_insert(&v, 99990, 99995), -ENOMEM);
	CHECK_EQ(vmem_remove(&v, 11, 12), -ENOMEM); /* needs a node */
	CHECK(vmem_covers(&v, 10, 15));
	CHECK(vmem_is_free(&v, 99990, 99995));
	/* Merging and dropping give nodes back. */
	CHECK_EQ(vmem_insert(&v, 5, 10), 0); /* joins [0,5) and [10,15) */
	CHECK_EQ(vmem_insert(&v, 99990, 99995), 0);
	CHECK_EQ(vmem_remove(&v, 20, 25), 0);
	CHECK_EQ(vmem_remove(&v, 31, 32), 0);
	CHECK(vmem_is_free(&v, 31, 32));
	CHECK_EQ(nnode_pages, 1);
}

/*
 * Random inserts, removes and finds, checked against a bitmap with one
 * bit per unit. After every step the list must be sorted, disjoint,
 * non-adjacent, inside the window, and hold exactly the bitmap's units.
 */
enum { BASE = 16, LIMIT = 16 + 512 };
static bool used[LIMIT];

static bool model_free(uintptr_t s, uintptr_t e)
{
	for (uintptr_t i = s; i < e; i++)
		if (used[i])
			return false;
	return true;
}

/* The documented answer of vmem_find: the lowest fit at or above the
 * hint, else the lowest fit at or above the base. */
static bool model_find(size_t len, uintptr_t hint, uintptr_t *out)
{
	uintptr_t from = hint >= BASE && hint < LIMIT ? hint : BASE;
	for (int pass = 0; pass < 2; pass++, from = BASE)
		for (uintptr_t s = from; s + len <= LIMIT; s++)
			if (model_free(s, s + len)) {
				*out = s;
				return true;
			}
	return false;
}

static bool same_as_model(const struct vmem *v)
{
	bool inset[LIMIT] = { 0 };
	uintptr_t prev_end = 0;
	bool first = true, ok = true;
	for (const struct vmem_node *n = v->head; n; n = n->next) {
		if (n->start >= n->end || n->start < BASE || n->end > LIMIT ||
		    (!first && n->start <= prev_end))
			ok = false; /* empty, outside, unsorted or adjacent */
		for (uintptr_t i = n->start; ok && i < n->end; i++)
			inset[i] = true;
		prev_end = n->end;
		first = false;
	}
	for (uintptr_t i = 0; ok && i < LIMIT; i++)
		ok = inset[i] == used[i];
	return ok;
}

static void random_against_bitmap(void)
{
	struct vmem v;
	setup(&v, BASE, LIMIT, 64);
	memset(used, 0, sizeof(used));
	unsigned long long seed = 0x5eed;
	for (int step = 0; step < 30000 && !test_fails; step++) {
		unsigned op = test_rand(&seed) % 8;
		uintptr_t s = BASE + test_rand(&seed) % (LIMIT - BASE);
		uintptr_t e = s + 1 + test_rand(&seed) % 24;
		if (e > LIMIT)
			e = LIMIT;
		if (op < 3) {
			CHECK_EQ(vmem_insert(&v, s, e), 0);
			for (uintptr_t i = s; i < e; i++)
				used[i] = true;
		} else if (op < 6) {
			CHECK_EQ(vmem_remove(&v, s, e), 0);
			for (uintptr_t i = s; i < e; i++)
				used[i] = false;
		} else if (op == 6) {
			size_t len = e - s;
			uintptr_t hint = test_rand(&seed) % (LIMIT + 32);
			uintptr_t got = 0, want = 0;
			bool fits = model_find(len, hint, &want);
			CHECK_EQ(vmem_find(&v, len, hint, &got),
				 fits ? 0 : -ENOMEM);
			if (fits)
				CHECK_EQ(got, want);
		} else {
			bool all = true;
			for (uintptr_t i = s; i < e; i++)
				all = all && used[i];
			CHECK_EQ(vmem_covers(&v, s, e), all);
			CHECK_EQ(vmem_is_free(&v, s, e), model_free(s, e));
		}
		CHECK(same_as_model(&v));
		if (test_fails)
			printf("  at step %d (op %u, [%lu, %lu))\n", step, op,
			       (unsigned long)s, (unsigned long)e);
	}
}

int main(int argc, char **argv)
{
	test_init("vmem", argc, argv);
	RUN(insert_disjoint_sorted);
	RUN(insert_merges);
	RUN(insert_refuses_bad_ranges);
	RUN(remove_trims_splits_drops);
	RUN(find_first_fit_from_hint);
	RUN(covers_and_is_free);
	RUN(out_of_nodes);
	RUN(random_against_bitmap);
	struct vmem v;
	setup(&v, 0, 1, 0); /* frees the node pages */
	return test_summary();
}
