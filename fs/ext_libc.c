/*
 * The C library libext2fs needs, inside the kernel (fs/ext.c runs it in
 * kernel context, where the program's musl is out of reach): memory on
 * kmalloc and vm_mmap, a few string functions, qsort, time, and the
 * error-table hooks of com_err. What libext2fs calls only for devices
 * of its own opening (MMP's open/read: we give it our I/O manager
 * instead) fails with ENOSYS. Kernel symbols are local after the partial
 * link, so none of these names meets the program's own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "fs.h"

/* Before every block: what free needs. 64 bytes keep kmalloc's
 * alignment; a mapping puts it at the end of a page of its own, so that
 * the block is page-aligned (posix_memalign up to a page). */
#define HDR	    64
#define KMALLOC_MAX 2048 /* kmalloc's largest (kern.h) */
#define HDR_MAGIC   0x65786d61u
#define ALIGN_LIMIT KPAGE_SIZE
struct hdr {
	uint32_t magic;
	size_t size;	/* asked for */
	uintptr_t base; /* of the mapping; 0: kmalloc'd */
	size_t maplen;
};

/* Small mappings (libext2fs's block buffers, a few pages, made and
 * dropped at every file it opens) are kept for the next rather than
 * unmapped: a mapping costs page-table updates both ways (hypercalls
 * for a PV guest). */
#define STASH_PAGES 8 /* mappings up to this many pages are kept */
#define STASH_DEPTH 16
static uintptr_t stash[STASH_PAGES + 1][STASH_DEPTH];
static unsigned nstash[STASH_PAGES + 1];

static long stash_take(size_t len)
{
	size_t np = len / KPAGE_SIZE;
	if (np > STASH_PAGES || !nstash[np])
		return 0;
	return (long)stash[np][--nstash[np]];
}

static bool stash_put(uintptr_t base, size_t len)
{
	size_t np = len / KPAGE_SIZE;
	if (np > STASH_PAGES || nstash[np] == STASH_DEPTH)
		return false;
	stash[np][nstash[np]++] = base;
	return true;
}

static void *alloc(size_t n, bool page)
{
	struct hdr *h;
	if (!page && n <= KMALLOC_MAX - HDR) {
		char *p = kmalloc(n + HDR);
		if (!p)
			return NULL;
		h = (struct hdr *)p;
		*h = (struct hdr){ HDR_MAGIC, n, 0, 0 };
		return p + HDR;
	}
	if (n > SIZE_MAX - 2 * KPAGE_SIZE)
		return NULL;
	size_t len = ALIGN_UP(n, KPAGE_SIZE) + KPAGE_SIZE;
	long a = stash_take(len);
	if (a)
		memset((char *)a + KPAGE_SIZE, 0, len - KPAGE_SIZE);
	else
		a = vm_mmap(0, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS);
	if (a < 0)
		return NULL;
	char *p = (char *)a + KPAGE_SIZE;
	h = (struct hdr *)(p - HDR);
	*h = (struct hdr){ HDR_MAGIC, n, (uintptr_t)a, len };
	return p;
}

static struct hdr *hdr_of(void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	kassert(h->magic == HDR_MAGIC);
	return h;
}

void *malloc(size_t n)
{
	return alloc(n, false); /* zeroed, both ways */
}

void *calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return alloc(count * size, false);
}

void free(void *p)
{
	if (!p)
		return;
	struct hdr *h = hdr_of(p);
	h->magic = 0;
	if (h->base) {
		if (!stash_put(h->base, h->maplen))
			vm_munmap(h->base, h->maplen);
	} else
		kfree(h);
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	struct hdr *h = hdr_of(p);
	if (n <= h->size) {
		h->size = n;
		return p;
	}
	void *q = alloc(n, h->base != 0);
	if (!q)
		return NULL;
	memcpy(q, p, h->size);
	free(p);
	return q;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (!align || (align & (align - 1)) || align > ALIGN_LIMIT)
		return EINVAL;
	void *p = alloc(n, align > HDR);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

char *strcpy(char *d, const char *s)
{
	char *r = d;
	while ((*d++ = *s++))
		;
	return r;
}

char *strncpy(char *d, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && s[i]; i++)
		d[i] = s[i];
	for (; i < n; i++)
		d[i] = 0;
	return d;
}

char *strcat(char *d, const char *s)
{
	strcpy(d + strlen(d), s);
	return d;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!base)
		base = s[0] == '0' ? (s[1] == 'x' || s[1] == 'X' ? 16 : 8) : 10;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++) {
		int c = *s, d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'z' ? c - 'a' + 10
				: c >= 'A' && c <= 'Z' ? c - 'A' + 10
						       : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)s;
	return v;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* Shell sort: small, no recursion, no memory; the lists libext2fs sorts
 * (directory blocks, extents to merge) are short. */
static void swap_bytes(char *a, char *b, size_t n)
{
	while (n--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t gap = 1;
	while (gap < n / 3)
		gap = gap * 3 + 1;
	for (; gap; gap /= 3)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && cmp(b + (j - gap) * size,
							   b + j * size) > 0;
			     j -= gap)
				swap_bytes(b + (j - gap) * size, b + j * size,
					   size);
}

time_t time(time_t *t)
{
	time_t now = (time_t)(plat->wallclock_ns() / 1000000000ULL);
	if (t)
		*t = now;
	return now;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	uint64_t ns = plat->wallclock_ns();
	tv->tv_sec = (time_t)(ns / 1000000000ULL);
	tv->tv_usec = (suseconds_t)(ns / 1000 % 1000000);
	return 0;
}

char *getenv(const char *name)
{
	(void)name;
	return NULL; /* no E2FSPROGS_* debugging knobs in a guest */
}

noreturn void abort(void)
{
	panic("libext2fs called abort()");
}

/* com_err: libext2fs's messages for errors it cannot return. */
struct et_list;
struct et_list *_et_list;

void com_err(const char *who, long code, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("atman: ext: %s: error %ld: %s\n", who, code, msg);
}

/* MMP's own device access (mmp.c opens the device by name, with
 * O_DIRECT): there is no such device to open; fs/ext.c refuses a file
 * system with MMP before it gets this far. */
static int no_os(void)
{
	return -1;
}

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	return no_os();
}

ssize_t read(int fd, void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	return no_os();
}

int close(int fd)
{
	(void)fd;
	return no_os();
}

int stat(const char *restrict path, struct stat *restrict st)
{
	(void)path;
	(void)st;
	return no_os();
}

pid_t getpid(void)
{
	return 1;
}

uid_t getuid(void)
{
	return 0;
}

unsigned sleep(unsigned s)
{
	return s;
}

static unsigned rand_state = 1;
void srand(unsigned s)
{
	rand_state = s;
}

int rand(void)
{
	rand_state = rand_state * 1103515245 + 12345;
	return (int)((rand_state >> 16) & 0x7fff);
}
