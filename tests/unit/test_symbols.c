/* kern/symbols.c: the .atman_syms blob atman-gensyms writes, built here
 * the same way, then parsed and looked up. */
#include <stdint.h>

#include "kern/kern.h"
#include "test.h"

#define SYM_MAGIC 0x4d595341 /* "ASYM" */

/* The blob, 8-byte aligned like the section: magic, count, base (the
 * first address), off[count] (addresses less base), the names one after
 * the other. Returns its length. */
static size_t build(uint64_t *out, int n, const uint64_t *addr,
		    const char *const *name)
{
	char *b = (char *)out;
	uint32_t hdr[2] = { SYM_MAGIC, n };
	memcpy(b, hdr, 8);
	out[1] = n ? addr[0] : 0;
	uint32_t *off = (uint32_t *)(b + 16);
	for (int i = 0; i < n; i++)
		off[i] = addr[i] - addr[0];
	char *str = (char *)(off + n);
	size_t at = 0;
	for (int i = 0; i < n; i++) {
		strcpy(str + at, name[i]);
		at += strlen(name[i]) + 1;
	}
	return 16 + 4 * n + at;
}

static const uint64_t addrs[] = { 0x101000, 0x101040, 0x101040, 0x102000 };
static const char *const names[] = { "_start", "main", "main_alias", "exit" };

static void lookup_at_below_between_after(void)
{
	uint64_t blob[64];
	size_t len = build(blob, 4, addrs, names);
	struct sym_table t;
	CHECK(sym_table_parse(&t, blob, len));
	CHECK_EQ(t.count, 4);
	uintptr_t off = 12345;
	CHECK_STR(sym_lookup(&t, 0x100fff, &off), NULL); /* below all */
	CHECK_EQ(off, 12345);
	CHECK_STR(sym_lookup(&t, 0, &off), NULL);
	CHECK_STR(sym_lookup(&t, 0x101000, &off), "_start"); /* at */
	CHECK_EQ(off, 0);
	CHECK_STR(sym_lookup(&t, 0x10103f, &off), "_start"); /* between */
	CHECK_EQ(off, 0x3f);
	/* Two names at one address: either, at offset 0. */
	const char *s = sym_lookup(&t, 0x101040, &off);
	CHECK(s && (!strcmp(s, "main") || !strcmp(s, "main_alias")));
	CHECK_EQ(off, 0);
	s = sym_lookup(&t, 0x101fff, &off);
	CHECK(s && (!strcmp(s, "main") || !strcmp(s, "main_alias")));
	CHECK_EQ(off, 0xfbf);
	CHECK_STR(sym_lookup(&t, 0x102000, &off), "exit");
	CHECK_EQ(off, 0);
	/* After the last symbol: still the last one (no sizes recorded). */
	CHECK_STR(sym_lookup(&t, 0x102345, &off), "exit");
	CHECK_EQ(off, 0x345);
}

/* Every address in a bigger table finds the right symbol. */
static void lookup_many(void)
{
	enum { N = 300 };
	static uint64_t blob[(16 + 4 * N + 12 * N) / 8 + 1];
	uint64_t a[N];
	char namebuf[N][12];
	const char *nm[N];
	for (int i = 0; i < N; i++) {
		a[i] = i ? a[i - 1] + 16 * (i % 7 + 1) : 0x200000;
		snprintf(namebuf[i], sizeof(namebuf[i]), "f%u", (unsigned)i);
		nm[i] = namebuf[i];
	}
	struct sym_table t;
	CHECK(sym_table_parse(&t, blob, build(blob, N, a, nm)));
	for (int i = 0; i < N; i++) {
		uint64_t end = i + 1 < N ? a[i + 1] : a[i] + 100;
		for (uint64_t pc = a[i]; pc < end; pc += 3) {
			uintptr_t off = 0;
			const char *s = sym_lookup(&t, pc, &off);
			if (!s || strcmp(s, nm[i]) || off != pc - a[i]) {
				CHECK_STR(s, nm[i]);
				CHECK_EQ(off, pc - a[i]);
				return;
			}
		}
	}
}

static void one_and_none(void)
{
	uint64_t blob[8];
	struct sym_table t;
	CHECK(sym_table_parse(&t, blob, build(blob, 1, addrs, names)));
	uintptr_t off;
	CHECK_STR(sym_lookup(&t, 0x101000 + 7, &off), "_start");
	CHECK_EQ(off, 7);
	CHECK(sym_table_parse(&t, blob, build(blob, 0, NULL, NULL)));
	CHECK_EQ(t.count, 0);
	CHECK_STR(sym_lookup(&t, 0x101000, &off), NULL);
}

/* A broken blob is refused, and the table is left empty. */
#define REFUSED(buf, len)                                                      \
	do {                                                                   \
		struct sym_table t_ = { .count = 99 };                         \
		CHECK(!sym_table_parse(&t_, buf, len));                        \
		CHECK_EQ(t_.count, 0);                                         \
		uintptr_t off_;                                                \
		CHECK_STR(sym_lookup(&t_, 0x101000, &off_), NULL);             \
	} while (0)

static void malformed_blobs(void)
{
	uint64_t blob[64];
	size_t len = build(blob, 4, addrs, names);
	uint32_t *h = (uint32_t *)blob;
	char *b = (char *)blob;

	REFUSED(blob, 0);
	REFUSED(blob, 15);
	h[0] = 0x4d595342; /* magic */
	REFUSED(blob, len);
	h[0] = SYM_MAGIC;
	h[1] = 5; /* more names than the blob holds */
	REFUSED(blob, len);
	h[1] = UINT32_MAX; /* more offsets than it holds */
	REFUSED(blob, len);
	h[1] = 4;
	uint32_t *off = (uint32_t *)(b + 16);
	off[1] = 0x80; /* not sorted */
	REFUSED(blob, len);
	off[1] = 0x40;
	b[len - 1] = 'x'; /* the last name not terminated */
	REFUSED(blob, len);
	b[len - 1] = 0;
	char *str = (char *)(off + 4);
	size_t k = strlen(str);
	str[k] = 'x'; /* two names in one: three for four */
	REFUSED(blob, len);
	str[k] = 0;
	struct sym_table t;
	CHECK(sym_table_parse(&t, blob, len)); /* all repaired */
}

/* Every proper prefix of a good blob is refused, and reading it stays
 * inside it: each is copied to a buffer of exactly its size, so ASan
 * catches a read past the end. */
static void truncated_blobs(void)
{
	uint64_t blob[64];
	size_t len = build(blob, 4, addrs, names);
	for (size_t n = 0; n < len; n++) {
		void *p = malloc(n ? n : 1); /* 16-byte aligned */
		memcpy(p, blob, n);
		REFUSED(p, n);
		free(p);
	}
}

/* Random garbage behind a valid header: parse never reads outside the
 * blob, and a lookup in whatever it accepts stays inside too. */
static void random_blobs(void)
{
	unsigned long long seed = 7;
	for (int round = 0; round < 20000; round++) {
		size_t n = 16 + test_rand(&seed) % 120;
		uint32_t *p = malloc(n);
		for (size_t i = 0; i < n; i++)
			((uint8_t *)p)[i] = test_rand(&seed) % 4
						    ? 0
						    : (uint8_t)test_rand(&seed);
		p[0] = SYM_MAGIC;
		p[1] = test_rand(&seed) % 12;
		struct sym_table t;
		if (sym_table_parse(&t, p, n)) {
			for (int k = 0; k < 8; k++) {
				uintptr_t off;
				const char *s = sym_lookup(
					&t, test_rand(&seed) % 0x1000, &off);
				CHECK(!s || (s >= (char *)p &&
					     s + strlen(s) < (char *)p + n));
			}
		}
		free(p);
	}
}

int main(int argc, char **argv)
{
	test_init("symbols", argc, argv);
	RUN(lookup_at_below_between_after);
	RUN(lookup_many);
	RUN(one_and_none);
	RUN(malformed_blobs);
	RUN(truncated_blobs);
	RUN(random_blobs);
	return test_summary();
}
