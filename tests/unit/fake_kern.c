/*
 * Fakes of the kernel services below the file layer (fake_kern.h), for
 * host tests that link the real kern/ files with the fake scheduler.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "kern/kern.h"
#include "kern/lock.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_kern.h"

struct irq_lock big_lock = IRQ_LOCK_INIT("big_lock");

long fake_kmem_live, fake_pages_live, fake_pages_max = -1;
uintptr_t fake_bad;
size_t fake_bad_len;
char fake_printk[4096];
static size_t nprintk;
int fake_signals, fake_signal_tid, fake_signal_no;
char fake_console_out[65536];
size_t fake_console_nout;
static char console_in[256];
static size_t console_nin;

void arch_debugcon_write(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

/* Linked with --wrap=free (fake_sched.c checks that kernel code never
 * calls free): the kernel's own allocators use the real one. */
void __real_free(void *p);

void *kmalloc(size_t n)
{
	if (n > 2048)
		return NULL;
	void *p = calloc(1, n);
	if (p)
		fake_kmem_live++;
	return p;
}

void kfree(void *p)
{
	if (p)
		fake_kmem_live--;
	__real_free(p);
}

uintptr_t page_alloc(void)
{
	if (fake_pages_max >= 0 && fake_pages_live >= fake_pages_max)
		return 0;
	void *p = aligned_alloc(KPAGE_SIZE, KPAGE_SIZE);
	if (!p)
		return 0;
	memset(p, 0, KPAGE_SIZE);
	fake_pages_live++;
	return (uintptr_t)p;
}

/* ramfs's tests set pages.free_pages (its reserve), in their own pages;
 * nothing reserves. */
__attribute__((weak)) struct page_pool pages = { .free_pages = 1 << 20,
						 .total_pages = 1 << 20 };
size_t page_avail(void)
{
	return pages.free_pages - pages.reserved;
}

void page_free(uintptr_t pa)
{
	fake_pages_live--;
	__real_free((void *)pa);
}

bool vm_user_ok(const void *p, size_t len, bool write)
{
	(void)write;
	uintptr_t a = (uintptr_t)p;
	if (a + len < a)
		return false;
	if (!len)
		return true;
	if (a < 4096)
		return false;
	return !(fake_bad_len && a < fake_bad + fake_bad_len &&
		 a + len > fake_bad);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(fake_printk + nprintk, sizeof(fake_printk) - nprintk,
			  fmt, ap);
	va_end(ap);
	if (n > 0)
		nprintk = MIN(nprintk + n, sizeof(fake_printk) - 1);
}

int signal_send(int tid, const struct ksiginfo *info)
{
	fake_signals++;
	fake_signal_tid = tid;
	fake_signal_no = info->signo;
	return 0;
}

void signal_setmask(uint64_t mask)
{
	current->sigmask = mask;
}

/* The console driver */

static void cons_write(const char *buf, size_t len)
{
	size_t n = MIN(len, sizeof(fake_console_out) - fake_console_nout);
	memcpy(fake_console_out + fake_console_nout, buf, n);
	fake_console_nout += n;
}

static size_t cons_read(char *buf, size_t len)
{
	size_t n = MIN(len, console_nin);
	memcpy(buf, console_in, n);
	memmove(console_in, console_in + n, console_nin - n);
	console_nin -= n;
	return n;
}

static void cons_flush(void)
{
}

static const struct console_ops fake_console_ops = {
	.write = cons_write,
	.read = cons_read,
	.flush = cons_flush,
};

void fake_console_feed(const char *s)
{
	size_t n = MIN(strlen(s), sizeof(console_in) - console_nin);
	memcpy(console_in + console_nin, s, n);
	console_nin += n;
	console_input();
}

void fake_console_reset(void)
{
	char junk[64];
	console_nin = 0;
	fake_console_nout = 0;
	/* Input the console file took to poll: read it away. */
	struct iovec v = { junk, sizeof(junk) };
	struct uio u;
	console_file.flags |= O_NONBLOCK;
	do
		uio_init(&u, &v, 1, sizeof(junk), true);
	while (file_read(&console_file, &u) > 0);
	console_file.flags &= ~O_NONBLOCK;
}

/* The platform: the fake scheduler's clock; the wall clock 2001-09-09. */
#define FAKE_EPOCH_NS 1000000000000000000ULL

static uint64_t fake_monotonic(void)
{
	return fake_now;
}

static uint64_t fake_wallclock(void)
{
	return FAKE_EPOCH_NS + fake_now;
}

static const struct platform fake_platform = {
	.name = "fake",
	.monotonic_ns = fake_monotonic,
	.wallclock_ns = fake_wallclock,
};
const struct platform *plat = &fake_platform;

void timer_sleep_until(uint64_t deadline_ns)
{
	while (now_ns() < deadline_ns)
		sched_block(deadline_ns);
}

void fake_kern_reset(void)
{
	fake_kmem_live = fake_pages_live = 0;
	fake_pages_max = -1;
	fake_bad = 0;
	fake_bad_len = 0;
	nprintk = 0;
	fake_printk[0] = 0;
	fake_signals = fake_signal_tid = fake_signal_no = 0;
	console_register(&fake_console_ops);
	fake_console_reset();
}

/* No file is mapped in these tests (kern/fmap.c): nothing to write back. */
int fmap_fsync(struct file *f)
{
	(void)f;
	return 0;
}
void fmap_exit(void)
{
}
