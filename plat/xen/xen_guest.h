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

/* xen.c: detection, the hypercall page, shared_info, the platform */
extern shared_info_t *xen_shared;
bool xen_detect(void); /* CPUID: are we on Xen? */
extern const struct platform xen_platform;
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
 * be RAM the kernel allocated (identity-mapped: frame = address >> 12).
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
uint64_t xen_wallclock_ns(void);
void xen_timer_set(uint64_t deadline_ns);
void xen_time_init(void);

#endif
