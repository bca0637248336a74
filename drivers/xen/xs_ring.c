/*
 * The store ring, xenstore's transport in the guest: one page shared
 * with xenstored holding a request ring and a reply ring (1 KiB each,
 * free-running indices), and an event channel each side kicks after
 * moving an index. xenstored is another domain: an index it writes is
 * checked (ring_used) before it is used.
 */
#include <errno.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "xendrv.h"
#include "arch.h"
#include "kern/kern.h"

uint64_t xs_pfn;
evtchn_port_t xs_port;
static struct xenstore_domain_interface *ring;
static struct waitq room_wq; /* senders waiting for room in req[] */

/* News from xenstored: maybe room in req[], maybe replies to route. */
static void xs_event(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	wake_all(&room_wq);
	xs_rx();
}

/* All of buf, waiting for room (kicking xenstored to make some); a
 * xenstored that takes nothing for XS_TIMEOUT_NS costs the stream
 * (-ETIMEDOUT), not a hang. The kick for the bytes is ring_kick's. */
static int ring_send(const void *buf, size_t len)
{
	const char *p = buf;
	uint64_t deadline = now_ns() + XS_TIMEOUT_NS;
	while (len) {
		/* Read req_cons before we reuse the space it frees. */
		XENSTORE_RING_IDX cons =
			__atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX prod = ring->req_prod;
		uint32_t used = ring_used(prod, cons, XENSTORE_RING_SIZE);
		if (used == RING_CORRUPT)
			return -EIO;
		size_t space = XENSTORE_RING_SIZE - used;
		if (!space) {
			evtchn_notify(xs_port);
			while (__atomic_load_n(&ring->req_cons,
					       __ATOMIC_ACQUIRE) == cons) {
				if (now_ns() >= deadline)
					return -ETIMEDOUT;
				evtchn_wait(xs_port, &room_wq);
			}
			continue;
		}
		size_t n = MIN(space, len);
		for (size_t i = 0; i < n; i++)
			ring->req[MASK_XENSTORE_IDX(prod++)] = *p++;
		/* The bytes before the index that publishes them. */
		__atomic_store_n(&ring->req_prod, prod, __ATOMIC_RELEASE);
		len -= n;
	}
	return 0;
}

static void ring_kick(void)
{
	evtchn_notify(xs_port);
}

static long ring_recv(void *buf, size_t len)
{
	char *p = buf;
	/* rsp_prod before the bytes it publishes. */
	XENSTORE_RING_IDX prod =
		__atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX cons = ring->rsp_cons;
	uint32_t used = ring_used(prod, cons, XENSTORE_RING_SIZE);
	if (used == RING_CORRUPT)
		return -EIO;
	size_t n = MIN(used, len);
	for (size_t i = 0; i < n; i++)
		*p++ = ring->rsp[MASK_XENSTORE_IDX(cons++)];
	if (n) {
		/* Done reading before we give the space back. */
		__atomic_store_n(&ring->rsp_cons, cons, __ATOMIC_RELEASE);
		/* xenstored waits for room only in a full ring: kick it then
		 * only (as Linux's xenbus does). Any other kick wakes dom0
		 * for nothing, and on the box's one CPU we wait for it. If
		 * it fills the ring after our read, it kicks us, and we see
		 * the ring full at the next read. */
		if (used == XENSTORE_RING_SIZE)
			evtchn_notify(xs_port);
	}
	return (long)n;
}

static void ring_wait(struct waitq *q)
{
	evtchn_wait(xs_port, q);
}

static const struct xs_transport ring_transport = {
	.send = ring_send,
	.kick = ring_kick,
	.recv = ring_recv,
	.wait = ring_wait,
};

int xs_init(void)
{
	uint64_t pfn = xen_rings.store_pfn;
	evtchn_port_t port = xen_rings.store_port;
	if (!pfn)
		return -ENODEV;
	if (paging_map_phys(pfn << PAGE_SHIFT, PAGE_SIZE, PTE_W | paging_nx()))
		return -ENOMEM;
	xs_pfn = pfn;
	xs_port = port;
	ring = (struct xenstore_domain_interface *)(pfn << PAGE_SHIFT);
	xs_attach(&ring_transport);
	evtchn_bind(xs_port, xs_event, NULL);
	evtchn_unmask(xs_port);
	return 0;
}

void xs_banner(void)
{
	printk("  store: pfn %#lx evtchn %u\n", xs_pfn, xs_port);
}

void xs_exit_report(int status)
{
	char s[12];
	ksnprintf(s, sizeof(s), "%d", status);
	xs_write(XS_NOTX, "data/exit-status", s);
}
