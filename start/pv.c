/*
 * The classic PV boot entry: Xen's PV domain builder hands over the
 * start_info page (arch/x86_64/pvboot.S passes it, and where the
 * bootstrap region ends). Its facts go into the neutral struct boot_info;
 * the Xen-specific ones (the P2M, the rings) to the PV platform
 * (plat/xen/xenpv.c); the CPU runs as a PV guest (plat/xen/pvcpu.c,
 * pvmmu.c). Then the kernel starts, as from start/pvh.c.
 */
#include <stdint.h>
#include <xen/xen.h>

#include "start.h"
#include "arch.h"
#include "kern/kern.h"
#include "plat/xen/xen_guest.h"

extern char __atman_image_start[], __atman_image_end[];

static start_info_t pv_si;
static uintptr_t pv_si_va;

/* The start_info page, field by field, as AtmanOS for Go showed it. */
static void pv_banner(void)
{
	const start_info_t *s = &pv_si;
	printk("%13s:  %u\n", "ptr_size", (unsigned)sizeof(void *));
	printk("%13s:  %#lx\n", "start_info", pv_si_va);
	printk("%13s:  %.32s\n", "magic", s->magic);
	printk("%13s:  %lu\n", "nr_pages", s->nr_pages);
	printk("%13s:  %lu\n", "shared_info", s->shared_info);
	printk("%13s:  %u\n", "siff_flags", s->flags);
	printk("%13s:  %lu\n", "store_mfn", s->store_mfn);
	printk("%13s:  %u\n", "store_evc", s->store_evtchn);
	printk("%13s:  %lu\n", "console_mfn", s->console.domU.mfn);
	printk("%13s:  %u\n", "console_evc", s->console.domU.evtchn);
	printk("%13s:  %lu\n", "pt_base", s->pt_base);
	printk("%13s:  %lu\n", "nr_pt_frames", s->nr_pt_frames);
	printk("%13s:  %lu\n", "mfn_list", s->mfn_list);
	printk("%13s:  %lu\n", "mod_start", s->mod_start);
	printk("%13s:  %lu\n", "mod_len", s->mod_len);
	printk("%13s:  %.*s\n", "cmd_line", MAX_GUEST_CMDLINE,
	       (const char *)s->cmd_line);
	printk("%13s:  %lu\n", "first_pfn", s->first_p2m_pfn);
	printk("%13s:  %lu\n", "nr_p2m_frames", s->nr_p2m_frames);
}

/*
 * Every pseudo-physical page below nr_pages is ours. The image sits at
 * its link address (kern_start keeps it out of the page pool); after it,
 * up to boot_end, the domain builder's bootstrap region (P2M list,
 * start_info, xenstore and console pages, boot page tables, boot stack),
 * which stays reserved: the P2M, the rings and the page tables live on.
 */
void pv_boot_info(const start_info_t *si, uintptr_t img0, uintptr_t img1,
		  uintptr_t boot_end, struct boot_info *b)
{
	uint64_t end = (uint64_t)si->nr_pages << PAGE_SHIFT;
	boot_end = MIN(ALIGN_UP(MAX(boot_end, img1), PAGE_SIZE), end);
	b->nmem = 0;
	if (img0 < end)
		b->mem[b->nmem++] =
			(struct boot_mem){ 0, MIN(img1, end), true };
	if (img1 < boot_end)
		b->mem[b->nmem++] = (struct boot_mem){ img1, boot_end, false };
	if (boot_end < end)
		b->mem[b->nmem++] = (struct boot_mem){ boot_end, end, true };

	const char *c = (const char *)si->cmd_line;
	b->cmdline_len = strnlen(c, MAX_GUEST_CMDLINE);
	kstrlcpy(b->cmdline, c, MIN(b->cmdline_len + 1, sizeof(b->cmdline)));

	b->nmod = 0;
	if (si->mod_len) {
		uint64_t start =
			si->flags & SIF_MOD_START_PFN
				? si->mod_start << PAGE_SHIFT
				: si->mod_start; /* virtual == physical */
		b->mod[b->nmod++] = (struct boot_module){ start, si->mod_len };
	}
}

void pv_entry(const start_info_t *si, uintptr_t boot_end)
{
	boot_mark("entry");
	pv_si = *si;
	pv_si_va = (uintptr_t)si;
	pv_boot_info(&pv_si, (uintptr_t)__atman_image_start,
		     (uintptr_t)__atman_image_end, boot_end, &boot);
	xenpv_setup(&pv_si);
	boot_mark("start_info");
	boot.plat = &xenpv_platform;
	boot.cpu = &xenpv_cpu_ops;
	boot.paging = &xenpv_paging_ops;
	boot.entry_banner = pv_banner;
	kern_start(&boot);
}
