/*
 * xen/: talking to the hypervisor. Declarations grouped by the file that
 * implements them. Only the kernel sees this; programs never do.
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

/* start.c: detection, start info, hypercall page, shared info */
struct boot_info {
	uint32_t magic, version, flags, nr_modules;
	char cmdline[1025];
	size_t cmdline_len; /* as given, before truncation */
	unsigned nmem;
	struct {
		uint64_t addr, size;
		uint32_t type;
	} mem[64];
};
extern struct boot_info boot;
extern shared_info_t *xen_shared;
extern bool on_xen;
void start_info_copy(uint64_t paddr);
bool xen_detect(void);
void xen_early_init(void);
void xen_init(void);
void xen_banner(void);
extern const struct platform xen_platform;

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

/* console.c: the PV console ring */
extern uint64_t xencons_pfn;
extern evtchn_port_t xencons_port;
void xencons_init(void);
void xencons_write(const char *buf, size_t len);
size_t xencons_read(char *buf, size_t len);
void xencons_flush(void);

/* time.c: pvclock, wall clock, the one-shot timer */
uint64_t xen_monotonic_ns(void);
uint64_t xen_wallclock_ns(void);
void xen_timer_set(uint64_t deadline_ns);
void xen_time_init(void);

/* xs.c: xenstore client. The protocol talks to a transport: the ring on
 * the store page in the guest, a fake xenstored in host tests. */
struct xs_transport {
	int (*send)(const void *buf, size_t len); /* all of it, or -errno */
	int (*recv)(void *buf, size_t len);	  /* all of it, or -errno */
};
extern const struct xs_transport *xs_tr;
int xs_request(uint32_t type, const char *const *parts, int nparts, char *buf,
	       size_t buflen);
extern uint64_t xs_pfn;
extern evtchn_port_t xs_port;
int xs_init(void);
int xs_read(const char *path, char *buf, size_t len);
int xs_write(const char *path, const char *value);
int xs_domid(void);

#endif
