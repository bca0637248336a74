/*
 * plat/xen: the Xen platform: hypercalls, detection, shared_info, event
 * channels, time, shutdown (and later grant tables). Declarations grouped
 * by the file that implements them. Drivers (drivers/xen) build on it;
 * it never calls them but through what they register.
 */
#ifndef ATMAN_XEN_GUEST_H
#define ATMAN_XEN_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"

/*
 * The shared rings (console, xenstore) use free-running 32-bit indices:
 * the fill level is prod - cons, right across the wrap at 2^32. The other
 * side may write any index, so a level above the ring's size means a
 * corrupt one: ring_used returns RING_CORRUPT then.
 */
#define RING_CORRUPT UINT32_MAX
static inline uint32_t ring_used(uint32_t prod, uint32_t cons, uint32_t size)
{
	uint32_t used = prod - cons;
	return used <= size ? used : RING_CORRUPT;
}

/* What differs between PVH and a classic PV guest for the devices, set by
 * the platform's init (xen.c's for PVH, xenpv.c's): the frame number Xen
 * knows a page of ours by (PVH: its guest frame; PV: its machine frame),
 * and how the grant table's first n frames get mapped at va (PVH:
 * XENMEM_add_to_physmap; PV: GNTTABOP_setup_table, then our page
 * tables). map_gnttab returns how many were mapped, or -errno. */
struct xen_frame_ops {
	uint64_t (*gfn)(uintptr_t pa);
	int (*map_gnttab)(void *va, unsigned n);
};
extern const struct xen_frame_ops *xen_frame_ops;

/* xen.c: detection, the hypercall page, shared_info, the platform */
extern shared_info_t *xen_shared;
extern char xen_shared_page[4096]; /* where shared_info is mapped */
bool xen_detect(void);		   /* CPUID: are we on Xen? */
extern const struct platform xen_platform;
extern const struct platform xenpv_platform; /* a classic PV guest */
/* The console and xenstore rings the domain builder set up: their pages
 * (ours, pseudo-physical frame numbers) and event channels; 0 where
 * there is none. Filled by the platform's init (HVM params) or, on PV,
 * by xenpv_setup (start_info). */
struct xen_rings {
	uint64_t console_pfn, store_pfn;
	evtchn_port_t console_port, store_port;
};
extern struct xen_rings xen_rings;
/* Where the platform reports the program's exit status on shutdown (the
 * xenstore driver registers it at start; until then, nowhere). */
extern void (*xen_exit_report)(int status);

/* evtchn.c: event channels (2-level ABI) */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);
int evtchn_bind(evtchn_port_t port, evtchn_handler_t fn, void *data);
void evtchn_unbind(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
void evtchn_init(void);
void evtchn_idle(void); /* wait for any bound port; run its handler */
struct waitq;
void evtchn_wait(evtchn_port_t port, struct waitq *q);
/* A port for a frontend's ring: allocated unbound for domain remote to
 * bind, with fn as its handler, masked (the caller unmasks it once the
 * ring is ready). evtchn_free unbinds and closes it. */
int evtchn_alloc(domid_t remote, evtchn_handler_t fn, void *data,
		 evtchn_port_t *port);
void evtchn_free(evtchn_port_t port);

/*
 * gnttab.c: grant tables, v1: let another domain map one of our pages.
 * gnttab_grant fills a free entry (read-only or read-write) and returns
 * its reference; gnttab_revoke ends the grant, or says -EBUSY while the
 * other domain still maps the page: the caller then keeps the page and
 * tries again later (never gives it back to the allocator). Pages must
 * be RAM the kernel allocated (identity-mapped: frame = address >> 12;
 * Xen is given the frame as it knows it: xen_frame_ops->gfn).
 */
int gnttab_init(void);
void gnttab_attach(grant_entry_v1_t *table, uint32_t nrefs); /* for tests */
int gnttab_grant(domid_t dom, uint64_t gfn, bool readonly, grant_ref_t *ref);
int gnttab_grant_page(domid_t dom, const void *page, bool readonly,
		      grant_ref_t *ref);
int gnttab_revoke(grant_ref_t ref);
uint32_t gnttab_free_count(void);
void gnttab_banner(void);

/* time.c: pvclock, wall clock, the one-shot timer */
uint64_t xen_monotonic_ns(void);
uint64_t
xen_tsc_ns(uint64_t ticks); /* a TSC interval, by the pvclock's scale */
struct plat_cpu_time;
int xen_cpu_time(struct plat_cpu_time *t); /* the runstate area */
uint64_t xen_wallclock_ns(void);
void xen_timer_set(uint64_t deadline_ns);
void xen_time_init(void);

/* xenpv.c: a classic PV guest's start_info: the P2M, the rings */
struct boot_info;
struct cpu_ops;
struct paging_ops;
void xenpv_setup(const start_info_t *si); /* from start/pv.c */
void xenpv_early_init(struct boot_info *b);
void xenpv_init(void);

/* pvcpu.c: the CPU of a PV guest (struct cpu_ops; arch/x86_64/pventry.S
 * is its entry code) */
extern const struct cpu_ops xenpv_cpu_ops;
void pv_irq_restore(unsigned long flags);
void pv_failsafe(void);

/* p2m.c: frame numbers: the P2M, and its inverse for our own frames */
void p2m_init(const xen_pfn_t *p2m, unsigned long nr_pages);
uint64_t p2m_mfn(uint64_t pfn);
int m2p_build(void); /* 0, -ENOMEM or -E2BIG: before any m2p_pfn */
bool m2p_pfn(uint64_t mfn, uint64_t *pfn); /* false: not our frame */
unsigned long m2p_runs(void);		   /* 0 until built */

/* pvmmu.c: page tables through mmu_update (struct paging_ops) */
extern const struct paging_ops xenpv_paging_ops;
void pvmmu_setup(uintptr_t pt_base);
uint64_t pv_pfn_to_mfn(uint64_t pfn);
uint64_t pv_mfn_to_pfn(uint64_t mfn);
int pvmmu_map_mfn(uintptr_t va, uint64_t mfn, uint64_t flags);

#endif
