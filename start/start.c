/*
 * kern_start: from a boot entry to the program's _start. The one place
 * that knows every layer: it brings up the CPU, memory, the platform
 * chosen by the entry, that platform's devices and the syscall layer, and
 * registers each with the layers that call up into it (the console
 * driver, the syscall handler, the exit-status report).
 */
#include "start.h"
#include "arch.h"
#include "kern/kern.h"
#include "plat/pc/pc.h"
#include "plat/xen/xen_guest.h"
#include "drivers/xen/xendrv.h"
#include "sys/sys.h"
#include "fs/fs.h"
#include "net/net.h"

struct boot_info boot;
extern const char atman_progname[] __attribute__((weak));

/* The network is a part of its own (docs/architecture.md, "Parts"): in
 * an image whose program makes no socket call atman-cc leaves it out,
 * and these are NULL: no interfaces, no network configuration. */
#pragma weak net_boot
#pragma weak net_config
#pragma weak net_configure
#pragma weak net_etc_file
#pragma weak netfront_probe
/* So are the file system (fs/: the tree, ramfs, and kern/fmap.c's
 * mappings of files), in an image whose program and its musl open no
 * file: no root; and /dev, /proc and the disks (blkfront and the
 * mounts), in one whose program makes no call that takes a path. */
#pragma weak vfs_init
#pragma weak vfs_synth_register
#pragma weak cpio_unpack
#pragma weak dev_init
#pragma weak procfs_init
#pragma weak blkfront_probe
#pragma weak mounts_boot
#pragma weak mounts_exit
#pragma weak fmap_exit
/* What the boot says of a root it has no file system for. */
#define NO_FS                                                                  \
	"this image has no file system: its program makes no file "            \
	"call, and atman-cc left it out"

/* /etc files the network's configuration makes, made at each open. */
static size_t etc_resolv(char *b, size_t n)
{
	long r = net_etc_file ? net_etc_file("/etc/resolv.conf", b, n) : 0;
	return r < 0 ? 0 : (size_t)r;
}

static size_t etc_hosts(char *b, size_t n)
{
	long r = net_etc_file ? net_etc_file("/etc/hosts", b, n) : 0;
	if (r > 0)
		return (size_t)r;
	/* No network configuration: the loopback names at least. */
	return (size_t)ksnprintf(b, n,
				 "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
}
extern char __atman_image_start[], __atman_image_end[];

#define LOW_LIMIT (1ULL << 32) /* what the boot page tables map */

/* Does [s, e) overlap a boot module? Then it is not free RAM. */
static bool in_module(const struct boot_info *b, uint64_t *s, uint64_t *e)
{
	for (unsigned i = 0; i < b->nmod; i++) {
		uint64_t ms = ALIGN_DOWN(b->mod[i].start, PAGE_SIZE);
		uint64_t me =
			ALIGN_UP(b->mod[i].start + b->mod[i].len, PAGE_SIZE);
		if (ms < *e && me > *s) {
			*s = ms;
			*e = me;
			return true;
		}
	}
	return false;
}

/* Give [s, e) to the page pool, less the boot modules in it. */
static void mem_add(const struct boot_info *b, uint64_t s, uint64_t e)
{
	while (s < e) {
		uint64_t ms = s, me = e;
		if (!in_module(b, &ms, &me)) {
			page_pool_add(&pages, s, e);
			return;
		}
		if (ms > s)
			page_pool_add(&pages, s, ms);
		s = me;
	}
}

/* Free RAM from the memory map into the page pool: below 4 GiB first
 * (all the boot page tables reach), the rest once paging maps it. Page 0,
 * the image and the boot modules are never handed out. */
static void mem_init(const struct boot_info *b, bool high)
{
	uintptr_t img0 = (uintptr_t)__atman_image_start;
	uintptr_t img1 = (uintptr_t)__atman_image_end;
	for (unsigned i = 0; i < b->nmem; i++) {
		if (!b->mem[i].ram)
			continue;
		uint64_t s = b->mem[i].start, e = b->mem[i].end;
		if (!high && nram < BOOT_MEM_MAX)
			ram[nram++] = (struct mem_region){ s, e };
		if (high ? e <= LOW_LIMIT : s >= LOW_LIMIT)
			continue;
		if (high)
			s = MAX(s, LOW_LIMIT);
		else
			e = MIN(e, LOW_LIMIT);
		s = MAX(s, PAGE_SIZE); /* page 0 is never handed out */
		if (s < img0)
			mem_add(b, s, MIN(e, img0));
		if (e > img1)
			mem_add(b, MAX(s, img1), e);
	}
}

static bool xenstore_up;

/* The Xen devices every guest has: the PV console, then xenstore (which
 * carries the exit status out). */
static void xen_devices_start(void)
{
	if (xencons_init() == 0)
		console_register(&xencons_ops);
	boot_mark("console");
	if (xs_init() == 0) {
		xen_exit_report = xs_exit_report;
		xenstore_up = true;
	} else
		printk("atman: no xenstore: exit status goes to the console "
		       "only\n");
	boot_mark("xenstore");
	if (!xenstore_up)
		return;
	/* PV devices: which types are there at all (one xenstore round
	 * trip: most guests have none), then the grant table their
	 * frontends share, then each type's devices. */
	enum { VIF, VBD };
	static const char *const types[] = { [VIF] = "vif", [VBD] = "vbd" };
	unsigned have = xenbus_types(types, ARRAY_SIZE(types));
	boot_mark("xenbus");
	if (!have)
		return;
	int r = gnttab_init();
	boot_mark("gnttab");
	if (r) {
		printk("atman: no grant table (error %d): no PV devices\n", -r);
		return;
	}
	if ((have & 1u << VIF) && netfront_probe) {
		netfront_probe(); /* every vif: an interface for net_boot */
		boot_mark("vif");
	}
	if ((have & 1u << VBD) && blkfront_probe) {
		blkfront_probe(); /* every vbd: a /dev/xvdX, mounts */
		boot_mark("vbd");
	}
}

/* In the first thread, before the program's _start: what needs threads
 * (the shutdown watch's, the network's DHCP) or sleeps (the disks'
 * mounts: their I/O). */
static void before_main(void)
{
	if (xenstore_up)
		control_start();
	if (net_boot)
		net_boot();
	if (mounts_boot)
		mounts_boot(&kcmdline);
	else if (cmdline_opt(&kcmdline, "atman.mount"))
		printk("atman: mount: this image has no disks: its program "
		       "makes no file call, and atman-cc left them out\n");
	boot_mark("before_main");
}

static void xen_devices_banner(void)
{
	xencons_banner();
	xs_banner();
	gnttab_banner();
}

static void pc_devices_start(void)
{
	com1_init();
	console_register(&com1_ops);
}

static void banner(const struct boot_info *b)
{
	printk("Atman OS\n");
	if (b->entry_banner)
		b->entry_banner();
	plat->banner();
	printk("  nr_modules: %u\n", b->nmod);
	printk("  cmdline: \"%s\"\n", b->cmdline);
	for (unsigned i = 0; i < b->nmem; i++)
		printk("  memory: 0x%08lx-0x%08lx %s\n", b->mem[i].start,
		       b->mem[i].end, b->mem[i].ram ? "ram" : "reserved");
	if (plat == &xen_platform || plat == &xenpv_platform)
		xen_devices_banner();
	printk("  pages: %lu free of %lu (%lu KiB)\n", pages.free_pages,
	       pages.total_pages, pages.total_pages * 4);
}

/* The root's contents: the first boot module, a cpio archive. Its
 * pages go to the pool once it is unpacked (or, in an image without the
 * file system, at once: nothing could read it). */
static void rootfs_start(const struct boot_info *b)
{
	if (!b->nmod)
		return;
	const struct boot_module *m = &b->mod[0];
	if (b->nmod > 1)
		printk("atman: %u boot modules: only the first is the root\n",
		       b->nmod);
	if (!cpio_unpack)
		printk("atman: root: " NO_FS "\n");
	else if (cpio_unpack((const void *)(uintptr_t)m->start, m->len))
		kexit(2);
	uint64_t s = ALIGN_UP(m->start, PAGE_SIZE);
	uint64_t e = ALIGN_DOWN(m->start + m->len, PAGE_SIZE);
	for (unsigned i = 0; i < b->nmem; i++) /* only if it was RAM */
		if (b->mem[i].ram && b->mem[i].start <= s &&
		    e <= b->mem[i].end && e > s && e <= LOW_LIMIT) {
			page_pool_add(&pages, s, e);
			break;
		}
}

/* The file tree, if the image has it: the root, /dev, the network's
 * /etc files (a file in the user's root wins, and these beat fs's own
 * default /etc/hosts: the first one registered wins), /proc. */
static void fs_start(const struct boot_info *b)
{
	if (vfs_init)
		vfs_init();
	boot_mark("vfs");
	rootfs_start(b);
	boot_mark("rootfs");
	if (!vfs_init)
		return;
	if (dev_init)
		dev_init();
	vfs_synth_register("/etc/resolv.conf", etc_resolv);
	vfs_synth_register("/etc/hosts", etc_hosts);
	if (procfs_init)
		procfs_init();
}

/* At exit, where it may still sleep: the shared mappings of files
 * written back, then the disks unmounted. */
static void before_exit(void)
{
	if (fmap_exit)
		fmap_exit();
	if (mounts_exit)
		mounts_exit();
}

noreturn void kern_start(struct boot_info *b)
{
	plat = b->plat;
	cpu_ops = b->cpu;
	paging_ops = b->paging;
	/* Parsed first, for atman.boottime; checked below. */
	int bad = cmdline_parse(&kcmdline, b->cmdline);
	cpu_init();
	boot_mark("cpu");
	plat->early_init(b);
	if (cmdline_opt(&kcmdline, "atman.boottime"))
		boot_trace_cpu();
	boot_mark("plat_early");
	mem_init(b, false);
	boot_mark("mem_map");
	if (!pages.free_pages)
		panic("no usable RAM in the memory map");
	paging_init();
	boot_mark("paging");
	mem_init(b, true);
	vm_init();
	boot_mark("mem_high");
	trap_init();
	boot_mark("traps");
	plat->init();
	boot_mark("plat_init");
	if (plat == &xen_platform || plat == &xenpv_platform)
		xen_devices_start();
	else
		pc_devices_start();
	boot_mark("devices");
	syscall_handler = syscall_dispatch;
	if (atman_progname)
		prog_name = atman_progname;

	kquiet = cmdline_opt(&kcmdline, "atman.quiet") != NULL;
	console_debugcon = cmdline_opt(&kcmdline, "atman.debugcon") != NULL;
	if (!kquiet)
		banner(b);
	boot_mark("cmdline_banner");
	if (b->cmdline_len > CMDLINE_MAX && !bad) {
		kcmdline.error = "command line too long (more than 1024 bytes)";
		bad = -1;
	}
	if (!bad && !net_configure && cmdline_opt(&kcmdline, "atman.ip"))
		printk("atman: atman.ip: this image has no network: its "
		       "program "
		       "makes no socket call, and atman-cc left it out\n");
	if (!bad && net_configure && net_configure(&kcmdline)) {
		kcmdline.error = net_config.error;
		bad = -1;
	}
	if (!bad && (kcmdline.error = control_configure(&kcmdline)))
		bad = -1;
	if (bad) {
		printk("atman: bad command line: %s\n", kcmdline.error);
		kexit(2);
	}
	boot_mark("config");
	proc_before_main = before_main;
	proc_before_exit = before_exit;
	random_init();
	boot_mark("random");
	fs_start(b);
	fd_init();
	boot_mark("dev_proc_fd");
	proc_start();
}
