/*
 * Page tables on the bare CPU: one address space for kernel and program.
 * RAM is mapped at its physical address (identity) with 4 KiB pages, so
 * that page 0 stays unmapped (NULL faults), the image gets per-segment
 * permissions (text R-X, rodata R--, data RW-) and stacks get guard
 * pages. Anonymous memory (mmap, brk, stacks) lives above VM_BASE and is
 * managed by kern/vm.c through paging_get/paging_set. Writes take effect
 * at once; commit has nothing to do. (A Xen PV guest's page tables are
 * Xen's to write: plat/xen/pvmmu.c.)
 */
#include <errno.h>

#include "arch.h"
#include "kern/kern.h"

extern char __atman_image_start[], __atman_text_end[];
extern char __atman_rodata_start[], __atman_rodata_end[];
extern char __atman_data_start[], __atman_bss_end[];
extern char __atman_syms_start[], __atman_syms_end[], __atman_image_end[];
extern char __atman_prog_start[], __atman_prog_end[];
extern char boot_stack_guard[], __atman_hcall[];

const struct paging_ops *paging_ops = &paging_native;
static pte_t *pml4;

uint64_t paging_nx(void)
{
	return cpu.nx ? PTE_NX : 0;
}

/* The last-level table walked last: mmap and munmap go page by page
 * through one table; prune forgets it. */
static uintptr_t last_key = 1; /* va >> 21 of last_table; odd: none */
static pte_t *last_table;

static pte_t *walk(uintptr_t va, bool create)
{
	if (va >> 21 << 1 == last_key)
		return &last_table[(va >> 12) & 511];
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
	last_key = va >> 21 << 1;
	last_table = t;
	return &t[(va >> 12) & 511];
}

static pte_t native_get(uintptr_t va)
{
	pte_t *e = walk(va, false);
	return e ? *e : 0;
}

static int native_set(uintptr_t va, pte_t pte)
{
	pte_t *e = walk(va, true);
	if (!e)
		return -ENOMEM;
	pte_t old = *e;
	*e = pte;
	/* The TLB caches present entries only (SDM 4.10.4.3). */
	if (old & PTE_P)
		invlpg(va);
	return 0;
}

static void native_commit(void)
{
}

/* Free the tables below t (whose entries each map 1 << shift bytes) that
 * map nothing any more, looking only at those covering [start, end).
 * Unmapping clears last-level entries only, so a higher table can have
 * become empty only if a table below it was freed just now: true then.
 * (A walk that failed half way may leave an empty table behind; the next
 * mapping there uses it.) */
static bool prune(pte_t *t, int shift, uintptr_t start, uintptr_t end)
{
	uintptr_t span = 1UL << shift;
	bool freed = false;
	for (uintptr_t va = start; va < end;) {
		uintptr_t next = ALIGN_DOWN(va, span) + span;
		pte_t *e = &t[(va >> shift) & 511];
		if (*e & PTE_P) {
			pte_t *sub = (pte_t *)(*e & PTE_ADDR);
			bool check = shift == 21 ||
				     prune(sub, shift - 9, va, MIN(next, end));
			if (check && paging_table_empty(sub)) {
				*e = 0;
				last_key = 1;
				/* invlpg also drops the CPU's cached copies
				 * of upper-level entries (SDM 4.10.4.1). */
				invlpg(va);
				page_free((uintptr_t)sub);
				freed = true;
			}
		}
		if (next < va)
			break; /* wrapped at the top of the address space */
		va = next;
	}
	return freed;
}

static void native_prune(uintptr_t start, uintptr_t end)
{
	prune(pml4, 39, start, end);
}

static void map_range(uintptr_t start, uintptr_t end, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < end;
	     va += PAGE_SIZE)
		if (paging_set(va, flags ? va | flags : 0))
			panic("out of memory building page tables");
}

static int native_map_phys(uint64_t paddr, size_t len, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(paddr, PAGE_SIZE); va < paddr + len;
	     va += PAGE_SIZE)
		if (native_set(va, va | PTE_P | flags))
			return -1;
	return 0;
}

int paging_map_phys(uint64_t paddr, size_t len, uint64_t flags)
{
	return paging_ops->map_phys(paddr, len, flags);
}

/* RAM (less page 0 and the image), then the image segment by segment,
 * each with its protection; flags 0 leaves a page unmapped. The ranges
 * do not overlap: each page's entry is written once (a Xen PV guest's
 * writes are queued and may reach Xen at any point, and the hypercall
 * page must stay executable all along). */
void paging_map_image(void (*map)(uintptr_t s, uintptr_t e, uint64_t f))
{
	uint64_t nx = paging_nx();
	uintptr_t img0 = (uintptr_t)__atman_image_start;
	uintptr_t img1 = (uintptr_t)__atman_image_end;
	for (int i = 0; i < nram; i++) {
		uintptr_t s = MAX(ram[i].start, PAGE_SIZE); /* page 0: NULL */
		uintptr_t e = ram[i].end;
		if (s < img0)
			map(s, MIN(e, img0), PTE_P | PTE_W | nx);
		if (e > img1)
			map(MAX(s, img1), e, PTE_P | PTE_W | nx);
	}
	map(img0, (uintptr_t)__atman_text_end, PTE_P);
	map((uintptr_t)__atman_rodata_start, (uintptr_t)__atman_rodata_end,
	    PTE_P | nx);
	uintptr_t hcall = (uintptr_t)__atman_hcall;
	uintptr_t guard = (uintptr_t)boot_stack_guard;
	kassert(hcall < guard); /* guest.lds: the hypercall page first */
	map((uintptr_t)__atman_data_start, hcall, PTE_P | PTE_W | nx);
	map(hcall, hcall + PAGE_SIZE, PTE_P); /* R-X: Xen's hypercall stubs */
	map(hcall + PAGE_SIZE, guard, PTE_P | PTE_W | nx);
	map(guard, guard + PAGE_SIZE, 0);
	map(guard + PAGE_SIZE, (uintptr_t)__atman_bss_end, PTE_P | PTE_W | nx);
	/* An image of bin/atman image: its carried program's file, to read
	 * it; the hole below, where the program loads, stays unmapped until
	 * kern/exec.c maps it. */
	uintptr_t prog0 = (uintptr_t)__atman_prog_start;
	uintptr_t prog1 = (uintptr_t)__atman_prog_end;
	if (prog1 > prog0) {
		map((uintptr_t)__atman_syms_start, (uintptr_t)__atman_syms_end,
		    PTE_P | nx);
		map(prog0, prog1, PTE_P | nx);
	} else {
		map((uintptr_t)__atman_syms_start, img1, PTE_P | nx);
	}
}

static void native_init(void)
{
	pml4 = (pte_t *)page_alloc();
	if (!pml4)
		panic("out of memory building page tables");
	paging_map_image(map_range);
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

const struct paging_ops paging_native = {
	.init = native_init,
	.get = native_get,
	.set = native_set,
	.commit = native_commit,
	.prune = native_prune,
	.map_phys = native_map_phys,
};
