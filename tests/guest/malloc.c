/* malloc stress: thousands of blocks of sizes up to 1 MiB, grown and
 * shrunk with realloc, contents checked, all freed; then the guest's
 * memory is exhausted (malloc must return NULL, not hang or crash) and
 * freed; and all of it three times. Later rounds must get as much memory
 * as the first: freed memory comes back. Run in a 16 MiB guest, where
 * leaking 1 MiB a round would show. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS	 64
#define STEPS	 4000
#define LIVE_MAX (6UL << 20) /* bytes live at once, at most */
#define ROUNDS	 3

static uint64_t seed = 88172645463325252ULL;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* Log-uniform up to 1 MiB: mostly small, some big. */
static size_t rnd_size(void)
{
	unsigned k = rnd() % 21;
	return (1UL << k) + rnd() % (1UL << k);
}

static struct {
	unsigned char *p;
	size_t n;
	unsigned char tag;
} slot[SLOTS];

static void fill(int i)
{
	/* A whole block is too slow to fill under TCG; mark both ends
	 * and every 4 KiB. */
	for (size_t o = 0; o < slot[i].n; o += 4096)
		slot[i].p[o] = slot[i].tag;
	slot[i].p[slot[i].n - 1] = slot[i].tag;
}

static int check(int i, size_t n)
{
	for (size_t o = 0; o < n; o += 4096)
		if (slot[i].p[o] != slot[i].tag)
			return 0;
	return n < slot[i].n || slot[i].p[n - 1] == slot[i].tag;
}

static int churn(void)
{
	size_t peak = 0, live = 0;
	for (int s = 0; s < STEPS; s++) {
		int i = rnd() % SLOTS;
		size_t n = rnd_size();
		if (live + n > LIVE_MAX && slot[i].p) {
			free(slot[i].p);
			slot[i].p = NULL;
			live -= slot[i].n;
		} else if (live + n > LIVE_MAX) {
			continue;
		} else if (!slot[i].p) {
			slot[i].n = n;
			slot[i].p = malloc(slot[i].n);
			if (!slot[i].p) {
				printf("malloc(%zu) failed\n", slot[i].n);
				return 0;
			}
			slot[i].tag = rnd();
			fill(i);
			live += slot[i].n;
		} else if (rnd() % 2) {
			unsigned char *q = realloc(slot[i].p, n);
			if (!q) {
				printf("realloc(%zu) failed\n", n);
				return 0;
			}
			slot[i].p = q;
			if (!check(i, n < slot[i].n ? n : slot[i].n)) {
				printf("realloc lost contents\n");
				return 0;
			}
			live += n - slot[i].n;
			slot[i].n = n;
			fill(i);
		} else {
			if (!check(i, slot[i].n)) {
				printf("block %d corrupted\n", i);
				return 0;
			}
			free(slot[i].p);
			slot[i].p = NULL;
			live -= slot[i].n;
		}
		if (live > peak)
			peak = live;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i].p && !check(i, slot[i].n))
			return 0;
		free(slot[i].p);
		slot[i].p = NULL;
	}
	printf("  churn: %d steps, peak %zu KiB live\n", STEPS, peak >> 10);
	return 1;
}

/* Allocate blocks of size sz until malloc fails; free them all. */
static size_t exhaust(size_t sz)
{
	void **list = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			void **l = realloc(list, cap * sizeof(*l));
			if (!l)
				break;
			list = l;
		}
		void *p = malloc(sz);
		if (!p)
			break;
		memset(p, 0xa5, sz < 64 ? sz : 64);
		list[n++] = p;
	}
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return n;
}

int main(void)
{
	size_t big[ROUNDS], small[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		printf("round %d\n", r + 1);
		if (!churn())
			return 1;
		big[r] = exhaust(256 << 10);
		printf("  256 KiB blocks until NULL: %zu (%zu MiB)\n", big[r],
		       big[r] / 4);
		small[r] = exhaust(1000);
		printf("  1000-byte blocks until NULL: %zu\n", small[r]);
	}
	/* A leak of 1 MiB a round would show here. */
	for (int r = 1; r < ROUNDS; r++)
		if (big[r] + 2 < big[0] || small[r] + 500 < small[0]) {
			printf("memory did not come back in round %d\n", r + 1);
			return 1;
		}
	if (big[0] < 8) {
		printf("too little memory to judge\n");
		return 1;
	}
	printf("malloc ok: memory came back\n");
	return 0;
}
