/*
 * Page tables: one address space for kernel and program. RAM is mapped at
 * its physical address (identity) with 4 KiB pages, so that page 0 stays
 * unmapped (NULL faults), the image gets per-segment permissions (text
 * R-X, rodata R--, data RW-) and stacks get guard pages. Anonymous memory
 * (mmap, brk, stacks) lives above VM_BASE and is managed by kern/vm.c
 * through paging_walk.
 */
#include "arch.h"
#include "kern/kern.h"

extern char __atman_image_start[], __atman_text_end[];
extern char __atman_rodata_start[], __atman_rodata_end[];
extern char __atman_data_start[], __atman_bss_end[];
extern char __atman_syms_start[], __atman_syms_end[], __atman_image_end[];
extern char __atman_prog_start[], __atman_prog_end[];
extern char boot_stack_guard[], __atman_hcall[];

static pte_t *pml4;
static uint64_t nx;

uint64_t paging_nx(void)
{
	return nx;
}

pte_t *paging_walk(uintptr_t va, bool create)
{
	pte_t *t = pml4;
	for (int shift = 39; shift > 12; shift -= 9) {
		pte_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uintptr_t pa = page_alloc();
			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W;
		}
		kassert(!(*e & PTE_PS));
		t = (pte_t *)(*e & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

static bool table_empty(const pte_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

/* Free the tables below t (whose entries each map 1 << shift bytes) that
 * map nothing any more, looking only at those covering [start, end). */
static void prune(pte_t *t, int shift, uintptr_t start, uintptr_t end)
{
	uintptr_t span = 1UL << shift;
	for (uintptr_t va = start; va < end;) {
		uintptr_t next = ALIGN_DOWN(va, span) + span;
		pte_t *e = &t[(va >> shift) & 511];
		if (*e & PTE_P) {
			pte_t *sub = (pte_t *)(*e & PTE_ADDR);
			if (shift > 21)
				prune(sub, shift - 9, va, MIN(next, end));
			if (table_empty(sub)) {
				*e = 0;
				/* invlpg also drops the CPU's cached copies
				 * of upper-level entries (SDM 4.10.4.1). */
				invlpg(va);
				page_free((uintptr_t)sub);
			}
		}
		if (next < va)
			break; /* wrapped at the top of the address space */
		va = next;
	}
}

void paging_prune(uintptr_t start, uintptr_t end)
{
	prune(pml4, 39, start, end);
}

static void map_range(uintptr_t start, uintptr_t end, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < end;
	     va += PAGE_SIZE) {
		pte_t *pte = paging_walk(va, true);
		if (!pte)
			panic("out of memory building page tables");
		*pte = va | flags;
	}
}

/* Identity-map device or Xen-provided frames outside the RAM map. */
int paging_map_phys(uint64_t paddr, size_t len, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(paddr, PAGE_SIZE); va < paddr + len;
	     va += PAGE_SIZE) {
		pte_t *pte = paging_walk(va, true);
		if (!pte)
			return -1;
		*pte = va | PTE_P | flags;
		invlpg(va);
	}
	return 0;
}

void paging_init(void)
{
	nx = cpu.nx ? PTE_NX : 0;
	pml4 = (pte_t *)page_alloc();
	if (!pml4)
		panic("out of memory building page tables");

	uintptr_t img0 = (uintptr_t)__atman_image_start;
	uintptr_t img1 = (uintptr_t)__atman_image_end;
	for (int i = 0; i < nram; i++) {
		uintptr_t s = MAX(ram[i].start, PAGE_SIZE); /* page 0: NULL */
		uintptr_t e = ram[i].end;
		if (s < img0)
			map_range(s, MIN(e, img0), PTE_P | PTE_W | nx);
		if (e > img1)
			map_range(MAX(s, img1), e, PTE_P | PTE_W | nx);
	}
	map_range(img0, (uintptr_t)__atman_text_end, PTE_P);
	map_range((uintptr_t)__atman_rodata_start,
		  (uintptr_t)__atman_rodata_end, PTE_P | nx);
	map_range((uintptr_t)__atman_data_start, (uintptr_t)boot_stack_guard,
		  PTE_P | PTE_W | nx);
	map_range((uintptr_t)boot_stack_guard + PAGE_SIZE,
		  (uintptr_t)__atman_bss_end, PTE_P | PTE_W | nx);
	map_range((uintptr_t)__atman_hcall,
		  (uintptr_t)__atman_hcall + PAGE_SIZE, PTE_P); /* R-X */
	/* The carried program's file (bin/atman image), to read it; the
	 * hole below it, where it loads, stays unmapped until it does. */
	bool prog = (uintptr_t)__atman_prog_end > (uintptr_t)__atman_prog_start;
	map_range((uintptr_t)__atman_syms_start,
		  prog ? (uintptr_t)__atman_syms_end : img1, PTE_P | nx);
	map_range((uintptr_t)__atman_prog_start, (uintptr_t)__atman_prog_end,
		  PTE_P | nx);

	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}
