/*
 * netfront's handshake with netback, on xenbus (xenbus.c), as Linux's
 * netfront does it in talk_to_netback: the rings, their grants and the
 * event channel set up first, then published with the features in one
 * transaction; on Connected the rx ring is filled and the event channel
 * unmasked. Afterwards a kernel thread follows the backend's state, so
 * that a backend going away (Closing) takes the interface down and
 * sockets get ENETDOWN, not a hang.
 *
 * Features we write: request-rx-copy=1 (netback refuses without it),
 * feature-rx-notify=1 (without it netback polls our ring every 30 ms),
 * feature-no-csum-offload=0, feature-sg=1 and feature-gso-tcpv4=1 (we
 * take a packet in several slots, and a TCP sender's segments joined:
 * netfront.c). Checksums are offloaded both
 * ways, as Linux's netfront does: netback may hand us frames of other
 * domains with NETRXF_csum_blank (their checksum never computed: they
 * crossed no wire) or NETRXF_data_validated, which the stack takes
 * without a check; we send TCP and UDP with NETTXF_csum_blank, their
 * checksum fields holding the pseudo-header's sum (net/netif.c), and
 * dom0 (or the receiving domain) finishes them only if it must. Every
 * netback takes csum_blank requests; no backend key says so. Under
 * emulation a 1,460-byte checksum is microseconds, paid twice a frame
 * (docs/architecture.md, "The network").
 */
#include <errno.h>
#include <sys/mman.h>

#include "xendrv.h"
#include "kern/kern.h"

#define NETFRONT_MAX	    4
#define NETFRONT_TIMEOUT_NS (10 * 1000000000ULL)
#define TX_BUFS_PER_PAGE    2 /* a frame is at most 1514 bytes */

struct nfx {
	struct netfront nf;
	struct xenbus_dev xb;
	void *tx_ring, *rx_ring;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	evtchn_port_t port;
};

static void nfx_notify(struct netfront *nf)
{
	evtchn_notify(((struct nfx *)nf->xs)->port);
}

static void nfx_fail(struct netfront *nf, const char *why)
{
	struct nfx *x = nf->xs;
	xenbus_dev_fatal(&x->xb, -EPROTO, "%s", why);
}

static int nfx_publish(struct xenbus_dev *d, xs_tx tx)
{
	struct nfx *x = d->priv;
	int r;
	if ((r = xenbus_printf(d, tx, "tx-ring-ref", "%u", x->tx_ring_ref)) ||
	    (r = xenbus_printf(d, tx, "rx-ring-ref", "%u", x->rx_ring_ref)) ||
	    (r = xenbus_printf(d, tx, "event-channel", "%u", x->port)) ||
	    (r = xenbus_printf(d, tx, "request-rx-copy", "1")) ||
	    (r = xenbus_printf(d, tx, "feature-rx-notify", "1")) ||
	    (r = xenbus_printf(d, tx, "feature-no-csum-offload", "0")) ||
	    (r = xenbus_printf(d, tx, "feature-sg", "1")) ||
	    (r = xenbus_printf(d, tx, "feature-gso-tcpv4", "1")))
		return r;
	return 0;
}

static int nfx_connect(struct xenbus_dev *d)
{
	struct nfx *x = d->priv;
	unsigned long copy = 0;
	/* Only copying receivers are left in netback; one that says
	 * otherwise is not one we can talk to. */
	if (xenbus_read_otherend(d, "feature-rx-copy", 1, &copy) || !copy)
		return -EPROTONOSUPPORT;
	netfront_start(&x->nf);
	evtchn_unmask(x->port);
	return 0;
}

static void nfx_disconnect(struct xenbus_dev *d)
{
	struct nfx *x = d->priv;
	x->nf.connected = false;
	if (x->nf.dev.down)
		x->nf.dev.down(&x->nf.dev);
}

static const struct xenbus_ops nfx_ops = {
	.connect_first = true,
	.publish = nfx_publish,
	.connect = nfx_connect,
	.disconnect = nfx_disconnect,
};

/* "00:16:3e:12:34:56" from the toolstack's mac node. */
static int read_mac(struct nfx *x)
{
	char path[XENBUS_PATH_MAX + 8], s[32];
	ksnprintf(path, sizeof(path), "%s/mac", x->xb.nodename);
	int r = xs_read(XS_NOTX, path, s, sizeof(s));
	if (r < 0)
		return r;
	const char *p = s;
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, p++) {
			char c = *p;
			int h = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (h < 0)
				return -EINVAL;
			v = v * 16 + h;
		}
		if (*p != (i < 5 ? ':' : 0))
			return -EINVAL;
		p++;
		x->nf.dev.mac[i] = (uint8_t)v;
	}
	return 0;
}

/* The rings, the buffers, their grants, the event channel. */
static int nfx_setup(struct nfx *x)
{
	domid_t be = x->xb.otherend_id;
	int r;
	x->tx_ring = (void *)page_alloc();
	x->rx_ring = (void *)page_alloc();
	if (!x->tx_ring || !x->rx_ring)
		return -ENOMEM;
	if ((r = gnttab_grant_page(be, x->tx_ring, false, &x->tx_ring_ref)) ||
	    (r = gnttab_grant_page(be, x->rx_ring, false, &x->rx_ring_ref)))
		return r;
	netfront_rings_init(&x->nf, x->tx_ring, x->rx_ring);
	for (unsigned i = 0; i < NF_RX_RING_SIZE; i++) {
		struct netfront_buf *b = &x->nf.rx_buf[i];
		b->page = (void *)page_alloc();
		if (!b->page)
			return -ENOMEM;
		if ((r = gnttab_grant_page(be, b->page, false, &b->gref)))
			return r;
	}
	for (unsigned i = 0; i < NF_TX_RING_SIZE; i += TX_BUFS_PER_PAGE) {
		char *page = (char *)page_alloc();
		grant_ref_t ref;
		if (!page)
			return -ENOMEM;
		if ((r = gnttab_grant_page(be, page, true, &ref)))
			return r;
		for (unsigned k = 0; k < TX_BUFS_PER_PAGE; k++) {
			x->nf.tx_buf[i + k].page =
				page + k * (KPAGE_SIZE / TX_BUFS_PER_PAGE);
			x->nf.tx_buf[i + k].gref = ref;
		}
	}
	return evtchn_alloc(be, netfront_event, &x->nf, &x->port);
}

static struct nfx *nfx_new(void)
{
	size_t len = ALIGN_UP(sizeof(struct nfx), KPAGE_SIZE);
	long a = vm_mmap(0, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	return a < 0 ? NULL : (struct nfx *)a; /* zeroed */
}

/* Every device/vif/<id>: handshake, then registered as a netdev. A
 * device that fails is reported (xenbus_dev_fatal) and left out. */
void netfront_probe(void)
{
	unsigned ids[NETFRONT_MAX];
	int n = xenbus_devices("vif", ids, NETFRONT_MAX);
	for (int i = 0; i < n; i++) {
		struct nfx *x = nfx_new();
		if (!x) {
			printk("atman: netfront: out of memory\n");
			return;
		}
		struct netfront *nf = &x->nf;
		nf->xs = x;
		nf->notify = nfx_notify;
		nf->fail = nfx_fail;
		nf->dev.priv = nf;
		nf->dev.ops = &netfront_ops;
		nf->dev.mtu = 1500;
		nf->dev.features = NETDEV_F_TX_CSUM;
		ksnprintf(nf->dev.name, sizeof(nf->dev.name), "vif%u", ids[i]);
		int r = xenbus_dev_init(&x->xb, "vif", ids[i], &nfx_ops, x);
		if (r)
			continue; /* reported, or not there after all */
		if ((r = read_mac(x))) {
			xenbus_dev_fatal(&x->xb, r, "reading mac");
			continue;
		}
		if ((r = nfx_setup(x))) {
			xenbus_dev_fatal(&x->xb, r, "setting up the rings");
			continue;
		}
		if (xenbus_dev_connect(&x->xb, NETFRONT_TIMEOUT_NS))
			continue; /* reported */
		if (!kthread_start(xenbus_dev_follow, &x->xb))
			printk("atman: netfront: %s: no thread to follow the "
			       "backend\n",
			       nf->dev.name);
		netdev_register(&nf->dev);
	}
}
