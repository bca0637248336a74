/*
 * Small kernel objects (threads, futex waiters, ...): power-of-two size
 * classes from 64 to 2048 bytes, each page holding objects of one class
 * behind a 64-byte header, so kfree finds the class from the address.
 * Objects are 64-byte aligned (XSAVE areas need it).
 */
#include "kern.h"

#define KMEM_MIN 64
#define KMEM_MAX 2048
#define NCLASSES 6 /* 64 128 256 512 1024 2048 */

struct kmem_page {
	uint32_t size;
	uint32_t used;
	char pad[56];
};
_Static_assert(sizeof(struct kmem_page) == 64, "header keeps alignment");

struct kmem_free {
	struct kmem_free *next;
};
static struct kmem_free *free_lists[NCLASSES];

static int size_class(size_t n)
{
	int c = 0;
	for (size_t s = KMEM_MIN; s < n; s <<= 1)
		c++;
	return c;
}

void *kmalloc(size_t n)
{
	if (n > KMEM_MAX)
		return NULL;
	int c = size_class(n);
	if (!free_lists[c]) {
		uintptr_t pa = page_alloc();
		if (!pa)
			return NULL;
		struct kmem_page *h = (struct kmem_page *)pa;
		h->size = KMEM_MIN << c;
		for (uintptr_t o = pa + sizeof(*h);
		     o + h->size <= pa + KPAGE_SIZE; o += h->size) {
			struct kmem_free *f = (struct kmem_free *)o;
			f->next = free_lists[c];
			free_lists[c] = f;
		}
	}
	struct kmem_free *f = free_lists[c];
	free_lists[c] = f->next;
	struct kmem_page *h =
		(struct kmem_page *)ALIGN_DOWN((uintptr_t)f, KPAGE_SIZE);
	h->used++;
	memset(f, 0, n);
	return f;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct kmem_page *h =
		(struct kmem_page *)ALIGN_DOWN((uintptr_t)p, KPAGE_SIZE);
	kassert(h->size >= KMEM_MIN && h->size <= KMEM_MAX && h->used);
	int c = size_class(h->size);
	struct kmem_free *f = p;
	f->next = free_lists[c];
	free_lists[c] = f;
	h->used--;
	/* Pages are not returned when empty: their objects sit on the free
	 * list, and unthreading them costs more than it saves here. */
}
