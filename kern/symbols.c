/*
 * The image's own symbol table, so a crash report can say main+0x12
 * instead of a bare address. atman-cc generates it (tools/atman-gensyms)
 * from the linked image and links it into the .atman_syms section:
 *
 *   u32 magic "ASYM", u32 count, u64 base,
 *   u32 off[count] (ascending; a symbol's address is base + off),
 *   char str[] (count NUL-terminated names, in the order of off)
 *
 * Four bytes a symbol besides its name: it is in every image. The name
 * of the symbol found is reached by walking str, which only a crash
 * report does.
 */
#include "kern.h"

#define SYM_MAGIC  0x4d595341 /* "ASYM" */
#define SYM_HEADER 16	      /* magic, count, base */

bool sym_table_parse(struct sym_table *t, const void *blob, size_t len)
{
	const uint32_t *h = blob;
	t->count = 0;
	if (len < SYM_HEADER || h[0] != SYM_MAGIC)
		return false;
	uint64_t n = h[1];
	if (n > (len - SYM_HEADER) / 4)
		return false;
	t->base = *(const uint64_t *)(h + 2);
	t->off = h + 4;
	t->str = (const char *)(t->off + n);
	t->strsz = len - SYM_HEADER - 4 * n;
	for (uint64_t i = 1; i < n; i++)
		if (t->off[i] < t->off[i - 1])
			return false;
	/* Every name terminated inside the blob: n NULs, the last at its
	 * end (so walking to any name stays inside). */
	uint64_t nuls = 0;
	for (size_t i = 0; i < t->strsz; i++)
		nuls += t->str[i] == 0;
	if (nuls < n || (t->strsz && t->str[t->strsz - 1] != 0))
		return false;
	t->count = n;
	return true;
}

/* The symbol at or below pc: binary search for the last address <= pc,
 * then its name, the lo-th in str. */
const char *sym_lookup(const struct sym_table *t, uintptr_t pc, uintptr_t *off)
{
	if (!t->count || pc < t->base || pc - t->base < t->off[0])
		return NULL;
	uint64_t rel = pc - t->base;
	uint32_t lo = 0, hi = t->count; /* answer in [lo, hi) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->off[mid] <= rel)
			lo = mid;
		else
			hi = mid;
	}
	*off = rel - t->off[lo];
	const char *s = t->str;
	for (uint32_t i = 0; i < lo; i++)
		s += strlen(s) + 1;
	return s;
}
