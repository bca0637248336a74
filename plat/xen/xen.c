/*
 * The Xen platform: find Xen, install the hypercall page, map
 * shared_info, set the event-channel upcall vector, and serve the
 * kernel's struct platform (time, timer, idle, shutdown). How we were
 * started (PVH's start info, PV's) is the boot entry's business: it
 * hands us a neutral struct boot_info. A classic PV guest's platform
 * (xenpv_platform) is this one with xenpv.c's early_init and init.
 */
#include <stdint.h>
#include <xen/arch-x86/cpuid.h>

#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

char hypercall_page[4096]
	__attribute__((section(".bss.atman.hcall"), aligned(4096)));
char xen_shared_page[4096] __attribute__((aligned(4096)));
shared_info_t *xen_shared;
struct xen_rings xen_rings;
void (*xen_exit_report)(int status);

bool xen_detect(void)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t r[4];
		cpuid(base, 0, r);
		if (r[1] == XEN_CPUID_SIGNATURE_EBX &&
		    r[2] == XEN_CPUID_SIGNATURE_ECX &&
		    r[3] == XEN_CPUID_SIGNATURE_EDX && r[0] - base >= 2)
			return true;
	}
	return false;
}

/* The BIOS E820 layout XENMEM_memory_map returns (not a Xen type). */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

/* The hypercall page's stubs, as Xen would write them on request (the
 * MSR of CPUID leaf base+2): "mov $nr, %eax; vmcall; ret" in each 32-byte
 * slot, VMMCALL on AMD. Xen takes the instruction from a guest directly
 * too; writing the stubs ourselves saves the CPUID and the WRMSR, each a
 * trap to Xen. (__HYPERVISOR_iret is PV's: we never call it.) */
#define HCALL_SLOT 32
static void hypercall_page_fill(void)
{
	bool amd = !memcmp(cpu.vendor, "AuthenticAMD", 12) ||
		   !memcmp(cpu.vendor, "HygonGenuine", 12);
	for (unsigned nr = 0; nr < sizeof(hypercall_page) / HCALL_SLOT; nr++) {
		uint8_t *p = (uint8_t *)hypercall_page + nr * HCALL_SLOT;
		p[0] = 0xb8; /* mov $imm32, %eax */
		memcpy(p + 1, &nr, 4);
		p[5] = 0x0f; /* vmcall 0f 01 c1, vmmcall 0f 01 d9 */
		p[6] = 0x01;
		p[7] = amd ? 0xd9 : 0xc1;
		p[8] = 0xc3; /* ret */
	}
}

static void xen_early_init(struct boot_info *b)
{
	hypercall_page_fill();

	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)xen_shared_page >> PAGE_SHIFT,
	};
	if (hyp_memory_op(XENMEM_add_to_physmap, &xatp))
		panic("cannot map shared_info");
	xen_shared = (shared_info_t *)xen_shared_page;

	if (b->nmem == 0) {
		static struct e820_entry map[BOOT_MEM_MAX];
		struct xen_memory_map mm = { .nr_entries = BOOT_MEM_MAX };
		set_xen_guest_handle(mm.buffer, map);
		if (hyp_memory_op(XENMEM_memory_map, &mm) == 0)
			for (unsigned i = 0; i < mm.nr_entries; i++)
				b->mem[b->nmem++] = (struct boot_mem){
					map[i].addr, map[i].addr + map[i].size,
					map[i].type == E820_RAM
				};
	}
}

static noreturn void xen_shutdown(int reason, int status)
{
	if (reason != SHUTDOWN_CRASH && xen_exit_report)
		xen_exit_report(status);
	unsigned why = reason == SHUTDOWN_CRASH	   ? SHUTDOWN_crash
		       : reason == SHUTDOWN_REBOOT ? SHUTDOWN_reboot
						   : SHUTDOWN_poweroff;
	for (;;)
		sched_shutdown(why);
}

static void xen_init(void)
{
	evtchn_init();
	/* Event-channel upcalls arrive as a plain IDT vector. */
	if (hvm_set_param(HVM_PARAM_CALLBACK_IRQ,
			  ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
				  VEC_UPCALL))
		panic("cannot set the event channel callback vector");
	xen_time_init();
	/* The rings, in one trap (each is dear in the box). */
	static const uint32_t idx[] = { HVM_PARAM_CONSOLE_PFN,
					HVM_PARAM_CONSOLE_EVTCHN,
					HVM_PARAM_STORE_PFN,
					HVM_PARAM_STORE_EVTCHN };
	uint64_t v[ARRAY_SIZE(idx)];
	long err[ARRAY_SIZE(idx)];
	hvm_get_params(idx, v, err, ARRAY_SIZE(idx));
	if (!err[0])
		xen_rings.console_pfn = v[0];
	if (!err[1])
		xen_rings.console_port = v[1];
	if (!err[2])
		xen_rings.store_pfn = v[2];
	if (!err[3])
		xen_rings.store_port = v[3];
}

static void xen_banner(void)
{
	long v = hyp_xen_version(XENVER_version, NULL);
	xen_extraversion_t extra = { 0 };
	hyp_xen_version(XENVER_extraversion, extra);
	printk("  xen: %ld.%ld%s\n", v >> 16, v & 0xffff, extra);
	printk("  shared_info: %#lx\n", (uintptr_t)xen_shared);
}

/* PVH: a page's guest frame is its physical frame; the grant table's
 * frames go over pages of ours, one by one, as many as Xen gives. */
static uint64_t hvm_gfn(uintptr_t pa)
{
	return pa >> PAGE_SHIFT;
}

static int hvm_map_gnttab(void *va, unsigned n)
{
	uintptr_t gpfn = (uintptr_t)va >> PAGE_SHIFT;
	for (unsigned i = 0; i < n; i++) {
		long r = xen_add_to_physmap(XENMAPSPACE_grant_table, i,
					    gpfn + i);
		if (r)
			return i ? (int)i : (int)r;
	}
	return n;
}

static const struct xen_frame_ops hvm_frame_ops = {
	.gfn = hvm_gfn,
	.map_gnttab = hvm_map_gnttab,
};
const struct xen_frame_ops *xen_frame_ops = &hvm_frame_ops;

const struct platform xen_platform = {
	.name = "xen",
	.early_init = xen_early_init,
	.init = xen_init,
	.banner = xen_banner,
	.monotonic_ns = xen_monotonic_ns,
	.tsc_ns = xen_tsc_ns,
	.cpu_time = xen_cpu_time,
	.wallclock_ns = xen_wallclock_ns,
	.timer_set = xen_timer_set,
	.idle = evtchn_idle,
	.shutdown = xen_shutdown,
};

const struct platform xenpv_platform = {
	.name = "xen-pv",
	.early_init = xenpv_early_init,
	.init = xenpv_init,
	.banner = xen_banner,
	.monotonic_ns = xen_monotonic_ns,
	.tsc_ns = xen_tsc_ns,
	.cpu_time = xen_cpu_time,
	.wallclock_ns = xen_wallclock_ns,
	.timer_set = xen_timer_set,
	.idle = evtchn_idle,
	.shutdown = xen_shutdown,
};
