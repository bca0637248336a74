/* drivers/xen/netfront.c: the data path against a fake netback that
 * writes the shared rings the way the real one does, and then the way a
 * hostile one might: ids out of range, a response for a request never
 * made, a frame past its page, the producer index jumping past the ring,
 * flags never negotiated. Good frames arrive intact; bad ones are
 * dropped or turn the device off, never crash it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "test.h"

void console_kwrite(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

static struct netfront *nf;
static void *tx_ring, *rx_ring;
static int notifies, fails, downs, kicks;
static char last_why[128];
static unsigned char got[64][2048];
static size_t got_len[64];
static int ngot;

static void fake_notify(struct netfront *n)
{
	(void)n;
	notifies++;
}
static void fake_fail(struct netfront *n, const char *why)
{
	(void)n;
	fails++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}
static void fake_down(struct netdev *d)
{
	(void)d;
	downs++;
}
static void fake_kick(struct netdev *d)
{
	(void)d;
	kicks++;
}
static unsigned got_flags[64];
static unsigned char got_big[NETDEV_RX_MAX]; /* the last frame over 2 KiB */
static void fake_rx(struct netdev *d, const void *const *frag,
		    const size_t *len, int nfrag, unsigned flags)
{
	(void)d;
	size_t total = 0;
	for (int k = 0; k < nfrag; k++)
		total += len[k];
	CHECK(total <= NETDEV_RX_MAX);
	if (ngot < 64) {
		unsigned char *to = total <= 2048 ? got[ngot] : got_big;
		for (int k = 0; k < nfrag; k++) {
			memcpy(to, frag[k], len[k]);
			to += len[k];
		}
		got_flags[ngot] = flags;
		got_len[ngot++] = total;
	}
}

/* A fresh device with its rings at index base (to cross the wrap). */
static void setup(RING_IDX base)
{
	if (nf) {
		for (unsigned i = 0; i < NF_TX_RING_SIZE; i += 2)
			free(nf->tx_buf[i].page);
		for (unsigned i = 0; i < NF_RX_RING_SIZE; i++)
			free(nf->rx_buf[i].page);
		free(nf);
		free(tx_ring);
		free(rx_ring);
	}
	nf = calloc(1, sizeof(*nf));
	tx_ring = aligned_alloc(4096, 4096);
	rx_ring = aligned_alloc(4096, 4096);
	/* Two tx buffers a page, as netfront_xs.c has them. */
	for (unsigned i = 0; i < NF_TX_RING_SIZE; i += 2) {
		char *page = aligned_alloc(4096, 4096);
		nf->tx_buf[i].page = page;
		nf->tx_buf[i + 1].page = page + 2048;
		nf->tx_buf[i].gref = nf->tx_buf[i + 1].gref = 1000 + i;
	}
	for (unsigned i = 0; i < NF_RX_RING_SIZE; i++) {
		nf->rx_buf[i].page = aligned_alloc(4096, 4096);
		nf->rx_buf[i].gref = 2000 + i;
	}
	strcpy(nf->dev.name, "vif0");
	nf->dev.priv = nf;
	nf->dev.rx = fake_rx;
	nf->dev.down = fake_down;
	nf->dev.kick = fake_kick;
	nf->notify = fake_notify;
	nf->fail = fake_fail;
	netfront_rings_init(nf, tx_ring, rx_ring);
	/* Move every index to base, as after 2^32 - base frames. */
	nf->tx.sring->req_prod = nf->tx.sring->rsp_prod = base;
	nf->tx.sring->req_event = nf->tx.sring->rsp_event = base + 1;
	nf->tx.req_prod_pvt = nf->tx.rsp_cons = base;
	nf->rx.sring->req_prod = nf->rx.sring->rsp_prod = base;
	nf->rx.sring->req_event = nf->rx.sring->rsp_event = base + 1;
	nf->rx.req_prod_pvt = nf->rx.rsp_cons = base;
	notifies = fails = downs = kicks = ngot = 0;
	last_why[0] = 0;
	netfront_start(nf);
}

/* The fake netback: the backend's private consumer of rx requests and
 * producer of responses. */
static RING_IDX be_rx_cons, be_rx_prod, be_tx_cons, be_tx_prod;
static uint16_t be_tx_flags; /* the last tx request's */

static void backend_init(void)
{
	be_rx_cons = be_rx_prod = nf->rx.sring->rsp_prod;
	be_tx_cons = be_tx_prod = nf->tx.sring->rsp_prod;
}

/* Copy a frame into the buffer of the next rx request, as netback's grant
 * copy does, and answer it; id/offset/status/flags may be forced. */
static void be_rx(const void *data, int len, int force_id, int offset,
		  int flags)
{
	netif_rx_request_t req = *RING_GET_REQUEST(&nf->rx, be_rx_cons);
	be_rx_cons++;
	unsigned id = req.id;
	if (len > 0 && offset + len <= 4096)
		memcpy((char *)nf->rx_buf[id].page + offset, data, len);
	netif_rx_response_t *rsp = RING_GET_RESPONSE(&nf->rx, be_rx_prod);
	rsp->id = force_id >= 0 ? (uint16_t)force_id : (uint16_t)id;
	rsp->offset = (uint16_t)offset;
	rsp->flags = (uint16_t)flags;
	rsp->status = (int16_t)len;
	be_rx_prod++;
}

/* An extra-info slot (it takes a request's slot and has no id). */
static void be_rx_extra(int type, int gso_type, int size, int flags)
{
	be_rx_cons++;
	netif_extra_info_t x = { .type = (uint8_t)type,
				 .flags = (uint8_t)flags };
	x.u.gso.size = (uint16_t)size;
	x.u.gso.type = (uint8_t)gso_type;
	memcpy(RING_GET_RESPONSE(&nf->rx, be_rx_prod), &x, sizeof(x));
	be_rx_prod++;
}

static void be_rx_publish(void)
{
	nf->rx.sring->rsp_prod = be_rx_prod;
}

static void frame(unsigned char *buf, int len, int seed)
{
	for (int i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i);
}

static void rx_posts_every_buffer(void)
{
	setup(0);
	CHECK_EQ(nf->rx.req_prod_pvt, NF_RX_RING_SIZE);
	CHECK_EQ(nf->rx.sring->req_prod, NF_RX_RING_SIZE);
	CHECK(notifies >= 1);
	/* Each request names its own buffer's grant. */
	int seen[NF_RX_RING_SIZE] = { 0 };
	for (RING_IDX i = 0; i < NF_RX_RING_SIZE; i++) {
		netif_rx_request_t *r = RING_GET_REQUEST(&nf->rx, i);
		CHECK(r->id < NF_RX_RING_SIZE);
		CHECK_EQ(r->gref, 2000 + r->id);
		seen[r->id]++;
	}
	for (unsigned i = 0; i < NF_RX_RING_SIZE; i++)
		CHECK_EQ(seen[i], 1);
}

static void rx_frames_arrive_intact_across_the_wrap(void)
{
	setup(UINT32_MAX - 100); /* indices wrap during the test */
	backend_init();
	unsigned char buf[1514];
	int delivered = 0, bad = 0;
	for (int round = 0; round < 20; round++) {
		for (int k = 0; k < 10; k++) {
			int len = 60 + (round * 10 + k) * 7 % 1454;
			frame(buf, len, round * 10 + k);
			be_rx(buf, len, -1, (k & 1) ? 0 : 2, 0);
		}
		be_rx_publish();
		ngot = 0;
		netfront_poll(&nf->dev);
		for (int k = 0; k < ngot; k++) {
			int len = 60 + (round * 10 + k) * 7 % 1454;
			frame(buf, len, round * 10 + k);
			if (got_len[k] != (size_t)len ||
			    memcmp(got[k], buf, len))
				bad++;
		}
		delivered += ngot;
	}
	CHECK_EQ(delivered, 200);
	CHECK_EQ(bad, 0);
	CHECK_EQ(fails, 0);
	CHECK_EQ(nf->rx_frames, 200);
	/* Every buffer went back to the backend. */
	CHECK_EQ(nf->rx.req_prod_pvt - nf->rx.rsp_cons, NF_RX_RING_SIZE);
	/* And it asked to be told of the next response. */
	CHECK_EQ(nf->rx.sring->rsp_event, nf->rx.rsp_cons + 1);
}

static void rx_errors_and_odd_sizes_are_dropped(void)
{
	setup(0);
	backend_init();
	unsigned char buf[4096] = { 0 };
	be_rx(buf, NETIF_RSP_ERROR, -1, 0, 0); /* an error status */
	be_rx(buf, 10, -1, 0, 0);	       /* a runt */
	be_rx(buf, 3000, -1, 0, 0);	       /* longer than Ethernet */
	be_rx(buf, 100, -1, 0, 0);	       /* a good one */
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK_EQ(nf->rx_errors, 1);
	CHECK_EQ(nf->rx_dropped, 2);
	CHECK_EQ(fails, 0);
	CHECK(!nf->broken);
}

/* Each hostile response turns the device off: one fail, one down, and
 * nothing more is delivered or posted afterwards. */
static void check_broken(const char *why)
{
	CHECK(nf->broken);
	CHECK_EQ(fails, 1);
	CHECK_EQ(downs, 1);
	CHECK_STR(last_why, why);
	int before = ngot;
	RING_IDX posted = nf->rx.sring->req_prod;
	netfront_poll(&nf->dev);
	const void *f[1] = { "x" };
	size_t l[1] = { 1 };
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), -ENETDOWN);
	CHECK_EQ(ngot, before);
	CHECK_EQ(nf->rx.sring->req_prod, posted);
	CHECK_EQ(fails, 1);
}

static void rx_id_out_of_range(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100] = { 0 };
	be_rx(buf, 100, NF_RX_RING_SIZE + 5, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 0);
	check_broken("rx response for no request");
}

static void rx_response_for_a_request_never_made(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100] = { 0 };
	be_rx(buf, 100, -1, 0, 0);
	/* The same id again: that buffer is ours already. */
	netif_rx_request_t first = *RING_GET_REQUEST(&nf->rx, be_rx_cons - 1);
	be_rx(buf, 100, first.id, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	check_broken("rx response for no request");
}

static void rx_size_past_the_page(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100] = { 0 };
	be_rx(buf, 1000, -1, 3500, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 0);
	check_broken("rx frame past its page");
}

static void rx_producer_jumps_past_the_ring(void)
{
	setup(UINT32_MAX - 3);
	backend_init();
	nf->rx.sring->rsp_prod = nf->rx.rsp_cons + NF_RX_RING_SIZE + 1;
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 0);
	check_broken("rx producer index out of range");
	/* Backwards is as bad: it reads as a huge distance. */
	setup(5);
	backend_init();
	nf->rx.sring->rsp_prod = nf->rx.rsp_cons - 1;
	netfront_poll(&nf->dev);
	check_broken("rx producer index out of range");
}

static void rx_flags_never_negotiated(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100] = { 0 };
	be_rx(buf, 100, -1, 0, NETRXF_gso_prefix);
	be_rx(buf, 100, -1, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 0);
	check_broken("rx flags never negotiated");
}

/* feature-sg: a frame in two slots arrives as one. */
static void rx_multi_slot_frame_is_joined(void)
{
	setup(UINT32_MAX - 1); /* across the wrap */
	backend_init();
	unsigned char a[1000], b[400];
	frame(a, 1000, 7);
	frame(b, 400, 8);
	be_rx(a, 1000, -1, 0, NETRXF_more_data);
	be_rx(b, 400, -1, 100, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK_EQ(got_len[0], 1400);
	CHECK(!memcmp(got[0], a, 1000) && !memcmp(got[0] + 1000, b, 400));
	CHECK_EQ(fails, 0);
}

/* GSO: 62 KiB of TCP in 16 slots after a GSO extra, as netback joins a
 * sender's segments; every buffer goes back to the backend after. */
static void rx_gso_packet(void)
{
	setup(5);
	backend_init();
	static unsigned char data[16 * 4000];
	frame(data, sizeof(data), 9);
	be_rx(data, 4000, -1, 0,
	      NETRXF_more_data | NETRXF_extra_info | NETRXF_csum_blank |
		      NETRXF_data_validated);
	be_rx_extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_GSO_TYPE_TCPV4, 1448,
		    0);
	for (int k = 1; k < 16; k++)
		be_rx(data + k * 4000, 4000, -1, 0,
		      k < 15 ? NETRXF_more_data : 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK_EQ(got_len[0], sizeof(data));
	CHECK(!memcmp(got_big, data, sizeof(data)));
	CHECK_EQ(got_flags[0], NETDEV_RX_CSUM_OK);
	CHECK_EQ(fails, 0);
	CHECK_EQ(nf->rx.req_prod_pvt - nf->rx.rsp_cons, NF_RX_RING_SIZE);
	/* Without the GSO extra, more than an Ethernet frame is a giant. */
	be_rx(data, 4000, -1, 0, NETRXF_more_data);
	be_rx(data, 100, -1, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK_EQ(nf->rx_dropped, 1);
}

/* A packet whose last slot is not there yet is waited for, not taken
 * in part; the backend is asked to say when more comes. */
static void rx_partial_packet_waits(void)
{
	setup(0);
	backend_init();
	unsigned char a[600], b[600];
	frame(a, 600, 1);
	frame(b, 600, 2);
	be_rx(a, 600, -1, 0, NETRXF_more_data);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 0);
	CHECK_EQ(nf->rx.rsp_cons, 0);
	CHECK_EQ(nf->rx.sring->rsp_event, 2);
	be_rx(b, 600, -1, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK_EQ(got_len[0], 1200);
	CHECK_EQ(fails, 0);
}

/* Extras we did not ask for, and more slots than a packet can have:
 * the packet is dropped whole, the next one arrives. */
static void rx_bad_extras_and_long_chains_are_dropped(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100];
	frame(buf, 100, 3);
	be_rx(buf, 100, -1, 0, NETRXF_extra_info);
	be_rx_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
	be_rx(buf, 100, -1, 0, NETRXF_extra_info);
	be_rx_extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_GSO_TYPE_TCPV6, 1448,
		    0);
	be_rx(buf, 100, -1, 0, NETRXF_extra_info);
	for (int k = 0; k < 6; k++) /* more extras than there are types */
		be_rx_extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_GSO_TYPE_TCPV4,
			    1448, k < 5 ? XEN_NETIF_EXTRA_FLAG_MORE : 0);
	for (int k = 0; k < 30; k++) /* a chain of 30 data slots */
		be_rx(buf, 10, -1, 0, k < 29 ? NETRXF_more_data : 0);
	be_rx(buf, 100, -1, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 1);
	CHECK(!memcmp(got[0], buf, 100));
	CHECK_EQ(nf->rx_dropped, 4);
	CHECK_EQ(fails, 0);
}

/* Checksum offload: a frame the backend validated, or one left blank by
 * a domain on the host, is handed on as needing no check; others not. */
static void rx_checksum_flags_reach_the_stack(void)
{
	setup(0);
	backend_init();
	unsigned char buf[100] = { 0 };
	be_rx(buf, 100, -1, 0, NETRXF_data_validated);
	be_rx(buf, 100, -1, 0, NETRXF_csum_blank | NETRXF_data_validated);
	be_rx(buf, 100, -1, 0, 0);
	be_rx_publish();
	netfront_poll(&nf->dev);
	CHECK_EQ(ngot, 3);
	CHECK_EQ(got_flags[0], NETDEV_RX_CSUM_OK);
	CHECK_EQ(got_flags[1], NETDEV_RX_CSUM_OK);
	CHECK_EQ(got_flags[2], 0);
	CHECK_EQ(fails, 0);
}

/* A flood: more frames than one poll's budget are all delivered, the
 * rest after the kick the poll gives itself. */
static void rx_budget_kicks_again(void)
{
	setup(0);
	backend_init();
	unsigned char buf[64] = { 0 };
	for (int i = 0; i < 200; i++)
		be_rx(buf, 64, -1, 0, 0);
	be_rx_publish();
	int total = 0;
	for (int i = 0; i < 10 && total < 200; i++) {
		ngot = 0;
		kicks = 0;
		netfront_poll(&nf->dev);
		total += (int)nf->rx_frames - total;
		if (nf->rx_frames < 200)
			CHECK_EQ(kicks, 1);
	}
	CHECK_EQ(nf->rx_frames, 200);
	CHECK_EQ(fails, 0);
}

/* ---- tx ---- */

/* The fake backend takes every queued tx request: copies it out of its
 * buffer and answers with status (or a forced id). */
static int be_tx(unsigned char (*out)[2048], size_t *lens, int max,
		 int force_id, int status)
{
	int n = 0;
	while (be_tx_cons != nf->tx.sring->req_prod) {
		netif_tx_request_t req = *RING_GET_REQUEST(&nf->tx, be_tx_cons);
		be_tx_cons++;
		/* What netback copies: the granted page, at the offset. */
		char *page =
			(char *)((uintptr_t)nf->tx_buf[req.id].page & ~4095UL);
		CHECK(req.offset + req.size <= 4096);
		if (out && n < max) {
			memcpy(out[n], page + req.offset, req.size);
			lens[n] = req.size;
		}
		CHECK_EQ(req.gref, 1000 + (req.id & ~1u));
		be_tx_flags = req.flags;
		netif_tx_response_t *rsp =
			RING_GET_RESPONSE(&nf->tx, be_tx_prod);
		rsp->id = force_id >= 0 ? (uint16_t)force_id : req.id;
		rsp->status = (int16_t)status;
		be_tx_prod++;
		n++;
	}
	nf->tx.sring->rsp_prod = be_tx_prod;
	return n;
}

static void tx_frames_go_out_in_pieces(void)
{
	setup(UINT32_MAX - 10);
	backend_init();
	static unsigned char out[64][2048];
	static size_t lens[64];
	unsigned char a[14], b[1000], c[500];
	frame(a, 14, 1);
	frame(b, 1000, 2);
	frame(c, 500, 3);
	for (int round = 0; round < 40; round++) {
		const void *f[3] = { a, b, c };
		size_t l[3] = { 14, 1000, (size_t)round * 10 };
		CHECK_EQ(netfront_xmit(&nf->dev, f, l, 3, 0), 0);
		CHECK_EQ(be_tx(out, lens, 64, -1, NETIF_RSP_OKAY), 1);
		CHECK_EQ(lens[0], 1014 + round * 10);
		CHECK(!memcmp(out[0], a, 14));
		CHECK(!memcmp(out[0] + 14, b, 1000));
		CHECK(!memcmp(out[0] + 1014, c, round * 10));
	}
	netfront_poll(&nf->dev); /* takes the buffers back */
	CHECK_EQ(nf->ntx_free, NF_TX_RING_SIZE);
	CHECK_EQ(nf->tx_frames, 40);
	const void *f[1] = { b };
	size_t l[1] = { 1515 };
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), -EINVAL);
}

/* A partial checksum goes out as csum_blank (and data_validated), a
 * whole one with no flags. */
static void tx_partial_checksum_is_flagged(void)
{
	setup(0);
	backend_init();
	unsigned char b[100] = { 0 };
	const void *f[1] = { b };
	size_t l[1] = { 100 };
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, NETDEV_TX_CSUM_PARTIAL), 0);
	CHECK_EQ(be_tx(NULL, NULL, 0, -1, NETIF_RSP_OKAY), 1);
	CHECK_EQ(be_tx_flags, NETTXF_csum_blank | NETTXF_data_validated);
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), 0);
	CHECK_EQ(be_tx(NULL, NULL, 0, -1, NETIF_RSP_OKAY), 1);
	CHECK_EQ(be_tx_flags, 0);
}

static void tx_full_ring_says_again(void)
{
	setup(0);
	backend_init();
	unsigned char b[100] = { 0 };
	const void *f[1] = { b };
	size_t l[1] = { 100 };
	for (unsigned i = 0; i < NF_TX_RING_SIZE; i++)
		CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), 0);
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), -EAGAIN);
	CHECK_EQ(nf->tx_dropped, 1);
	be_tx(NULL, NULL, 0, -1, NETIF_RSP_OKAY);
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), 0); /* gc made room */
	CHECK_EQ(fails, 0);
}

static void tx_response_for_a_request_never_made(void)
{
	setup(0);
	backend_init();
	unsigned char b[100] = { 0 };
	const void *f[1] = { b };
	size_t l[1] = { 100 };
	CHECK_EQ(netfront_xmit(&nf->dev, f, l, 1, 0), 0);
	/* Answer with an idle buffer's id. */
	netif_tx_request_t req = *RING_GET_REQUEST(&nf->tx, be_tx_cons);
	be_tx(NULL, NULL, 0, (req.id + 1) % NF_TX_RING_SIZE, NETIF_RSP_OKAY);
	netfront_poll(&nf->dev);
	check_broken("tx response for no request");
}

static void tx_id_and_index_out_of_range(void)
{
	setup(0);
	backend_init();
	unsigned char b[100] = { 0 };
	const void *f[1] = { b };
	size_t l[1] = { 100 };
	netfront_xmit(&nf->dev, f, l, 1, 0);
	be_tx(NULL, NULL, 0, 60000, NETIF_RSP_OKAY);
	netfront_poll(&nf->dev);
	check_broken("tx response for no request");

	setup(0);
	backend_init();
	nf->tx.sring->rsp_prod = nf->tx.rsp_cons + NF_TX_RING_SIZE + 7;
	netfront_poll(&nf->dev);
	check_broken("tx producer index out of range");
}

static void tx_error_status_is_counted(void)
{
	setup(0);
	backend_init();
	unsigned char b[100] = { 0 };
	const void *f[1] = { b };
	size_t l[1] = { 100 };
	netfront_xmit(&nf->dev, f, l, 1, 0);
	be_tx(NULL, NULL, 0, -1, NETIF_RSP_DROPPED);
	netfront_poll(&nf->dev);
	CHECK_EQ(nf->tx_errors, 1);
	CHECK_EQ(nf->ntx_free, NF_TX_RING_SIZE);
	CHECK_EQ(fails, 0);
}

/* Random bytes for every response field, many times: the device may go
 * off, but never crashes (ASan watches) and never delivers a frame
 * longer than Ethernet's or from outside its buffer. */
static void random_responses(void)
{
	srand(7);
	for (int t = 0; t < 300; t++) {
		setup((RING_IDX)rand() * 7919u);
		backend_init();
		int n = 1 + rand() % 40;
		for (int i = 0; i < n; i++) {
			netif_rx_response_t *rsp =
				RING_GET_RESPONSE(&nf->rx, be_rx_prod);
			unsigned char *p = (unsigned char *)rsp;
			for (size_t k = 0; k < sizeof(*rsp); k++)
				p[k] = (unsigned char)rand();
			be_rx_prod++;
		}
		nf->rx.sring->rsp_prod =
			rand() % 8 ? be_rx_prod : (RING_IDX)rand();
		netfront_poll(&nf->dev);
		for (int k = 0; k < ngot; k++)
			CHECK(got_len[k] >= 14 &&
			      got_len[k] <= NETDEV_FRAME_MAX);
		CHECK(fails <= 1);
	}
}

int main(int argc, char **argv)
{
	test_init("netfront", argc, argv);
	RUN(rx_posts_every_buffer);
	RUN(rx_frames_arrive_intact_across_the_wrap);
	RUN(rx_errors_and_odd_sizes_are_dropped);
	RUN(rx_id_out_of_range);
	RUN(rx_response_for_a_request_never_made);
	RUN(rx_size_past_the_page);
	RUN(rx_producer_jumps_past_the_ring);
	RUN(rx_flags_never_negotiated);
	RUN(rx_multi_slot_frame_is_joined);
	RUN(rx_gso_packet);
	RUN(rx_partial_packet_waits);
	RUN(rx_bad_extras_and_long_chains_are_dropped);
	RUN(rx_checksum_flags_reach_the_stack);
	RUN(tx_partial_checksum_is_flagged);
	RUN(rx_budget_kicks_again);
	RUN(tx_frames_go_out_in_pieces);
	RUN(tx_full_ring_says_again);
	RUN(tx_response_for_a_request_never_made);
	RUN(tx_id_and_index_out_of_range);
	RUN(tx_error_status_is_counted);
	RUN(random_responses);
	return test_summary();
}
