/*
 * The Xen platform of a classic PV guest: what xen.c gets from HVM
 * params and XENMEM_add_to_physmap under PVH comes from start_info here
 * (the P2M, the console and xenstore rings, shared_info's machine
 * frame). The rest of the platform is xen.c's, shared.
 */
#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

static const start_info_t *si;

/* PV: Xen knows our pages by their machine frames, also in grants. */
static uint64_t pv_gfn(uintptr_t pa)
{
	return p2m_mfn(pa >> PAGE_SHIFT);
}

/* The grant table's frames are Xen's: it says which, we map them at va
 * (over pages of ours, as shared_info). */
static int pv_map_gnttab(void *va, unsigned n)
{
	xen_pfn_t mfn[n];
	long r = gnttab_setup_table(n, mfn);
	if (r)
		return (int)r;
	for (unsigned i = 0; i < n; i++) {
		r = pvmmu_map_mfn((uintptr_t)va + i * PAGE_SIZE, mfn[i],
				  PTE_W | paging_nx());
		if (r)
			return i ? (int)i : (int)r;
	}
	return n;
}

static const struct xen_frame_ops pv_frame_ops = {
	.gfn = pv_gfn,
	.map_gnttab = pv_map_gnttab,
};

/* Before kern_start: si stays valid for good (start/pv.c's copy). */
void xenpv_setup(const start_info_t *start_info)
{
	si = start_info;
	p2m_init((const xen_pfn_t *)si->mfn_list, si->nr_pages);
	pvmmu_setup(si->pt_base);
	/* Both rings are pages of our own memory, in the bootstrap region
	 * the domain builder left after the image (mapped, reserved). */
	xen_rings = (struct xen_rings){
		.console_pfn = pv_mfn_to_pfn(si->console.domU.mfn),
		.console_port = si->console.domU.evtchn,
		.store_pfn = pv_mfn_to_pfn(si->store_mfn),
		.store_port = si->store_evtchn,
	};
}

void xenpv_early_init(struct boot_info *b)
{
	(void)b; /* start/pv.c made the memory map; the hypercall page
		    was filled by the domain builder (our ELF note) */
}

void xenpv_init(void)
{
	/* shared_info is Xen's page: map its machine frame where the PVH
	 * platform has it, after paging_init, which would map our own page
	 * back there. */
	if (pvmmu_map_mfn((uintptr_t)xen_shared_page,
			  si->shared_info >> PAGE_SHIFT, PTE_W | paging_nx()))
		panic("cannot map shared_info");
	xen_shared = (shared_info_t *)xen_shared_page;
	xen_frame_ops = &pv_frame_ops;
	evtchn_init(); /* the upcall comes through pvcpu.c's callback */
	xen_time_init();
}
