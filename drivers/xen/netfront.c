/*
 * netfront's data path: the tx and rx rings shared with netback, as
 * Linux's netback expects them (xen/io/netif.h): request-rx-copy (netback
 * copies each received frame into pages we granted), one slot per frame
 * sent, one or more per packet received (feature-sg, and GSO: netback
 * hands over a TCP sender's segments joined, up to 64 KiB), checksum
 * offload both ways (see netfront_xs.c). The handshake that sets the
 * rings up is in netfront_xs.c.
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
		nf->rx_slot[nf->rx.req_prod_pvt % NF_RX_RING_SIZE] =
			(uint16_t)i;
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

/*
 * A received packet: its first response, then extra-info slots while
 * the one before says so (NETRXF_extra_info, then XEN_NETIF_EXTRA_FLAG_
 * MORE), then a data slot for every NETRXF_more_data (feature-sg; GSO
 * joins a TCP sender's segments into one packet of up to 64 KiB). Each
 * slot is copied out once; the packet is taken only when all its slots
 * are there (netback publishes whole packets; a part is waited for).
 */
#define RX_FRAGS_MAX  18 /* 64 KiB over pages, and a partial first one */
#define RX_EXTRAS_MAX (XEN_NETIF_EXTRA_TYPE_MAX - 1)

struct rx_pkt {
	netif_rx_response_t data[RX_FRAGS_MAX];
	netif_extra_info_t extra[RX_EXTRAS_MAX];
	int ndata, nextra;
	unsigned slots;	 /* every slot it took, data and extras */
	unsigned xslots; /* of which extras (nextra, unless too many) */
	bool too_long;	 /* more data slots than a packet can have */
};

/* Collect the packet at cons; 0 if it is not all there yet, else the
 * slots it takes. */
static unsigned rx_collect(struct netfront *nf, RING_IDX cons, RING_IDX prod,
			   struct rx_pkt *pk)
{
	RING_IDX i = cons;
	netif_rx_response_t rsp;
	RING_COPY_RESPONSE(&nf->rx, i, &rsp);
	i++;
	pk->ndata = pk->nextra = 0;
	pk->xslots = 0;
	pk->too_long = false;
	pk->data[pk->ndata++] = rsp;
	bool extra = rsp.flags & NETRXF_extra_info,
	     more = rsp.flags & NETRXF_more_data;
	while (extra) {
		if (i == prod)
			return 0;
		netif_rx_response_t raw;
		netif_extra_info_t x;
		_Static_assert(sizeof(x) == sizeof(raw),
			       "an extra fills a slot");
		RING_COPY_RESPONSE(&nf->rx, i, &raw);
		memcpy(&x, &raw, sizeof(x));
		i++;
		pk->xslots++;
		if (pk->nextra == RX_EXTRAS_MAX)
			pk->too_long = true;
		else
			pk->extra[pk->nextra++] = x;
		extra = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
	}
	while (more) {
		if (i == prod)
			return 0;
		RING_COPY_RESPONSE(&nf->rx, i, &rsp);
		i++;
		if (pk->ndata == RX_FRAGS_MAX)
			pk->too_long = true;
		else
			pk->data[pk->ndata++] = rsp;
		more = rsp.flags & NETRXF_more_data;
	}
	pk->slots = i - cons;
	return pk->slots;
}

/* The buffers of a collected packet's slots are ours again (a data
 * response must name the buffer its slot had); false if the device
 * broke. */
static bool rx_release(struct netfront *nf, RING_IDX cons,
		       const struct rx_pkt *pk)
{
	int d = 0;
	for (unsigned k = 0; k < pk->slots; k++) {
		uint16_t id = nf->rx_slot[(cons + k) % NF_RX_RING_SIZE];
		struct netfront_buf *b = &nf->rx_buf[id];
		if (!b->busy) {
			nf_broken(nf, "rx response for no request");
			return false;
		}
		b->busy = false; /* whatever it holds, the buffer is ours */
		/* Slot 0 is data; extras come next, then the rest of it. */
		bool is_data = k == 0 || k > pk->xslots;
		if (is_data && d < pk->ndata && pk->data[d++].id != id) {
			nf_broken(nf, "rx response for no request");
			return false;
		}
	}
	return true;
}

/* Hand a packet to the stack, or drop it; false if the device broke. */
static bool rx_deliver(struct netfront *nf, const struct rx_pkt *pk)
{
	if (pk->too_long) { /* its slots are not all in pk: not looked at */
		nf->rx_dropped++;
		return true;
	}
	const void *frag[RX_FRAGS_MAX];
	size_t len[RX_FRAGS_MAX], total = 0;
	if (pk->data[0].flags & NETRXF_gso_prefix) {
		nf_broken(nf, "rx flags never negotiated");
		return false;
	}
	for (int k = 0; k < pk->ndata; k++) {
		const netif_rx_response_t *r = &pk->data[k];
		if (r->status < 0) {
			nf->rx_errors++;
			return true;
		}
		if ((size_t)r->offset + (size_t)r->status > KPAGE_SIZE) {
			nf_broken(nf, "rx frame past its page");
			return false;
		}
		frag[k] = (char *)nf->rx_buf[r->id].page + r->offset;
		len[k] = (size_t)r->status;
		total += len[k];
	}
	/* An extra we cannot use (only GSO of TCP over IPv4 is asked
	 * for): the packet is dropped, as Linux's netfront drops it. */
	bool bad_extra = false;
	for (int k = 0; k < pk->nextra; k++) {
		const netif_extra_info_t *x = &pk->extra[k];
		if (x->type != XEN_NETIF_EXTRA_TYPE_GSO ||
		    x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 || !x->u.gso.size)
			bad_extra = true;
	}
	/* A runt, a giant or a packet we cannot take whole: dropped. */
	size_t max = pk->nextra ? NETDEV_RX_MAX : NETDEV_FRAME_MAX;
	if (bad_extra || total < 14 || total > max) {
		nf->rx_dropped++;
		return true;
	}
	nf->rx_frames++;
	/* Validated by the backend, or blank because the sender was a
	 * domain on this host (the frame never crossed a wire). */
	unsigned f =
		pk->data[0].flags & (NETRXF_data_validated | NETRXF_csum_blank)
			? NETDEV_RX_CSUM_OK
			: 0;
	if (nf->dev.rx)
		nf->dev.rx(&nf->dev, frag, len, pk->ndata, f);
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
		bool partial = false;
		while (cons != prod && budget) {
			static struct rx_pkt pk; /* the net thread's alone */
			unsigned n = rx_collect(nf, cons, prod, &pk);
			if (!n) {
				partial = true;
				break;
			}
			if (!rx_release(nf, cons, &pk))
				return;
			cons += n;
			nf->rx.rsp_cons = cons;
			budget--;
			if (!rx_deliver(nf, &pk))
				return;
		}
		rx_refill(nf);
		if (!budget)
			break;
		if (partial) {
			/* The rest of a packet: be told when more than what
			 * we saw is there (the response event after prod),
			 * and look once more, in case it came meanwhile. */
			nf->rx.sring->rsp_event = prod + 1;
			xen_mb(); /* the event index before the re-read */
			more = nf->rx.sring->rsp_prod != prod;
			continue;
		}
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
