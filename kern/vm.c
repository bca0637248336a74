/*
 * Anonymous memory for the program and the kernel: mmap, munmap,
 * mprotect, mremap, madvise, brk, and stacks with guard pages.
 *
 * Addresses above VM_BASE; the first BRK_MAX bytes are the brk heap, the
 * rest is tracked by vm_space (kern/vmem.c). Running out of memory is
 * -ENOMEM at the call, never a crash later: mmap reserves its pages at
 * the call (page_reserve) and backs each on its first touch (PTE_LAZY |
 * PTE_RESV), as Linux does, so a thread's 136 KiB stack costs the two
 * or three pages it touches, not 34 zeroed ones; MAP_POPULATE and brk
 * back theirs at once. Two exceptions are backed on first touch without
 * a reservation (PTE_LAZY alone): stacks the kernel makes (the main
 * stack, go threads) and MAP_NORESERVE mappings; touching one with no
 * memory left is a crash report.
 *
 * Page-table entries are read and written through paging_get/paging_set
 * (the CPU layer's: a Xen PV guest's tables are Xen's to write, and
 * queued); every operation here ends with paging_commit, before the
 * program can touch what changed.
 */
#include <errno.h>
#include <sys/mman.h>

#include "kern.h"
#include "arch.h"

struct vmem vm_space;
bool vm_overcommit;
static uintptr_t prog_lo, prog_hi; /* a loaded program's own pages */
static uintptr_t brk_cur = VM_BASE;
static uintptr_t last_end; /* where the next search starts */

static void *vm_node_page(void)
{
	return (void *)page_alloc();
}

void vm_program_range(uintptr_t lo, uintptr_t hi)
{
	prog_lo = lo;
	prog_hi = hi;
}

void vm_init(void)
{
	vm_space.base = VM_BASE + BRK_MAX;
	vm_space.limit = VM_LIMIT;
	vm_space.node_page = vm_node_page;
	last_end = vm_space.base;
}

static uint64_t prot_flags(int prot)
{
	uint64_t f = PTE_P;
	if (prot & VM_WRITE)
		f |= PTE_W;
	if (!(prot & VM_EXEC))
		f |= paging_nx();
	return f;
}

static void unmap_pages(uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		pte_t pte = paging_get(va);
		if (!pte)
			continue;
		/* Freed before the entry goes away for good (commit): the
		 * program cannot run in between. */
		if (pte & (PTE_P | PTE_FRAME))
			page_free(pte & PTE_ADDR);
		else if (pte & PTE_RESV)
			page_unreserve(1);
		paging_set(va, 0);
	}
	paging_commit();
	/* Page tables too: addresses are handed out going up, so a table
	 * left behind here might never be used again. */
	paging_prune(start, end);
}

/* Back [start, end) with zeroed pages, or lazy entries (VM_RESERVE: a
 * page reserved for each); all or nothing. */
static int map_pages(uintptr_t start, uintptr_t end, int prot)
{
	uint64_t f = prot_flags(prot);
	uint64_t lazy = PTE_LAZY | (f & ~PTE_P);
	if (prot & VM_RESERVE) {
		if (!page_reserve((end - start) / PAGE_SIZE))
			return -ENOMEM;
		lazy |= PTE_RESV;
	}
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		uintptr_t pa = 0;
		if (!(prot & (VM_LAZY | VM_RESERVE)) && !(pa = page_alloc()))
			goto nomem;
		if (paging_set(va, pa ? pa | f : lazy)) {
			if (pa)
				page_free(pa);
			goto nomem;
		}
		continue;
	nomem:
		/* Entries set give their reservation back as they go. */
		if (prot & VM_RESERVE)
			page_unreserve((end - va) / PAGE_SIZE);
		unmap_pages(start, va);
		return -ENOMEM;
	}
	paging_commit();
	return 0;
}

/* How a new anonymous mapping is backed when the caller did not say. */
static int backing(int flags)
{
	if (flags & MAP_NORESERVE || vm_overcommit)
		return VM_LAZY;
	return flags & MAP_POPULATE ? 0 : VM_RESERVE;
}

static int to_vm_prot(int prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

long vm_mmap(uintptr_t addr, size_t len, int prot, int flags)
{
	if (!len || (flags & MAP_FIXED && addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (len > VM_LIMIT - VM_BASE)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);

	uintptr_t start;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		start = ALIGN_DOWN(addr, PAGE_SIZE);
		if (start < vm_space.base || start + len > vm_space.limit ||
		    start + len < start)
			return -ENOMEM;
		if (!vmem_is_free(&vm_space, start, start + len)) {
			if (!(flags & MAP_FIXED))
				return -EEXIST;
			int r = vm_munmap(start, len);
			if (r)
				return r;
		}
	} else {
		uintptr_t hint = addr ? ALIGN_DOWN(addr, PAGE_SIZE) : last_end;
		int r = vmem_find(&vm_space, len, hint, &start);
		if (r)
			return r;
	}
	int r = vmem_insert(&vm_space, start, start + len);
	if (r)
		return r;
	int vp = to_vm_prot(prot) | backing(flags);
	if (prot != PROT_NONE && map_pages(start, start + len, vp)) {
		vmem_remove(&vm_space, start, start + len);
		return -ENOMEM;
	}
	last_end = start + len;
	return start;
}

/* Is [start, end) entirely mapped (by mmap or brk)? */
static bool range_mapped(uintptr_t start, uintptr_t end)
{
	if (start >= VM_BASE && end <= ALIGN_UP(brk_cur, PAGE_SIZE))
		return true;
	if (start >= prog_lo && end <= prog_hi)
		return true;
	return vmem_covers(&vm_space, start, end);
}

int vm_munmap(uintptr_t addr, size_t len)
{
	if (addr & (PAGE_SIZE - 1) || !len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (addr < vm_space.base || addr + len > vm_space.limit ||
	    addr + len < addr)
		return -EINVAL;
	int r = vmem_remove(&vm_space, addr, addr + len);
	if (r)
		return r;
	unmap_pages(addr, addr + len);
	return 0;
}

int vm_mprotect(uintptr_t addr, size_t len, int prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return 0;
	if (addr + len < addr || !range_mapped(addr, addr + len))
		return -ENOMEM;
	uint64_t f = prot_flags(to_vm_prot(prot));
	int r = 0;
	for (uintptr_t va = addr; va < addr + len && !r; va += PAGE_SIZE) {
		pte_t pte = paging_get(va);
		uint64_t frame = pte & (PTE_P | PTE_FRAME) ? pte & PTE_ADDR : 0;
		if (prot == PROT_NONE) {
			/* Untouched: nothing to keep, the reservation back. */
			if (!frame && pte & PTE_RESV)
				page_unreserve(1);
			r = paging_set(va, frame ? frame | PTE_FRAME : 0);
		} else if (frame) {
			r = paging_set(va, frame | f);
		} else if (pte & PTE_LAZY || vm_overcommit) {
			r = paging_set(va, (pte & (PTE_LAZY | PTE_RESV)) |
						   PTE_LAZY | (f & ~PTE_P));
		} else if (page_reserve(1)) {
			r = paging_set(va, PTE_LAZY | PTE_RESV | (f & ~PTE_P));
			if (r)
				page_unreserve(1);
		} else {
			r = -ENOMEM;
		}
	}
	paging_commit();
	return r;
}

long vm_mremap(uintptr_t old, size_t old_len, size_t new_len, int flags,
	       uintptr_t new_addr)
{
	if (old & (PAGE_SIZE - 1) || !new_len ||
	    flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED) ||
	    (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!old_len || !vmem_covers(&vm_space, old, old + old_len))
		return -EFAULT;
	if (flags & MREMAP_FIXED)
		return -EINVAL; /* not needed by musl; refuse clearly */
	(void)new_addr;

	/* Protection of the grown part: that of the last old page. */
	pte_t last = paging_get(old + old_len - PAGE_SIZE);
	int prot = VM_READ | backing(0);
	if (last & PTE_W)
		prot |= VM_WRITE;
	if (last & (PTE_P | PTE_FRAME | PTE_LAZY) && !(last & paging_nx()))
		prot |= VM_EXEC;

	if (new_len <= old_len) {
		if (new_len < old_len)
			vm_munmap(old + new_len, old_len - new_len);
		return old;
	}
	if (vmem_is_free(&vm_space, old + old_len, old + new_len)) {
		int r = vmem_insert(&vm_space, old + old_len, old + new_len);
		if (r)
			return r;
		if (map_pages(old + old_len, old + new_len, prot)) {
			vmem_remove(&vm_space, old + old_len, old + new_len);
			return -ENOMEM;
		}
		return old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;

	uintptr_t dst;
	int r = vmem_find(&vm_space, new_len, last_end, &dst);
	if (r)
		return r;
	/* Make every page-table page first, so the move cannot fail half
	 * way; then move the entries: no data is copied. */
	for (uintptr_t off = 0; off < old_len; off += PAGE_SIZE)
		if (paging_set(dst + off, 0)) /* makes the tables */
			return -ENOMEM;
	r = vmem_insert(&vm_space, dst, dst + new_len);
	if (r)
		return r;
	if (map_pages(dst + old_len, dst + new_len, prot)) {
		vmem_remove(&vm_space, dst, dst + new_len);
		return -ENOMEM;
	}
	for (uintptr_t off = 0; off < old_len; off += PAGE_SIZE) {
		pte_t pte = paging_get(old + off);
		if (!pte)
			continue;
		/* The tables exist: neither set can fail. */
		paging_set(dst + off, pte);
		paging_set(old + off, 0);
	}
	paging_commit();
	paging_prune(old, old + old_len);
	vmem_remove(&vm_space, old, old + old_len);
	last_end = dst + new_len;
	return dst;
}

int vm_madvise(uintptr_t addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (addr + len < addr || (len && !range_mapped(addr, addr + len)))
		return -ENOMEM;
	if (advice != MADV_DONTNEED && advice != MADV_FREE)
		return 0; /* hints we may ignore */
	/* A loaded program's own frames are its image's: they never go to
	 * the allocator, whose pages the kernel reaches at their address. */
	if (addr >= prog_lo && addr + len <= prog_hi)
		return 0;
	/* Give the frames back; the next touch gets a zero page, from the
	 * reservation each frame turns into (it cannot fail: one was just
	 * freed). Under overcommit nothing is reserved: Go's scavenger gives
	 * memory back this way. */
	uint64_t lazy = PTE_LAZY | (vm_overcommit ? 0 : PTE_RESV);
	for (uintptr_t va = addr; va < addr + len; va += PAGE_SIZE) {
		pte_t pte = paging_get(va);
		if (!(pte & PTE_P))
			continue;
		page_free(pte & PTE_ADDR);
		if (!vm_overcommit && !page_reserve(1))
			panic("a page just freed cannot be reserved");
		paging_set(va, lazy | (pte & (PTE_W | PTE_NX)));
	}
	paging_commit();
	return 0;
}

uintptr_t vm_brk(uintptr_t want)
{
	if (want < VM_BASE || want > VM_BASE + BRK_MAX)
		return brk_cur;
	uintptr_t have = ALIGN_UP(brk_cur, PAGE_SIZE);
	uintptr_t need = ALIGN_UP(want, PAGE_SIZE);
	if (need > have &&
	    map_pages(have, need,
		      VM_READ | VM_WRITE | (vm_overcommit ? VM_LAZY : 0)))
		return brk_cur;
	if (need < have)
		unmap_pages(need, have);
	brk_cur = want;
	return brk_cur;
}

void *vm_alloc_stack(size_t len, bool lazy)
{
	uintptr_t base;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (vmem_find(&vm_space, len + PAGE_SIZE, last_end, &base) ||
	    vmem_insert(&vm_space, base, base + len + PAGE_SIZE))
		return NULL;
	if (map_pages(base + PAGE_SIZE, base + PAGE_SIZE + len,
		      VM_READ | VM_WRITE | (lazy ? VM_LAZY : 0))) {
		vmem_remove(&vm_space, base, base + len + PAGE_SIZE);
		return NULL;
	}
	last_end = base + len + PAGE_SIZE;
	return (void *)(base + PAGE_SIZE + len);
}

void vm_free_stack(void *top, size_t len)
{
	len = ALIGN_UP(len, PAGE_SIZE);
	vm_munmap((uintptr_t)top - len - PAGE_SIZE, len + PAGE_SIZE);
}

bool vm_fault(uintptr_t addr, bool write)
{
	(void)write;
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	pte_t pte = paging_get(va);
	if (!(pte & PTE_LAZY))
		return false;
	uintptr_t pa = pte & PTE_RESV ? page_alloc_reserved() : page_alloc();
	if (!pa)
		return false;
	paging_set(va, pa | PTE_P | (pte & (PTE_W | PTE_NX)));
	paging_commit();
	return true;
}

bool vm_populate(uintptr_t start, size_t len)
{
	for (uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < start + len;
	     va += PAGE_SIZE) {
		if (paging_get(va) & PTE_LAZY && !vm_fault(va, true))
			return false;
	}
	return true;
}

bool vm_user_ok(const void *p, size_t len, bool write)
{
	uintptr_t a = (uintptr_t)p;
	if (a + len < a)
		return false;
	if (!len)
		return true;
	for (uintptr_t va = ALIGN_DOWN(a, PAGE_SIZE); va < a + len;
	     va += PAGE_SIZE) {
		pte_t pte = paging_get(va);
		if (!(pte & (PTE_P | PTE_LAZY)))
			return false;
		if (write && !(pte & PTE_W))
			return false;
	}
	return true;
}

bool vm_is_guard(uintptr_t addr)
{
	if (paging_get(addr) & (PTE_P | PTE_LAZY))
		return false;
	return range_mapped(ALIGN_DOWN(addr, PAGE_SIZE),
			    ALIGN_DOWN(addr, PAGE_SIZE) + PAGE_SIZE);
}
