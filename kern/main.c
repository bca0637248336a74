/*
 * Boot: from the PVH entry (arch/x86_64/boot.S) to the program's _start.
 * Also the way out: kexit.
 */
#include "kern.h"
#include "arch/x86_64/arch.h"
#include "xen/xen_guest.h"
#include "sys/sys.h"

struct mem_region ram[64];
int nram;
struct cmdline kcmdline;
const char *prog_name = "program";
bool kquiet;
const struct platform *plat;

extern const char atman_progname[] __attribute__((weak));
extern char __atman_image_start[], __atman_image_end[];

static void mem_init(bool high)
{
	uintptr_t img0 = (uintptr_t)__atman_image_start;
	uintptr_t img1 = (uintptr_t)__atman_image_end;
	for (unsigned i = 0; i < boot.nmem; i++) {
		if (boot.mem[i].type != 1)
			continue;
		uint64_t s = boot.mem[i].addr, e = s + boot.mem[i].size;
		if (!high && nram < 64)
			ram[nram++] = (struct mem_region){ s, e };
		uint64_t lim = 1ULL << 32;
		if (high ? e <= lim : s >= lim)
			continue;
		if (high)
			s = MAX(s, lim);
		else
			e = MIN(e, lim);
		s = MAX(s, PAGE_SIZE); /* page 0 is never handed out */
		if (s < img0)
			page_pool_add(&pages, s, MIN(e, img0));
		if (e > img1)
			page_pool_add(&pages, MAX(s, img1), e);
	}
}

static void banner(void)
{
	printk("Atman OS\n");
	if (on_xen)
		xen_banner();
	else
		pc_banner();
	printk("  pages: %lu free of %lu (%lu KiB)\n", pages.free_pages,
	       pages.total_pages, pages.total_pages * 4);
}

noreturn void kexit(int status)
{
	if (status)
		printk("atman: exit status %d\n", status);
	if (on_xen) {
		char s[12];
		ksnprintf(s, sizeof(s), "%d", status);
		xs_write("data/exit-status", s);
	}
	console_flush();
	plat->shutdown(0, status);
}

void kmain(uint64_t start_info_paddr)
{
	/* First: QEMU leaves start info in low pages we are about to use. */
	start_info_copy(start_info_paddr);
	cpu_init();
	on_xen = xen_detect();
	if (on_xen)
		xen_early_init();
	mem_init(false);
	if (!pages.free_pages)
		panic("no usable RAM in the memory map");
	paging_init();
	mem_init(true);
	vm_init();
	trap_init();
	if (on_xen) {
		xen_init();
		plat = &xen_platform;
	} else {
		pc_init();
		plat = &pc_platform;
	}
	if (atman_progname)
		prog_name = atman_progname;

	int bad = cmdline_parse(&kcmdline, boot.cmdline);
	kquiet = cmdline_opt(&kcmdline, "atman.quiet") != NULL;
	console_debugcon = cmdline_opt(&kcmdline, "atman.debugcon") != NULL;
	if (!kquiet)
		banner();
	if (boot.cmdline_len > CMDLINE_MAX && !bad) {
		kcmdline.error = "command line too long (more than 1024 bytes)";
		bad = -1;
	}
	if (bad) {
		printk("atman: bad command line: %s\n", kcmdline.error);
		kexit(2);
	}
	random_init();
	proc_start();
}
