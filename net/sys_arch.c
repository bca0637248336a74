/*
 * What lwIP needs from the kernel with NO_SYS=1: the time in
 * milliseconds, memory, random numbers and atoi. Everything else (threads,
 * waiting, locking) stays in net.c and sock.c, which call lwIP only in
 * kernel context.
 */
#include "net.h"

u32_t sys_now(void)
{
	return (u32_t)(now_ns() / 1000000);
}

uint32_t net_random32(void)
{
	uint32_t r;
	random_bytes(&r, sizeof(r));
	return r;
}

/* atoi for lwIP (cc.h): decimal digits after an optional sign, as the C
 * library's (interface numbers are small). */
int net_atoi(const char *s)
{
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	unsigned n = 0; /* unsigned: a long number wraps, never overflows */
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (unsigned)(*s++ - '0');
	return (int)(neg ? -n : n);
}

/*
 * lwIP's allocations: pbufs of a frame (1.6 KiB) and the protocol
 * control blocks are small kernel objects; the rare larger block (a
 * 64 KiB datagram sent in one pbuf) is anonymous memory. A header says
 * which, for the free.
 */
#define MEM_HDR 16
struct mem_hdr {
	size_t mapped; /* 0: kmalloc; else the mapping's length */
	size_t pad;
};
_Static_assert(sizeof(struct mem_hdr) == MEM_HDR, "keeps 16-byte alignment");

void *net_mem_alloc(size_t n)
{
	struct mem_hdr *h;
	if (n <= 2048 - MEM_HDR) {
		h = kmalloc(n + MEM_HDR);
		if (!h)
			return NULL;
		h->mapped = 0;
	} else {
		size_t len = ALIGN_UP(n + MEM_HDR, KPAGE_SIZE);
		long a = vm_mmap(0, len, VM_READ | VM_WRITE, 0);
		if (a < 0)
			return NULL;
		h = (struct mem_hdr *)a;
		h->mapped = len;
	}
	return h + 1;
}

void *net_mem_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	/* kmalloc zeroes, and fresh mappings are zero. */
	return net_mem_alloc(count * size);
}

void net_mem_free(void *p)
{
	if (!p)
		return;
	struct mem_hdr *h = (struct mem_hdr *)p - 1;
	if (h->mapped)
		vm_munmap((uintptr_t)h, h->mapped);
	else
		kfree(h);
}
