/*
 * The image's own symbol table, so a crash report can say main+0x12
 * instead of a bare address. atman-cc generates it (tools/atman-gensyms)
 * from the linked image and links it into the .atman_syms section:
 *
 *   u32 magic "ASYM", u32 count, u64 addr[count] (ascending),
 *   u32 name[count] (offsets into str), char str[] (NUL-terminated names)
 */
#include "kern.h"

#define SYM_MAGIC 0x4d595341 /* "ASYM" */

bool sym_table_parse(struct sym_table *t, const void *blob, size_t len)
{
	const uint32_t *h = blob;
	t->count = 0;
	if (len < 8 || h[0] != SYM_MAGIC)
		return false;
	uint64_t n = h[1];
	if (n > (len - 8) / 12)
		return false;
	t->addr = (const uint64_t *)((const char *)blob + 8);
	t->name = (const uint32_t *)(t->addr + n);
	t->str = (const char *)(t->name + n);
	size_t strsz = len - 8 - 12 * n;
	for (uint64_t i = 0; i < n; i++)
		if (t->name[i] >= strsz || (i && t->addr[i] < t->addr[i - 1]))
			return false;
	if (strsz && t->str[strsz - 1] != 0)
		return false;
	t->count = n;
	return true;
}

/* The symbol at or below pc: binary search for the last addr <= pc. */
const char *sym_lookup(const struct sym_table *t, uintptr_t pc, uintptr_t *off)
{
	if (!t->count || pc < t->addr[0])
		return NULL;
	uint32_t lo = 0, hi = t->count; /* answer in [lo, hi) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->addr[mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*off = pc - t->addr[lo];
	return t->str + t->name[lo];
}
