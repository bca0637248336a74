/* start/pv.c: a PV start_info page into the neutral struct boot_info:
 * the memory map around the image and the bootstrap region, the command
 * line, the module. */
#include <stdint.h>
#include <xen/xen.h>

#include "kern/kern.h"
#include "start/start.h"
#include "test.h"

/* What pv.c links against; only pv_boot_info is called. */
struct boot_info boot;
char __atman_image_start[1], __atman_image_end[1];
const struct platform xenpv_platform;
const struct cpu_ops {
	int unused;
} xenpv_cpu_ops;
const struct paging_ops {
	int unused;
} xenpv_paging_ops;
void xenpv_setup(const start_info_t *si)
{
	(void)si;
	abort();
}
void boot_mark(const char *what)
{
	(void)what;
}
void kern_start(struct boot_info *b)
{
	(void)b;
	abort();
}
void printk(const char *fmt, ...)
{
	(void)fmt;
}
size_t kstrlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(d, s, k);
		d[k] = 0;
	}
	return len;
}

#define MIB   (1UL << 20)
#define IMG0  0x100000UL
#define IMG1  0x137000UL
#define BOOT1 0x150000UL

static start_info_t si;
static struct boot_info b;

static void setup(unsigned long mib)
{
	memset(&si, 0, sizeof(si));
	memset(&b, 0, sizeof(b));
	si.nr_pages = mib * MIB / 4096;
}

#define CHECK_MEM(i, s, e, r)                                                  \
	do {                                                                   \
		CHECK_EQ(b.mem[i].start, s);                                   \
		CHECK_EQ(b.mem[i].end, e);                                     \
		CHECK_EQ(b.mem[i].ram, r);                                     \
	} while (0)

/* RAM below and with the image (kern_start keeps the image out of the
 * pool), the bootstrap region reserved, RAM after it. */
static void memory_map(void)
{
	setup(32);
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_EQ(b.nmem, 3);
	CHECK_MEM(0, 0, IMG1, true);
	CHECK_MEM(1, IMG1, BOOT1, false);
	CHECK_MEM(2, BOOT1, 32 * MIB, true);
}

/* The end of Xen's boot stack need not be page-aligned, and cannot lie
 * beyond our memory or below the image's end. */
static void bootstrap_end_clamped(void)
{
	setup(32);
	pv_boot_info(&si, IMG0, IMG1, BOOT1 - 8, &b);
	CHECK_MEM(1, IMG1, BOOT1, false);
	setup(4);
	pv_boot_info(&si, IMG0, IMG1, 5 * MIB, &b);
	CHECK_EQ(b.nmem, 2);
	CHECK_MEM(1, IMG1, 4 * MIB, false);
	setup(32);
	pv_boot_info(&si, IMG0, IMG1, 0x1000, &b);
	CHECK_EQ(b.nmem, 2);
	CHECK_MEM(1, IMG1, 32 * MIB, true);
}

static void command_line(void)
{
	setup(32);
	strcpy((char *)si.cmd_line, "atman.quiet USER=x \"two words\"");
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_STR(b.cmdline, "atman.quiet USER=x \"two words\"");
	CHECK_EQ(b.cmdline_len, 30);
}

/* The builder truncates to 1023 bytes and a NUL; a page without the NUL
 * is still read no further than the field. */
static void command_line_longest(void)
{
	setup(32);
	memset(si.cmd_line, 'a', MAX_GUEST_CMDLINE);
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_EQ(b.cmdline_len, MAX_GUEST_CMDLINE);
	CHECK_EQ(strlen(b.cmdline), MAX_GUEST_CMDLINE);
}

static void module(void)
{
	setup(32);
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_EQ(b.nmod, 0);
	si.mod_start = 0x140000;
	si.mod_len = 12345;
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_EQ(b.nmod, 1);
	CHECK_EQ(b.mod[0].start, 0x140000);
	CHECK_EQ(b.mod[0].len, 12345);
	si.flags = SIF_MOD_START_PFN;
	si.mod_start = 0x140;
	pv_boot_info(&si, IMG0, IMG1, BOOT1, &b);
	CHECK_EQ(b.mod[0].start, 0x140000);
}

int main(int argc, char **argv)
{
	test_init("pvboot", argc, argv);
	RUN(memory_map);
	RUN(bootstrap_end_clamped);
	RUN(command_line);
	RUN(command_line_longest);
	RUN(module);
	return test_summary();
}
