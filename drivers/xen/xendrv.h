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
#include "kern/kern.h"

/* The shared rings' barriers (xen/io/ring.h uses these names). x86 keeps
 * loads in order with loads and stores with stores: those two need only
 * stop the compiler; a store before a load needs the fence. */
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __asm__ volatile("" ::: "memory")
#define xen_wmb() __asm__ volatile("" ::: "memory")
#include <xen/io/netif.h>

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

/* netfront.c: the data path of a PV network device (the handshake is
 * netfront_xs.c's). A frame a slot, a page a slot, pages granted once. */
#define NF_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, 4096)
#define NF_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, 4096)
struct netfront_buf {
	void *page;
	grant_ref_t gref;
	bool busy; /* posted to the backend, not yet answered */
};
struct netfront {
	struct netdev dev; /* priv is this netfront */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	struct netfront_buf tx_buf[NF_TX_RING_SIZE], rx_buf[NF_RX_RING_SIZE];
	uint16_t tx_free[NF_TX_RING_SIZE]; /* ids of idle tx buffers */
	unsigned ntx_free;
	bool connected, broken;
	uint64_t rx_frames, rx_dropped, rx_errors;
	uint64_t tx_frames, tx_dropped, tx_errors;
	/* Set up by the handshake: kick the backend's event channel;
	 * report a misbehaving backend (xenstore's error/, state). */
	void (*notify)(struct netfront *nf);
	void (*fail)(struct netfront *nf, const char *why);
	void *xs; /* the handshake's */
};
extern const struct netdev_ops netfront_ops;
void netfront_rings_init(struct netfront *nf, void *tx_page, void *rx_page);
void netfront_start(struct netfront *nf); /* post rx buffers, go */
int netfront_xmit(struct netdev *d, const void *const *frag, const size_t *len,
		  int nfrag);
void netfront_poll(struct netdev *d);
void netfront_event(evtchn_port_t port, void *data);

/* netfront_xs.c: the handshake; every device/vif/<id> registered as a
 * netdev once connected (built once xenbus.c and gnttab.c are in) */
void netfront_probe(void);

#endif
