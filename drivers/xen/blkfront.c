/*
 * blkfront's data path: the request ring shared with blkback
 * (xen/io/blkif.h). A transfer is cut into requests of up to max_segs
 * pages each; each page comes from a pool granted to the backend once,
 * for the device's life, and the data is copied between the pool and
 * the caller's buffer. A request of more pages than a ring entry holds
 * (BLK_SEGS) goes as BLKIF_OP_INDIRECT where the backend offers it
 * (feature-max-indirect-segments): its segments are listed in an
 * indirect page of its own id's, granted (read-only) once too. One call
 * puts as many requests in flight as the ring and the pool allow, then
 * takes the answers in any order. The handshake that sets the ring up
 * is in blkfront_xs.c.
 *
 * The backend is another domain and untrusted. Every response is copied
 * out of the shared ring before it is looked at and checked: the
 * producer index must stay within a ring's worth of our consumer; the id
 * must name a request we posted and that has no answer yet; the
 * operation must be the request's (for an indirect one, the operation
 * it carries: blkback answers with that, as Linux's blkfront expects).
 * A backend that breaks a rule, or leaves a request unanswered for
 * BLK_TIMEOUT_NS, is misbehaving: the device goes off (a console line,
 * error/ in xenstore), every request in flight and every later one
 * fails with EIO. An error status fails its request only: EIO and a
 * console line.
 *
 * Answers are taken by the event handler and by every waiter before it
 * sleeps (blkfront_poll), so a lost notification costs a pause, not a
 * hang. One CPU, interrupts off in the kernel: the two never overlap.
 */
#include <errno.h>

#include "xendrv.h"
#include "kern/kern.h"

#define SECTOR_SHIFT 9 /* the ring counts 512-byte sectors */

static void blk_broken(struct blkfront *b, const char *why)
{
	if (b->broken)
		return;
	b->broken = true;
	printk("atman: blkfront: %s: the backend misbehaved (%s): device "
	       "off\n",
	       b->dev.name, why);
	/* Nothing in flight will be answered now. */
	for (unsigned i = 0; i < BLK_RING_SIZE; i++)
		if (b->req[i].busy && !b->req[i].done) {
			b->req[i].done = true;
			b->req[i].status = -EIO;
		}
	if (b->fail)
		b->fail(b, why);
	wake_all(&b->wq);
}

void blkfront_rings_init(struct blkfront *b, void *ring_page)
{
	blkif_sring_t *s = ring_page;
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&b->ring, s, KPAGE_SIZE);
	b->nfree_id = 0;
	for (unsigned i = 0; i < BLK_RING_SIZE; i++) {
		b->req[i].busy = b->req[i].done = false;
		b->free_id[b->nfree_id++] = (uint16_t)(BLK_RING_SIZE - 1 - i);
	}
	b->nfree_page = 0;
	for (unsigned i = 0; i < BLK_PAGES; i++)
		b->free_page[b->nfree_page++] = (uint16_t)i;
	b->max_segs = BLK_SEGS;
}

_Static_assert(BLK_IND_SEGS * sizeof(struct blkif_request_segment) <=
		       KPAGE_SIZE,
	       "an indirect request's segments fit in its one page");
_Static_assert(BLK_IND_SEGS <= BLK_PAGES, "a whole request fits the pool");

void blkfront_set_indirect(struct blkfront *b, unsigned long max)
{
	/* A backend that offers no more than a ring entry holds gains
	 * nothing from an indirect page (Linux's blkfront agrees). */
	b->max_segs = max > BLK_SEGS && b->ind[0]
			      ? (unsigned)MIN(max, BLK_IND_SEGS)
			      : BLK_SEGS;
}

bool blkfront_poll(struct blkfront *b)
{
	bool any = false;
	for (;;) {
		if (b->broken)
			break;
		RING_IDX prod = b->ring.sring->rsp_prod;
		/* The responses before the index that says they are there. */
		xen_rmb();
		RING_IDX cons = b->ring.rsp_cons;
		if (prod - cons > BLK_RING_SIZE) {
			blk_broken(b, "producer index out of range");
			return true;
		}
		for (; cons != prod; cons++) {
			blkif_response_t rsp;
			RING_COPY_RESPONSE(&b->ring, cons, &rsp);
			struct blkfront_req *r =
				rsp.id < BLK_RING_SIZE ? &b->req[rsp.id] : NULL;
			if (!r || !r->busy || r->done ||
			    rsp.operation != r->op) {
				b->ring.rsp_cons = cons + 1;
				blk_broken(b, "response for no request");
				return true;
			}
			r->done = true;
			r->status = rsp.status == BLKIF_RSP_OKAY ? 0
				    : rsp.status == BLKIF_RSP_EOPNOTSUPP
					    ? -EOPNOTSUPP
					    : -EIO;
			any = true;
		}
		b->ring.rsp_cons = cons;
		int more;
		RING_FINAL_CHECK_FOR_RESPONSES(&b->ring, more);
		if (!more)
			break;
	}
	if (any)
		wake_all(&b->wq);
	return any;
}

void blkfront_event(evtchn_port_t port, void *data)
{
	(void)port;
	blkfront_poll(data);
}

static void push(struct blkfront *b)
{
	int notify;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&b->ring, notify);
	if (notify && b->notify)
		b->notify(b);
}

/* The segment list (seg) of a request of r->nseg pages over n bytes of
 * data: the pages taken from the pool, a write's data copied in. */
static void fill_segs(struct blkfront *b, struct blkfront_req *r,
		      struct blkif_request_segment *seg, const char *data,
		      size_t n)
{
	for (unsigned s = 0; s < r->nseg; s++) {
		uint16_t pg = b->free_page[--b->nfree_page];
		size_t len = MIN(n - s * KPAGE_SIZE, KPAGE_SIZE);
		r->page[s] = pg;
		if (r->op == BLKIF_OP_WRITE)
			memcpy(b->page[pg], data + s * KPAGE_SIZE, len);
		seg[s] = (struct blkif_request_segment){
			.gref = b->gref[pg],
			.first_sect = 0,
			.last_sect = (uint8_t)((len >> SECTOR_SHIFT) - 1),
		};
	}
}

/* A request for op at byte offset off over n bytes (<= max_segs pages,
 * and that many pages free), the data of a write copied in; its id.
 * Not pushed yet: push() publishes it (its barrier orders the ring
 * entry and an indirect page's segments before the producer index). */
static unsigned post(struct blkfront *b, uint8_t op, uint64_t off,
		     const char *data, size_t n)
{
	unsigned id = b->free_id[--b->nfree_id];
	struct blkfront_req *r = &b->req[id];
	void *slot = RING_GET_REQUEST(&b->ring, b->ring.req_prod_pvt);
	r->op = op;
	r->busy = true;
	r->done = false;
	r->status = 0;
	r->nseg = (unsigned)((n + KPAGE_SIZE - 1) / KPAGE_SIZE);
	if (r->nseg > BLK_SEGS) {
		/* Built aside and copied in whole: the ring entry is a
		 * blkif_request's slot, the indirect layout another. */
		blkif_request_indirect_t q = {
			.operation = BLKIF_OP_INDIRECT,
			.indirect_op = op,
			.nr_segments = (uint16_t)r->nseg,
			.id = id,
			.sector_number = off >> SECTOR_SHIFT,
			.handle = b->handle,
			.indirect_grefs = { b->ind_gref[id] },
		};
		fill_segs(b, r, b->ind[id], data, n);
		memcpy(slot, &q, sizeof(q));
		b->indirect++;
	} else {
		blkif_request_t *q = slot;
		q->operation = op;
		q->nr_segments = (uint8_t)r->nseg;
		q->handle = b->handle;
		q->id = id;
		q->sector_number = off >> SECTOR_SHIFT;
		fill_segs(b, r, q->seg, data, n);
	}
	b->ring.req_prod_pvt++;
	return id;
}

/* An answered request: the data of a read copied out, its pages and id
 * free again; its status. */
static int reap(struct blkfront *b, unsigned id, char *data, size_t n)
{
	struct blkfront_req *r = &b->req[id];
	int st = r->status;
	for (unsigned s = 0; s < r->nseg; s++) {
		if (r->op == BLKIF_OP_READ && !st && !b->broken)
			memcpy(data + s * KPAGE_SIZE, b->page[r->page[s]],
			       MIN(n - s * KPAGE_SIZE, KPAGE_SIZE));
		b->free_page[b->nfree_page++] = r->page[s];
	}
	r->busy = r->done = false;
	b->free_id[b->nfree_id++] = (uint16_t)id;
	if (st == -EIO) {
		b->errors++;
		if (!b->broken)
			printk("atman: blkfront: %s: I/O error (%s)\n",
			       b->dev.name,
			       r->op == BLKIF_OP_READ	 ? "read"
			       : r->op == BLKIF_OP_WRITE ? "write"
							 : "flush");
	}
	wake_all(&b->wq); /* ids and pages for others */
	return st;
}

/* Wait for news once, bounded by deadline; false if it passed. Answers
 * the poll takes are news: the caller looks before anyone sleeps (else
 * an answer taken here would wait for the next interrupt, or the
 * deadline). */
static bool blk_wait(struct blkfront *b, uint64_t deadline)
{
	if (blkfront_poll(b))
		return true;
	if (now_ns() >= deadline) {
		blk_broken(b, "no answer in 30 s");
		return false;
	}
	wait_device(&b->wq, deadline);
	blkfront_poll(b);
	return true;
}

struct inflight {
	unsigned id;
	char *data;
	size_t n;
};

static int blk_rw(struct blkdev *d, bool write, uint64_t off, void *buf,
		  size_t len)
{
	struct blkfront *b = d->priv;
	uint8_t op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	if (write && d->readonly)
		return -EROFS;
	if ((off | len) & (d->sector_size - 1) || off > d->size ||
	    len > d->size - off)
		return -EINVAL;
	struct inflight mine[BLK_RING_SIZE];
	unsigned nmine = 0;
	char *p = buf;
	int err = 0;
	uint64_t deadline = now_ns() + BLK_TIMEOUT_NS;
	while (len || nmine) {
		if (b->broken || !b->connected)
			err = err ? err : -EIO;
		/* As many requests out as there is room for. */
		bool posted = false;
		while (len && !err && b->nfree_id && b->nfree_page &&
		       !RING_FULL(&b->ring)) {
			size_t n = MIN(len, MIN(b->max_segs, b->nfree_page) *
						    KPAGE_SIZE);
			mine[nmine].id = post(b, op, off, p, n);
			mine[nmine].data = p;
			mine[nmine++].n = n;
			p += n;
			off += n;
			len -= n;
			posted = true;
		}
		if (posted)
			push(b);
		if (err)
			len = 0; /* no more: the answers still to take */
		/* Take what is answered, in any order. */
		bool took = false;
		for (unsigned i = 0; i < nmine;) {
			if (!b->req[mine[i].id].done) {
				i++;
				continue;
			}
			int st = reap(b, mine[i].id, mine[i].data, mine[i].n);
			if (st && !err)
				err = st == -EOPNOTSUPP ? -EIO : st;
			mine[i] = mine[--nmine];
			took = true;
		}
		if (took) {
			deadline = now_ns() + BLK_TIMEOUT_NS;
			continue;
		}
		if (!len && !nmine)
			break;
		blk_wait(b, deadline); /* a timeout breaks the device */
	}
	if (!err) {
		if (write)
			b->writes++;
		else
			b->reads++;
	}
	return err;
}

static int blk_flush(struct blkdev *d)
{
	struct blkfront *b = d->priv;
	uint8_t op = b->flush_cache ? BLKIF_OP_FLUSH_DISKCACHE
		     : b->barrier   ? BLKIF_OP_WRITE_BARRIER
				    : 0;
	if (!op)
		return b->broken ? -EIO : 0; /* no cache: written is stable */
	uint64_t deadline = now_ns() + BLK_TIMEOUT_NS;
	while (!b->broken && b->connected &&
	       (!b->nfree_id || RING_FULL(&b->ring)))
		blk_wait(b, deadline);
	if (b->broken || !b->connected)
		return -EIO;
	unsigned id = post(b, op, 0, NULL, 0);
	push(b);
	while (!b->req[id].done)
		blk_wait(b, deadline);
	int st = reap(b, id, NULL, 0);
	if (st == -EOPNOTSUPP) {
		/* The backend does not flush after all: what it wrote is
		 * as stable as it gets. */
		b->flush_cache = b->barrier = false;
		return 0;
	}
	if (!st)
		b->flushes++;
	return st;
}

const struct blkdev_ops blkfront_ops = {
	.rw = blk_rw,
	.flush = blk_flush,
};
