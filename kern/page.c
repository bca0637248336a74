/*
 * Physical pages. Free RAM starts as a few untouched runs (from the memory
 * map) that we hand out by bumping a pointer, so boot does not touch every
 * page; pages given back go on a LIFO list linked through the pages
 * themselves (they are identity-mapped). Pages can be reserved ahead of
 * use (anonymous mmap backs its pages on first touch, but running out of
 * memory must still be -ENOMEM at the call): a reserved page is counted
 * as free but handed out only through page_alloc_reserved. One CPU and
 * kernel code runs with interrupts off, so there is no locking.
 */
#include "kern.h"

struct page_pool pages;

void page_pool_add(struct page_pool *p, uintptr_t start, uintptr_t end)
{
	start = ALIGN_UP(start, KPAGE_SIZE);
	end = ALIGN_DOWN(end, KPAGE_SIZE);
	if (end <= start || p->nruns == ARRAY_SIZE(p->runs))
		return;
	p->runs[p->nruns][0] = start;
	p->runs[p->nruns][1] = end;
	p->nruns++;
	p->free_pages += (end - start) / KPAGE_SIZE;
	p->total_pages += (end - start) / KPAGE_SIZE;
}

static uintptr_t pool_take(struct page_pool *p)
{
	uintptr_t pa = p->free_list;
	if (pa) {
		p->free_list = *(uintptr_t *)pa;
	} else {
		while (p->run_next == p->run_end) {
			if (!p->nruns)
				return 0;
			p->nruns--;
			p->run_next = p->runs[p->nruns][0];
			p->run_end = p->runs[p->nruns][1];
		}
		pa = p->run_next;
		p->run_next += KPAGE_SIZE;
	}
	p->free_pages--;
	return pa;
}

/* Pages promised to lazy mappings stay out of reach of everyone else. */
uintptr_t page_pool_alloc(struct page_pool *p)
{
	if (p->free_pages <= p->reserved)
		return 0;
	return pool_take(p);
}

bool page_pool_reserve(struct page_pool *p, size_t n)
{
	if (p->free_pages - p->reserved < n)
		return false;
	p->reserved += n;
	return true;
}

void page_pool_unreserve(struct page_pool *p, size_t n)
{
	kassert(n <= p->reserved);
	p->reserved -= n;
}

/* A reserved page: there always is one (free_pages >= reserved > 0). */
uintptr_t page_pool_alloc_reserved(struct page_pool *p)
{
	kassert(p->reserved && p->free_pages >= p->reserved);
	p->reserved--;
	uintptr_t pa = pool_take(p);
	kassert(pa);
	return pa;
}

void page_pool_free(struct page_pool *p, uintptr_t pa)
{
	*(uintptr_t *)pa = p->free_list;
	p->free_list = pa;
	p->free_pages++;
}

uintptr_t page_alloc(void)
{
	uintptr_t pa = page_pool_alloc(&pages);
	if (pa)
		memset((void *)pa, 0, KPAGE_SIZE);
	return pa;
}

uintptr_t page_alloc_reserved(void)
{
	uintptr_t pa = page_pool_alloc_reserved(&pages);
	memset((void *)pa, 0, KPAGE_SIZE);
	return pa;
}

bool page_reserve(size_t n)
{
	return page_pool_reserve(&pages, n);
}

void page_unreserve(size_t n)
{
	page_pool_unreserve(&pages, n);
}

size_t page_avail(void)
{
	return pages.free_pages - pages.reserved;
}

void page_free(uintptr_t pa)
{
	kassert(pa && !(pa & (KPAGE_SIZE - 1)));
	page_pool_free(&pages, pa);
}
