/*
 * drivers/xen: the Xen devices, on the Xen platform (plat/xen): the PV
 * console, the xenstore client (and later xenbus, netfront, blkfront).
 * Declarations grouped by the file that implements them.
 */
#ifndef ATMAN_XENDRV_H
#define ATMAN_XENDRV_H

#include <stddef.h>
#include <stdint.h>

#include "plat/xen/xen_guest.h"

/* xencons.c: the PV console ring, registered as the kernel's console */
extern uint64_t xencons_pfn;
extern evtchn_port_t xencons_port;
struct console_ops;
extern const struct console_ops xencons_ops;
int xencons_init(void);
void xencons_banner(void);

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
void xs_banner(void);
int xs_read(const char *path, char *buf, size_t len);
int xs_write(const char *path, const char *value);
int xs_domid(void);
void xs_exit_report(int status); /* data/exit-status */

#endif
