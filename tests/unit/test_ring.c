/* ring_used (xen/xen_guest.h): the index arithmetic of the console and
 * xenstore rings, whose free-running 32-bit indices wrap at 2^32. */
#include <stdint.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

#include "kern/kern.h"
#include "plat/xen/xen_guest.h"
#include "test.h"

static void fill_levels(void)
{
	static const struct {
		uint32_t prod, cons, size, want;
	} cases[] = {
		{ 0, 0, 1024, 0 },
		{ 5, 0, 1024, 5 },
		{ 1024, 0, 1024, 1024 }, /* full */
		{ 1025, 0, 1024, RING_CORRUPT },
		{ 0, 1, 1024, RING_CORRUPT },	/* consumer ahead of producer */
		{ 3, UINT32_MAX - 1, 1024, 5 }, /* across the wrap */
		{ 0, UINT32_MAX - 1023, 1024, 1024 },
		{ 0, UINT32_MAX - 1024, 1024, RING_CORRUPT },
		{ UINT32_MAX, UINT32_MAX, 2048, 0 },
		{ 0x80000000u, 0, 1024, RING_CORRUPT },
		{ 7, 7, 0, 0 },
		{ 8, 7, 0, RING_CORRUPT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_EQ(ring_used(cases[i].prod, cases[i].cons, cases[i].size),
			 cases[i].want);
}

/*
 * A producer and a consumer pass random chunks through a xenstore-sized
 * ring the way xs.c and console.c do (used from ring_used, bytes at
 * MASK_XENSTORE_IDX), starting just below the wrap: the bytes come out
 * in order, and the level never exceeds the ring.
 */
static void bytes_survive_the_wrap(void)
{
	char ring[XENSTORE_RING_SIZE];
	uint32_t prod = UINT32_MAX - 3000, cons = prod;
	unsigned char next_in = 0, next_out = 0;
	unsigned long long seed = 99;
	size_t moved = 0;
	while (moved < 64 * 1024) {
		uint32_t used = ring_used(prod, cons, sizeof(ring));
		CHECK(used != RING_CORRUPT);
		if (used == RING_CORRUPT)
			return;
		bool produce = test_rand(&seed) % 2;
		size_t want = test_rand(&seed) % 700;
		if (produce) {
			size_t n = MIN(want, sizeof(ring) - used);
			for (size_t i = 0; i < n; i++)
				ring[MASK_XENSTORE_IDX(prod++)] = next_in++;
		} else {
			size_t n = MIN(want, used);
			for (size_t i = 0; i < n; i++) {
				unsigned char b =
					ring[MASK_XENSTORE_IDX(cons++)];
				if (b != next_out) {
					CHECK_EQ(b, next_out);
					return;
				}
				next_out++;
			}
			moved += n;
		}
	}
	CHECK(prod < UINT32_MAX - 3000); /* it did wrap */
}

/* The console's input and output rings have their own sizes. */
static void console_ring_sizes(void)
{
	struct xencons_interface c;
	uint32_t in = sizeof(c.in), out = sizeof(c.out);
	CHECK_EQ(ring_used(10, 10 - out, out), out);
	CHECK_EQ(ring_used(10, 10 - in - 1, in), RING_CORRUPT);
	CHECK_EQ(MASK_XENCONS_IDX(UINT32_MAX, c.in), sizeof(c.in) - 1);
	CHECK_EQ(MASK_XENCONS_IDX((uint32_t)(UINT32_MAX + 1u), c.out), 0);
}

int main(int argc, char **argv)
{
	test_init("ring", argc, argv);
	RUN(fill_levels);
	RUN(bytes_survive_the_wrap);
	RUN(console_ring_sizes);
	return test_summary();
}
