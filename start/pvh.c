/*
 * The PVH boot entry: Xen, and QEMU's PVH loader on a plain PC, hand over
 * the same hvm_start_info (boot.S passes its address). Copy what it
 * points to into the neutral struct boot_info before anything can
 * overwrite it (QEMU leaves it in low pages we are about to use), choose
 * the platform, and start the kernel. A classic PV entry would be a
 * second file like this one.
 */
#include <stdint.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "start.h"
#include "arch.h"
#include "kern/kern.h"
#include "plat/pc/pc.h"
#include "plat/xen/xen_guest.h"

#define E820_RAM 1 /* the memory map's type for usable RAM */

static struct hvm_start_info pvh;

static void pvh_banner(void)
{
	printk("  start_info: magic %#x version %u flags %#x\n", pvh.magic,
	       pvh.version, pvh.flags);
}

static void pvh_copy(uint64_t paddr)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)paddr;
	if (!paddr || si->magic != XEN_HVM_START_MAGIC_VALUE)
		return;
	pvh = *si;
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		boot.cmdline_len = strnlen(c, sizeof(boot.cmdline));
		kstrlcpy(boot.cmdline, c, sizeof(boot.cmdline));
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *m =
			(const void *)(uintptr_t)si->memmap_paddr;
		for (uint32_t i = 0;
		     i < si->memmap_entries && boot.nmem < BOOT_MEM_MAX; i++)
			boot.mem[boot.nmem++] =
				(struct boot_mem){ m[i].addr,
						   m[i].addr + m[i].size,
						   m[i].type == E820_RAM };
	}
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *m =
			(const void *)(uintptr_t)si->modlist_paddr;
		for (uint32_t i = 0;
		     i < si->nr_modules && boot.nmod < BOOT_MOD_MAX; i++)
			boot.mod[boot.nmod++] =
				(struct boot_module){ m[i].paddr, m[i].size };
	}
}

void pvh_entry(uint64_t start_info_paddr)
{
	boot_mark("entry");
	pvh_copy(start_info_paddr);
	boot.plat = xen_detect() ? &xen_platform : &pc_platform;
	boot_mark("start_info");
	boot.cpu = &cpu_native;
	boot.paging = &paging_native;
	boot.entry_banner = pvh_banner;
	kern_start(&boot);
}
