/*
 * Loading a static Linux program that bin/atman image carried inside the
 * image (.atman_prog): its PT_LOAD segments at their addresses, with
 * their permissions, bss zeroed.
 *
 * Where: every page a program loads lies in [ELF_LOAD_MIN, ELF_LOAD_MAX)
 * (elf.c), and bin/atman image puts the carried file above the program's
 * last page, so the range is a hole inside the image: RAM that the page
 * allocator never hands out (the image is excluded whole) and that no
 * kernel mapping covers. The program's pages are those frames themselves,
 * mapped at their own address as all RAM is, so nothing else can ever
 * reach them.
 */
#include <elf.h>
#include <errno.h>

#include "kern.h"
#include "arch.h"

extern char __atman_syms_end[];

static uint64_t prot_pte(int prot)
{
	return (prot & VM_WRITE ? PTE_W : 0) |
	       (prot & VM_EXEC ? 0 : paging_nx());
}

static bool in_ram(uintptr_t start, uintptr_t end)
{
	for (int i = 0; i < nram; i++)
		if (ram[i].start <= start && end <= ram[i].end)
			return true;
	return false;
}

/* Give the allocator the frames of [start, end) (RAM of the image that
 * nothing uses any more), mapped at their address as all free RAM is. */
static void give_back(uintptr_t start, uintptr_t end)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (start >= end ||
	    paging_map_phys(start, end - start, PTE_W | paging_nx()))
		return;
	page_pool_add(&pages, start, end); /* a run: counts in the total */
}

/* Loaded, the file is not needed (its symbols are in .atman_syms), nor
 * the hole around the program's range: only [lo, hi) stays out of the
 * allocator, because the program's pages are those very frames. */
static void release(uintptr_t file, size_t size, const struct elf_image *im)
{
	give_back((uintptr_t)__atman_syms_end, im->lo);
	give_back(im->hi, file);
	give_back(file, file + size);
}

int exec_load(const void *file, size_t size, struct elf_image *im)
{
	int r = elf_parse(file, size, im);
	if (r)
		return r;
	const uint8_t *f = file;
	uintptr_t file0 = (uintptr_t)file;
	if (im->lo < ALIGN_UP((uintptr_t)__atman_syms_end, PAGE_SIZE) ||
	    im->hi > ALIGN_DOWN(file0, PAGE_SIZE) || !in_ram(im->lo, im->hi)) {
		im->why = "the image does not leave room for it (made by "
			  "another bin/atman?)";
		return -ENOEXEC;
	}

	/* Every page writable and zeroed first (segments may share a
	 * page), then the file's bytes, then each page's permissions: the
	 * union of the segments on it, as Linux's mappings of one page
	 * would give. */
	for (int i = 0; i < im->nseg; i++) {
		const struct elf_seg *s = &im->seg[i];
		uintptr_t a = ALIGN_DOWN(s->va, PAGE_SIZE);
		uintptr_t b = ALIGN_UP(s->va + s->memsz, PAGE_SIZE);
		for (uintptr_t va = a; va < b; va += PAGE_SIZE) {
			if (paging_get(va) & PTE_P)
				continue;
			if (paging_map_phys(va, PAGE_SIZE,
					    PTE_W | paging_nx())) {
				im->why = "no memory for its page tables";
				return -ENOMEM;
			}
			memset((void *)va, 0, PAGE_SIZE);
		}
	}
	for (int i = 0; i < im->nseg; i++) {
		const struct elf_seg *s = &im->seg[i];
		memcpy((void *)s->va, f + s->off, s->filesz);
	}
	for (uintptr_t va = im->lo; va < im->hi; va += PAGE_SIZE) {
		int prot = 0;
		for (int i = 0; i < im->nseg; i++) {
			const struct elf_seg *s = &im->seg[i];
			if (va + PAGE_SIZE > s->va && va < s->va + s->memsz)
				prot |= s->prot;
		}
		if (paging_get(va) & PTE_P)
			paging_map_phys(va, PAGE_SIZE, prot_pte(prot));
	}
	vm_program_range(im->lo, im->hi);
	release((uintptr_t)file, size, im);
	/* Its code, for crash reports (the symbols are in .atman_syms). */
	exec_text_lo = UINTPTR_MAX;
	for (int i = 0; i < im->nseg; i++) {
		const struct elf_seg *s = &im->seg[i];
		if (s->prot & VM_EXEC) {
			exec_text_lo = MIN(exec_text_lo, s->va);
			exec_text_hi = MAX(exec_text_hi, s->va + s->memsz);
		}
	}
	return 0;
}
