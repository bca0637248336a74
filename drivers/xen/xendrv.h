/*
 * drivers/xen: the Xen devices, on the Xen platform (plat/xen): the PV
 * console, the xenstore client, and the frontend half of the xenbus
 * handshake that netfront and blkfront share. Declarations grouped by
 * the file that implements them.
 */
#ifndef ATMAN_XENDRV_H
#define ATMAN_XENDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xenbus.h>

#include "plat/xen/xen_guest.h"
#include "kern/kern.h"

/* The shared rings' barriers (xen/io/ring.h uses these names). x86 keeps
 * loads in order with loads and stores with stores: those two need only
 * stop the compiler; a store before a load needs the fence. */
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __asm__ volatile("" ::: "memory")
#define xen_wmb() __asm__ volatile("" ::: "memory")
#include <xen/io/netif.h>
#include <xen/io/blkif.h>

/* xencons.c: the PV console ring, registered as the kernel's console */
extern uint64_t xencons_pfn;
extern evtchn_port_t xencons_port;
struct console_ops;
extern const struct console_ops xencons_ops;
int xencons_init(void);
void xencons_banner(void);

/*
 * xs.c: the xenstore protocol. Any number of threads may have a request
 * in flight; each reply is matched to its request by id. Replies and
 * watch events are routed as they arrive (xs_rx): by the store's event
 * handler, or by a waiter that cannot sleep and polls. Each waiter
 * sleeps on its own queue until its reply is there. xenstored is
 * another domain: lengths, types and terminators of what it sends are
 * checked before use; a stream we cannot follow any more (a header
 * claiming more than XENSTORE_PAYLOAD_MAX) turns xenstore off (-EIO).
 *
 * Paths are relative to the domain's home (/local/domain/<domid>/)
 * unless they start with '/'. Calls return -errno: xenstored's own
 * errors (-ENOENT, -EACCES, -EAGAIN, ...), -ENODEV without xenstore,
 * -EIO for a malformed reply, -ETIMEDOUT after XS_TIMEOUT_NS without
 * one (a late reply is then dropped). Kernel context.
 */
typedef uint32_t xs_tx; /* a transaction, or XS_NOTX */
#define XS_NOTX	      0
#define XS_TIMEOUT_NS (30 * 1000000000ULL)
struct xs_transport {
	/* All of buf to xenstored, waiting for room if need be: 0 or
	 * -errno (then the stream is lost). */
	int (*send)(const void *buf, size_t len);
	/* A whole request is sent: tell xenstored (once a request, not
	 * once a send: each kick wakes dom0). */
	void (*kick)(void);
	/* What xenstored has sent, up to len bytes; never waits. The bytes
	 * copied (0: none yet), or -errno (a corrupt ring). */
	long (*recv)(void *buf, size_t len);
	/* Wait once, bounded, for news from xenstored; q is what xs_rx
	 * wakes. The caller looks again whatever woke it. */
	void (*wait)(struct waitq *q);
};
extern const struct xs_transport *xs_tr;
void xs_attach(const struct xs_transport *tr); /* start afresh on tr */
void xs_rx(void); /* route what xenstored has sent; any context */
int xs_request(xs_tx tx, uint32_t type, const char *const *parts, int nparts,
	       char *buf, size_t room);
/* The value's whole length; buf gets it NUL-terminated, cut to room - 1
 * bytes (room may be 0). */
int xs_read(xs_tx tx, const char *path, char *buf, size_t room);
/* A decimal value in [0, max]: -EINVAL if it is anything else. */
int xs_read_uint(xs_tx tx, const char *path, unsigned long max,
		 unsigned long *out);
int xs_write(xs_tx tx, const char *path, const char *value);
int xs_printf(xs_tx tx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xs_rm(xs_tx tx, const char *path);
/* The names under path, each NUL-terminated, in buf; returns how many.
 * -ERANGE if they do not fit (XENSTORE_PAYLOAD_MAX bytes always do). */
int xs_directory(xs_tx tx, const char *path, char *buf, size_t room);
int xs_transaction_start(xs_tx *tx);
/* Commit (or abort) tx. -EAGAIN: another change got in first; nothing
 * of tx was applied: run the whole transaction again. */
int xs_transaction_end(xs_tx tx, bool commit);
/* fn(tx, arg) in a transaction, committed; run again from the start
 * while the commit says -EAGAIN (XS_TX_TRIES times at most). fn's own
 * error aborts the transaction and is returned. */
#define XS_TX_TRIES 16
int xs_transact(int (*fn)(xs_tx tx, void *arg), void *arg);
bool xs_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* What the watches share with the protocol (xs_watch.c). */
struct irq_lock;
extern struct irq_lock xs_lock;
extern bool xs_broken;

/*
 * xs_watch.c: watches. A watch's events (the paths that changed, as
 * xenstored reports them) queue in the watch until its owner takes
 * them, so none is lost while nobody looks, or between two replies.
 * Routing never waits and never calls out: there is no callback, the
 * owner runs whatever the event means in its own thread. An event for
 * a path already queued adds nothing and is merged; more than
 * XS_WATCH_QUEUE_MAX distinct paths become one event for the watch's
 * own path ("look at everything under it").
 */
#define XS_WATCH_QUEUE_MAX 64
#define XS_WATCH_PATH_MAX  2047
struct xs_event;
struct xs_watch {
	char *path; /* as registered */
	char token[24];
	struct xs_event *head, *tail;
	unsigned nevents;
	bool overflow;	 /* events were merged into one for path itself */
	struct waitq wq; /* its owner waits here for events */
	struct xs_watch *next;
};
int xs_watch_add(struct xs_watch *w, const char *path);
int xs_watch_remove(struct xs_watch *w);
/* The next event's path (copied like xs_read: its whole length), after
 * waiting until the monotonic deadline (0: for ever; a deadline already
 * past: not at all). -ETIMEDOUT: none came; -EIO: xenstore broke. buf
 * may be NULL with room 0. */
#define XS_NOWAIT 1 /* a deadline always past */
int xs_watch_next(struct xs_watch *w, char *buf, size_t room,
		  uint64_t deadline);
void xs_watch_route(const char *payload, size_t len); /* for xs.c */
void xs_watch_wake_all(void);			      /* for xs.c */
void xs_watch_reset(void);			      /* for xs.c */

/*
 * xenbus.c: the frontend half of a PV device's handshake, which
 * netfront and blkfront share (Linux: xenbus_client.c, and netfront's
 * talk_to_netback and netback_changed). The frontend is
 * device/<type>/<id> under our home; its backend is the directory that
 * device/<type>/<id>/backend names, in domain backend-id. The states
 * (xen/io/xenbus.h): ours go Initialising -> Initialised (the rings
 * published) -> Connected, and Closing -> Closed; the backend's are
 * followed by a watch on <backend>/state and acted on by one switch.
 *
 * Errors: every call returns -errno. A failure the device cannot get
 * past is reported as Linux's xenbus_dev_fatal does: a console line,
 * "<errno> <what>" written to error/<nodename>/error, the device off
 * (Closing, then Closed; every later call says -ENODEV); the program
 * carries on. Kernel context; one thread drives a device at a time.
 */
#define XENBUS_PATH_MAX	  128
#define XENBUS_TIMEOUT_NS (10 * 1000000000ULL)
struct xenbus_dev;
struct xenbus_ops {
	/* Write what the backend needs (ring refs, event channels,
	 * features) under d->nodename in transaction tx, with
	 * xenbus_printf. It may run again (the transaction retried after
	 * -EAGAIN): it must only write, never allocate anew. */
	int (*publish)(struct xenbus_dev *d, xs_tx tx);
	/* The backend is Connected: read what it published, start the
	 * rings. An error is fatal. */
	int (*connect)(struct xenbus_dev *d);
	/* The device goes off (the backend closed it, or a fatal error):
	 * stop using the rings. Grants the backend still maps cannot be
	 * revoked yet (gnttab_revoke says -EBUSY): keep those pages. May
	 * be NULL. */
	void (*disconnect)(struct xenbus_dev *d);
	/* Who connects first. blkback waits for our Initialised, connects,
	 * and then we go Connected (false). Linux's netback connects only
	 * once the frontend says Connected, which netfront does as soon as
	 * its rings are published (true): publishing then writes Connected
	 * instead of Initialised, and connect runs when the backend follows. */
	bool connect_first;
};
struct xenbus_dev {
	char nodename[XENBUS_PATH_MAX]; /* device/<type>/<id> */
	char otherend[XENBUS_PATH_MAX]; /* the backend's directory */
	domid_t otherend_id;
	enum xenbus_state state;	  /* ours, as last written */
	enum xenbus_state otherend_state; /* the backend's, as last read */
	bool off; /* closed or failed: nothing more will happen */
	bool up;  /* the driver's connect op has run */
	const struct xenbus_ops *ops;
	void *priv;	       /* the driver's */
	struct xs_watch watch; /* on <otherend>/state */
};
/* The ids under device/<type>/, up to max of them; how many. */
int xenbus_devices(const char *type, unsigned *ids, int max);
/* Which of types[0..ntypes) device/ lists, bit i for types[i], in one
 * round trip (where asking each type's devices is one each); every bit
 * when the listing fails, so that each type's own listing decides. */
unsigned xenbus_types(const char *const *types, unsigned ntypes);
/* Find device/<type>/<id> and read its backend's path and domain.
 * -ENOENT: no such device (nothing reported). */
int xenbus_dev_init(struct xenbus_dev *d, const char *type, unsigned id,
		    const struct xenbus_ops *ops, void *priv);
/* The whole handshake, until both ends are Connected (0), the backend
 * closed the device (-ENODEV), or timeout_ns passed (-ETIMEDOUT,
 * fatal). */
int xenbus_dev_connect(struct xenbus_dev *d, uint64_t timeout_ns);
/* Once connected: act on what the backend did since (never waits). 0
 * while connected, -ENODEV once the device is off. */
int xenbus_dev_poll(struct xenbus_dev *d);
/* A kernel thread's body (kthread_start(xenbus_dev_follow, d)): the
 * backend's state followed after the handshake, each change acted on
 * (xenbus_dev_poll) until the device is off; then it sleeps for ever. */
void xenbus_dev_follow(void *d);
/* Our own close: Closing, the backend's answer (or timeout_ns), then
 * disconnect and Closed. */
int xenbus_dev_close(struct xenbus_dev *d, uint64_t timeout_ns);
int xenbus_switch_state(struct xenbus_dev *d, xs_tx tx, enum xenbus_state s);
/* <nodename>/<node> = the formatted value, in tx. */
int xenbus_printf(struct xenbus_dev *d, xs_tx tx, const char *node,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* <otherend>/<node> as a number in [0, max]. */
int xenbus_read_otherend(struct xenbus_dev *d, const char *node,
			 unsigned long max, unsigned long *out);
void xenbus_dev_fatal(struct xenbus_dev *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *xenbus_strstate(enum xenbus_state s);

/* xs_ring.c: the store page and its event channel, the transport the
 * guest uses; the exit status out through xenstore */
extern uint64_t xs_pfn;
extern evtchn_port_t xs_port;
int xs_init(void);
void xs_banner(void);
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
	/* The rx buffer posted in each ring slot: an extra-info response
	 * overlays its slot's id (xen/io/netif.h), so slots name buffers. */
	uint16_t rx_slot[NF_RX_RING_SIZE];
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
		  int nfrag, unsigned flags);
void netfront_poll(struct netdev *d);
void netfront_event(evtchn_port_t port, void *data);

/* netfront_xs.c: the handshake; every device/vif/<id> registered as a
 * netdev once connected */
void netfront_probe(void);

/* blkfront.c: the data path of a PV block device (the handshake is
 * blkfront_xs.c's). Requests of up to BLKIF_MAX_SEGMENTS_PER_REQUEST
 * pages in the ring entry itself, or, where the backend offers
 * feature-max-indirect-segments, up to BLK_IND_SEGS pages listed in an
 * indirect page (one per request id, granted once); as many in flight
 * as the ring and the page pool allow; the pages are granted once and
 * reused. Sector numbers on the ring are in 512-byte units, as Linux's
 * blkback counts them. */
#define BLK_RING_SIZE  __CONST_RING_SIZE(blkif, 4096)
#define BLK_SEGS       BLKIF_MAX_SEGMENTS_PER_REQUEST
#define BLK_IND_SEGS   32  /* an indirect request: 128 KiB, as Linux's */
#define BLK_PAGES      128 /* the granted pool: 512 KiB, 4 such requests */
#define BLK_TIMEOUT_NS (30 * 1000000000ULL)
struct blkfront_req {
	uint8_t op; /* READ, WRITE, a flush: also for an indirect one */
	bool busy;  /* posted, its id taken */
	bool done;  /* answered (or failed with the device) */
	int status;
	unsigned nseg;
	uint16_t page[BLK_IND_SEGS]; /* indices into the pool */
};
struct blkfront {
	struct blkdev dev; /* priv is this blkfront */
	blkif_front_ring_t ring;
	uint16_t handle; /* the virtual-device number */
	bool flush_cache, barrier;
	unsigned max_segs; /* a request's pages: BLK_SEGS, or indirect */
	struct blkfront_req req[BLK_RING_SIZE];
	uint16_t free_id[BLK_RING_SIZE];
	unsigned nfree_id;
	void *page[BLK_PAGES];
	grant_ref_t gref[BLK_PAGES];
	uint16_t free_page[BLK_PAGES];
	unsigned nfree_page;
	void *ind[BLK_RING_SIZE]; /* request id i's indirect page */
	grant_ref_t ind_gref[BLK_RING_SIZE];
	struct waitq wq; /* waiters for answers, ids and pages */
	bool connected, broken;
	uint64_t reads, writes, flushes, errors, indirect;
	/* Set up by the handshake: kick the backend's event channel;
	 * report a misbehaving backend (xenstore's error/, state). */
	void (*notify)(struct blkfront *b);
	void (*fail)(struct blkfront *b, const char *why);
	void *xs; /* the handshake's */
};
extern const struct blkdev_ops blkfront_ops;
/* The ring on ring_page, the pool's pages, the indirect pages and their
 * grants already in b; requests of BLK_SEGS until blkfront_set_indirect. */
void blkfront_rings_init(struct blkfront *b, void *ring_page);
/* The backend's feature-max-indirect-segments (0: absent): requests of
 * up to that many pages (at most BLK_IND_SEGS) if it is more than a
 * ring entry holds. */
void blkfront_set_indirect(struct blkfront *b, unsigned long max);
/* Take the answers there are; any context. True if it took one (or the
 * device broke): a waiter looks again before it sleeps. */
bool blkfront_poll(struct blkfront *b);
void blkfront_event(evtchn_port_t port, void *data);

/* blkfront_xs.c: the handshake; every device/vbd/<id> registered as a
 * blkdev once connected */
void blkfront_probe(void);

/* control.c: shutdown requests from the toolstack (control/shutdown) as
 * SIGTERM for the program; atman.stop_timeout its grace period */
const char *control_configure(const struct cmdline *c); /* NULL: fine */
int control_start(void); /* in the first thread, before main */

#endif
