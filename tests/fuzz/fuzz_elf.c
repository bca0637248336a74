/*
 * Fuzz target: the ELF parser (kern/elf.c), which checks the program
 * bin/atman image carried before the kernel loads it. The input is the
 * file. Besides what the sanitizers catch, an accepted program is checked
 * against what kern/exec.c relies on: every segment's file bytes inside
 * the input, its pages inside [lo, hi) inside the window programs load
 * in, the entry in an executable segment; a refusal always has a reason.
 * Each accepted segment's bytes are read, so one reaching past the buffer
 * is an ASan report.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kern.h"

#define ASSERT(c)                                                              \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#c);                                           \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image im;
	int r = elf_parse(data, size, &im);
	if (r) {
		ASSERT(r == -ENOEXEC);
		ASSERT(im.why && *im.why);
		if (im.interp)
			ASSERT(strlen(im.interp) < 256);
		return 0;
	}
	ASSERT(im.nseg > 0 && im.nseg <= ELF_MAX_SEGS);
	ASSERT(im.lo >= ELF_LOAD_MIN && im.hi <= ELF_LOAD_MAX);
	ASSERT(im.lo < im.hi && !(im.lo & 4095) && !(im.hi & 4095));
	bool entry = false;
	unsigned sum = 0;
	for (int i = 0; i < im.nseg; i++) {
		const struct elf_seg *s = &im.seg[i];
		ASSERT(s->filesz <= s->memsz);
		ASSERT(s->off <= size && s->filesz <= size - s->off);
		ASSERT(s->va >= im.lo && s->va + s->memsz <= im.hi);
		for (size_t j = 0; j < s->filesz; j++)
			sum += data[s->off + j];
		if (s->prot & VM_EXEC && im.entry >= s->va &&
		    im.entry < s->va + s->memsz)
			entry = true;
	}
	ASSERT(entry);
	ASSERT(im.phdr != 0);
	return (int)(sum & 0);
}
