/*
 * netfront's data path: the tx and rx rings shared with netback, as
 * Linux's netback expects them (xen/io/netif.h): request-rx-copy (netback
 * copies each received frame into a page we granted), one slot per frame
 * both ways (no feature-sg: a frame fits a page), checksum offload both
 * ways (see netfront_xs.c). The handshake that sets the rings up is in
 * netfront_xs.c.
 *
 * Buffers are pages granted once, for the device's life: NF_RX_RING_SIZE
 * writable ones for netback to copy into, NF_TX_RING_SIZE read-only ones
 * we copy frames into. A slot's id names its buffer.
 *
 * The backend is another domain and untrusted. Every response is copied
 * out of the shared ring before it is looked at (the backend may change
 * the ring under us), and checked: the producer index must stay within a
 * ring's worth of our consumer, an id must name a buffer we posted and
 * not yet got back, a size must fit the page from the offset. A backend
 * that breaks a rule is misbehaving: the device goes off (netfront_fail:
 * a console line, error/ in xenstore, the interface down, sockets get
 * ENETDOWN); the guest carries on. A frame that is merely unusable (an
 * error status, longer than an Ethernet frame, flags we never asked for)
 * is dropped and counted.
 *
 * Interrupt mitigation is the rings' own: after draining, the consumer
 * sets rsp_event one past what it consumed and looks at rsp_prod once
 * more (RING_FINAL_CHECK_FOR_RESPONSES), so the backend notifies only
 * for responses we have not seen, and none slips between our last look
 * and the notification we asked for. The event handler only kicks the
 * net thread, which drains.
 */
#include <errno.h>

#include "xendrv.h"
#include "kern/kern.h"

#define RX_BUDGET 64 /* frames per poll before letting others run */

/* Stop using the device for good; why goes to the console. */
static void nf_broken(struct netfront *nf, const char *why)
{
	if (nf->broken)
		return;
	nf->broken = true;
	printk("atman: netfront: %s: the backend misbehaved (%s): device "
	       "off\n",
	       nf->dev.name, why);
	if (nf->fail)
		nf->fail(nf, why);
	if (nf->dev.down)
		nf->dev.down(&nf->dev);
}

void netfront_rings_init(struct netfront *nf, void *tx_page, void *rx_page)
{
	netif_tx_sring_t *txs = tx_page;
	netif_rx_sring_t *rxs = rx_page;
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&nf->tx, txs, KPAGE_SIZE);
	FRONT_RING_INIT(&nf->rx, rxs, KPAGE_SIZE);
	nf->ntx_free = 0;
	for (unsigned i = 0; i < NF_TX_RING_SIZE; i++) {
		nf->tx_buf[i].busy = false;
		nf->tx_free[nf->ntx_free++] = (uint16_t)i;
	}
	for (unsigned i = 0; i < NF_RX_RING_SIZE; i++)
		nf->rx_buf[i].busy = false;
}

/* Post every rx buffer the backend does not hold. */
static void rx_refill(struct netfront *nf)
{
	bool any = false;
	for (unsigned i = 0; i < NF_RX_RING_SIZE; i++) {
		if (nf->rx_buf[i].busy)
			continue;
		if (RING_FULL(&nf->rx))
			break;
		netif_rx_request_t *req =
			RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);
		req->id = (uint16_t)i;
		req->gref = nf->rx_buf[i].gref;
		nf->rx.req_prod_pvt++;
		nf->rx_buf[i].busy = true;
		any = true;
	}
	if (!any)
		return;
	int notify;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify && nf->notify)
		nf->notify(nf);
}

void netfront_start(struct netfront *nf)
{
	rx_refill(nf);
	nf->connected = true;
}

/* Responses between cons and prod, or false if prod is out of range. */
static bool ring_prod(struct netfront *nf, RING_IDX prod, RING_IDX cons,
		      unsigned size, const char *which)
{
	if (prod - cons > size) {
		nf_broken(nf, which);
		return false;
	}
	return true;
}

/* Take back the tx buffers netback is done with. */
static void tx_gc(struct netfront *nf)
{
	for (;;) {
		RING_IDX prod = nf->tx.sring->rsp_prod;
		/* The responses before the index that says they are there. */
		xen_rmb();
		RING_IDX cons = nf->tx.rsp_cons;
		if (!ring_prod(nf, prod, cons, NF_TX_RING_SIZE,
			       "tx producer index out of range"))
			return;
		for (; cons != prod; cons++) {
			netif_tx_response_t rsp;
			RING_COPY_RESPONSE(&nf->tx, cons, &rsp);
			if (rsp.status == NETIF_RSP_NULL)
				continue; /* the slot of an extra: none sent */
			if (rsp.id >= NF_TX_RING_SIZE ||
			    !nf->tx_buf[rsp.id].busy) {
				nf->tx.rsp_cons = cons + 1;
				nf_broken(nf, "tx response for no request");
				return;
			}
			if (rsp.status != NETIF_RSP_OKAY)
				nf->tx_errors++;
			nf->tx_buf[rsp.id].busy = false;
			nf->tx_free[nf->ntx_free++] = rsp.id;
		}
		nf->tx.rsp_cons = cons;
		int more;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
		if (!more)
			return;
	}
}

int netfront_xmit(struct netdev *d, const void *const *frag, const size_t *len,
		  int nfrag, unsigned flags)
{
	struct netfront *nf = d->priv;
	if (nf->broken || !nf->connected)
		return -ENETDOWN;
	size_t total = 0;
	for (int i = 0; i < nfrag; i++)
		total += len[i];
	if (total > NETDEV_FRAME_MAX)
		return -EINVAL;
	if (!nf->ntx_free || RING_FULL(&nf->tx))
		tx_gc(nf);
	if (nf->broken)
		return -ENETDOWN;
	if (!nf->ntx_free || RING_FULL(&nf->tx)) {
		nf->tx_dropped++;
		return -EAGAIN;
	}
	uint16_t id = nf->tx_free[--nf->ntx_free];
	struct netfront_buf *b = &nf->tx_buf[id];
	char *p = b->page;
	for (int i = 0; i < nfrag; i++) {
		memcpy(p, frag[i], len[i]);
		p += len[i];
	}
	b->busy = true;
	netif_tx_request_t *req =
		RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
	req->gref = b->gref;
	/* Buffers may share a page (netfront_xs.c puts two in one). */
	req->offset = (uint16_t)((uintptr_t)b->page & (KPAGE_SIZE - 1));
	/* A partial checksum: netback (or the receiving domain) finishes
	 * it; data_validated says the data itself is sound. */
	req->flags = (flags & NETDEV_TX_CSUM_PARTIAL)
			     ? NETTXF_csum_blank | NETTXF_data_validated
			     : 0;
	req->id = id;
	req->size = (uint16_t)total;
	nf->tx.req_prod_pvt++;
	nf->tx_frames++;
	int notify;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify && nf->notify)
		nf->notify(nf);
	return 0;
}

/* One rx response, copied out already; false if the device broke. */
static bool rx_one(struct netfront *nf, const netif_rx_response_t *rsp)
{
	if (rsp->id >= NF_RX_RING_SIZE || !nf->rx_buf[rsp->id].busy) {
		nf_broken(nf, "rx response for no request");
		return false;
	}
	struct netfront_buf *b = &nf->rx_buf[rsp->id];
	b->busy = false; /* whatever it holds, the buffer is ours again */
	if (rsp->status < 0) {
		nf->rx_errors++;
		return true;
	}
	if ((size_t)rsp->offset + (size_t)rsp->status > KPAGE_SIZE) {
		nf_broken(nf, "rx frame past its page");
		return false;
	}
	/* Multi-slot frames and extras come only if asked for (feature-sg,
	 * GSO), which we never do: a backend that sends them does not
	 * follow the protocol, and whatever slots follow are not ours to
	 * guess at. */
	if (rsp->flags & (NETRXF_more_data | NETRXF_extra_info)) {
		nf_broken(nf, "rx flags never negotiated");
		return false;
	}
	/* A runt or a giant is not a frame we can take: dropped. */
	if (rsp->status < 14 || rsp->status > NETDEV_FRAME_MAX) {
		nf->rx_dropped++;
		return true;
	}
	nf->rx_frames++;
	/* Validated by the backend, or blank because the sender was a
	 * domain on this host (the frame never crossed a wire). */
	unsigned f = rsp->flags & (NETRXF_data_validated | NETRXF_csum_blank)
			     ? NETDEV_RX_CSUM_OK
			     : 0;
	if (nf->dev.rx)
		nf->dev.rx(&nf->dev, (char *)b->page + rsp->offset,
			   (size_t)rsp->status, f);
	return true;
}

void netfront_poll(struct netdev *d)
{
	struct netfront *nf = d->priv;
	if (nf->broken || !nf->connected)
		return;
	tx_gc(nf);
	unsigned budget = RX_BUDGET;
	bool more = true;
	while (more && budget && !nf->broken) {
		RING_IDX prod = nf->rx.sring->rsp_prod;
		/* The responses before the index that says they are there. */
		xen_rmb();
		RING_IDX cons = nf->rx.rsp_cons;
		if (!ring_prod(nf, prod, cons, NF_RX_RING_SIZE,
			       "rx producer index out of range"))
			return;
		while (cons != prod && budget) {
			netif_rx_response_t rsp;
			RING_COPY_RESPONSE(&nf->rx, cons, &rsp);
			nf->rx.rsp_cons = ++cons;
			budget--;
			if (!rx_one(nf, &rsp))
				return;
		}
		rx_refill(nf);
		if (!budget)
			break;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
	}
	if (!budget && d->kick)
		d->kick(d); /* more to do: after whoever else waits */
}

void netfront_event(evtchn_port_t port, void *data)
{
	(void)port;
	struct netfront *nf = data;
	if (nf->dev.kick)
		nf->dev.kick(&nf->dev);
}

const struct netdev_ops netfront_ops = {
	.xmit = netfront_xmit,
	.poll = netfront_poll,
};
