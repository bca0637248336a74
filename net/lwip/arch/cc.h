/*
 * lwIP's port header: the compiler and the kernel's services lwIP uses.
 * Included by every lwIP file, so it declares only what lwIP needs (not
 * kern.h, whose macros are not lwIP's business).
 */
#ifndef ATMAN_LWIP_CC_H
#define ATMAN_LWIP_CC_H

#include <stddef.h>
#include <stdint.h>

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((__noreturn__)) void panic_at(const char *file, int line,
					    const char *fmt, ...);
uint32_t net_random32(void);
void *net_mem_alloc(size_t n);
void *net_mem_calloc(size_t count, size_t size);
void net_mem_free(void *p);

#define LWIP_PLATFORM_DIAG(x)                                                  \
	do {                                                                   \
		printk x;                                                      \
	} while (0)
/* A broken lwIP invariant is a kernel panic, reported where it broke. */
#define LWIP_PLATFORM_ASSERT(x) panic_at(__FILE__, __LINE__, "lwip: %s", x)

/* lwIP's own character classes, not <ctype.h>'s, and our atoi for
 * netif_find's one: the kernel calls nothing of musl's (a program's own
 * isxdigit or atoi must never run inside lwIP). */
#define LWIP_NO_CTYPE_H 1
int net_atoi(const char *s);
#define atoi net_atoi

/* x86 is little-endian; the compiler's byte swaps beat lwIP's C ones. */
#ifndef BYTE_ORDER /* musl's <endian.h> may have said so already */
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#endif
