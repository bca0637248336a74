/*
 * Start of day on Xen PVH (and QEMU's PVH loader, which hands over the
 * same hvm_start_info): copy what start info points to before anything
 * can overwrite it, find Xen, install the hypercall page, map
 * shared_info, and read the HVM parameters for console and xenstore.
 * This and boot.S are the only PVH-specific code; a classic PV entry
 * would replace them and keep the rest.
 */
#include <stdint.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/arch-x86/cpuid.h>

#include "xen_guest.h"
#include "arch/x86_64/arch.h"
#include "kern/kern.h"

char hypercall_page[4096]
	__attribute__((section(".bss.atman.hcall"), aligned(4096)));
static char shared_page[4096] __attribute__((aligned(4096)));
shared_info_t *xen_shared;
struct boot_info boot;
bool on_xen;
static uint32_t xen_cpuid_base;

void start_info_copy(uint64_t paddr)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)paddr;
	if (!paddr || si->magic != XEN_HVM_START_MAGIC_VALUE)
		return;
	boot.magic = si->magic;
	boot.version = si->version;
	boot.flags = si->flags;
	boot.nr_modules = si->nr_modules;
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		boot.cmdline_len = strnlen(c, sizeof(boot.cmdline));
		kstrlcpy(boot.cmdline, c, sizeof(boot.cmdline));
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *m =
			(const void *)(uintptr_t)si->memmap_paddr;
		for (uint32_t i = 0; i < si->memmap_entries && boot.nmem < 64u;
		     i++) {
			boot.mem[boot.nmem].addr = m[i].addr;
			boot.mem[boot.nmem].size = m[i].size;
			boot.mem[boot.nmem].type = m[i].type;
			boot.nmem++;
		}
	}
}

bool xen_detect(void)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t r[4];
		cpuid(base, 0, r);
		if (r[1] == XEN_CPUID_SIGNATURE_EBX &&
		    r[2] == XEN_CPUID_SIGNATURE_ECX &&
		    r[3] == XEN_CPUID_SIGNATURE_EDX && r[0] - base >= 2) {
			xen_cpuid_base = base;
			return true;
		}
	}
	return false;
}

/* The BIOS E820 layout XENMEM_memory_map returns (not a Xen type). */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

void xen_early_init(void)
{
	uint32_t r[4];
	cpuid(xen_cpuid_base + 2, 0, r);
	/* EBX is the MSR; writing a page's address makes Xen fill it. */
	wrmsr(r[1], (uintptr_t)hypercall_page);

	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)shared_page >> PAGE_SHIFT,
	};
	if (hyp_memory_op(XENMEM_add_to_physmap, &xatp))
		panic("cannot map shared_info");
	xen_shared = (shared_info_t *)shared_page;

	if (boot.nmem == 0) {
		static struct e820_entry map[64];
		struct xen_memory_map mm = { .nr_entries = 64 };
		set_xen_guest_handle(mm.buffer, map);
		if (hyp_memory_op(XENMEM_memory_map, &mm) == 0)
			for (unsigned i = 0; i < mm.nr_entries && i < 64; i++) {
				boot.mem[i].addr = map[i].addr;
				boot.mem[i].size = map[i].size;
				boot.mem[i].type = map[i].type;
				boot.nmem++;
			}
	}
}

static noreturn void xen_shutdown(int reason, int status)
{
	(void)status;
	for (;;)
		sched_shutdown(reason ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}

void xen_init(void)
{
	evtchn_init();
	/* Event-channel upcalls arrive as a plain IDT vector. */
	if (hvm_set_param(HVM_PARAM_CALLBACK_IRQ,
			  ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
				  VEC_UPCALL))
		panic("cannot set the event channel callback vector");
	xencons_init();
	xen_time_init();
	if (xs_init())
		printk("atman: no xenstore: exit status goes to the console "
		       "only\n");
}

void xen_banner(void)
{
	long v = hyp_xen_version(XENVER_version, NULL);
	xen_extraversion_t extra = { 0 };
	hyp_xen_version(XENVER_extraversion, extra);
	printk("  xen: %ld.%ld%s\n", v >> 16, v & 0xffff, extra);
	printk("  start_info: magic %#x version %u flags %#x\n", boot.magic,
	       boot.version, boot.flags);
	printk("  nr_modules: %u\n", boot.nr_modules);
	printk("  cmdline: \"%s\"\n", boot.cmdline);
	for (unsigned i = 0; i < boot.nmem; i++)
		printk("  memory: 0x%08lx-0x%08lx %s\n", boot.mem[i].addr,
		       boot.mem[i].addr + boot.mem[i].size,
		       boot.mem[i].type == 1 ? "ram" : "reserved");
	printk("  shared_info: %#lx\n", (uintptr_t)xen_shared);
	printk("  console: pfn %#lx evtchn %u\n", xencons_pfn, xencons_port);
	printk("  store: pfn %#lx evtchn %u\n", xs_pfn, xs_port);
}

const struct platform xen_platform = {
	.name = "xen",
	.console_write = xencons_write,
	.console_read = xencons_read,
	.console_flush = xencons_flush,
	.monotonic_ns = xen_monotonic_ns,
	.wallclock_ns = xen_wallclock_ns,
	.timer_set = xen_timer_set,
	.idle = evtchn_idle,
	.shutdown = xen_shutdown,
};
