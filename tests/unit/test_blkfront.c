/* drivers/xen/blkfront.c: the data path against a fake blkback that
 * serves the shared ring from a disk in memory the way the real one
 * does (in order, or out of order; plain and indirect requests), and
 * then the way a hostile one might: an error status, an id out of
 * range, an answer twice, the wrong operation, the producer index
 * jumping past the ring, no answer at all. Good transfers arrive
 * intact with every page and id given back; bad answers fail the call
 * with EIO or turn the device off, never hang it or crash it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "test.h"

#define DISK_SIZE (1024 * 1024)

void console_kwrite(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

static uint64_t clock_ns;
uint64_t now_ns(void)
{
	return clock_ns;
}

void wake_all(struct waitq *q)
{
	(void)q;
}

static struct blkfront *bf;
static void *ring_page;
static blkif_back_ring_t back;
static uint8_t disk[DISK_SIZE];
static int notifies, fails, waits;
static char last_why[128];

enum mode {
	GOOD,
	REVERSE,
	ERROR_AT,
	BAD_ID,
	TWICE,
	WRONG_OP,
	ECHO_INDIRECT, /* answers an indirect request as BLKIF_OP_INDIRECT */
	JUMP,
	SILENT,
	EAGER /* answers at once, before anyone waits; a sleep sleeps on */
};
static void backend(void);
static enum mode mode;
static uint64_t error_sector; /* ERROR_AT: the request that starts here */
static int ops_seen[8];
static unsigned max_nseg, min_ind_nseg; /* of the requests served */
static bool bad_request;		/* one blkback would refuse */

#define POOL_GREF 100
#define IND_GREF  1000

static void fake_notify(struct blkfront *b)
{
	(void)b;
	notifies++;
	if (mode == EAGER)
		backend();
}
static void fake_fail(struct blkfront *b, const char *why)
{
	(void)b;
	fails++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}

/* A granted page by its gref: pool page i is POOL_GREF + i, request id
 * i's indirect page IND_GREF + i. */
static uint8_t *granted(grant_ref_t g)
{
	if (g >= IND_GREF && g < IND_GREF + BLK_RING_SIZE)
		return bf->ind[g - IND_GREF];
	CHECK(g >= POOL_GREF && g < POOL_GREF + BLK_PAGES);
	return bf->page[g - POOL_GREF];
}

/* Serve a request as blkback does: its segments (in the entry, or in
 * the indirect page) move data between the granted pages and the disk.
 * The operation it is answered with goes to *op. */
static int16_t serve(const blkif_request_t *q, uint8_t *op)
{
	const struct blkif_request_segment *seg = q->seg;
	unsigned nseg = q->nr_segments;
	blkif_request_t inner; /* an indirect request's own op, sector */
	*op = q->operation;
	if (q->operation == BLKIF_OP_INDIRECT) {
		blkif_request_indirect_t iq;
		memcpy(&iq, q, sizeof(iq));
		/* blkback: only reads and writes, and no more segments
		 * than it offered; the answer carries the inner op. */
		if ((iq.indirect_op != BLKIF_OP_READ &&
		     iq.indirect_op != BLKIF_OP_WRITE) ||
		    iq.nr_segments > bf->max_segs || iq.nr_segments <= BLK_SEGS)
			bad_request = true;
		*op = mode == ECHO_INDIRECT ? BLKIF_OP_INDIRECT
					    : iq.indirect_op;
		ops_seen[BLKIF_OP_INDIRECT]++;
		nseg = iq.nr_segments;
		seg = (const void *)granted(iq.indirect_grefs[0]);
		min_ind_nseg = MIN(min_ind_nseg, nseg);
		inner = (blkif_request_t){ .operation = iq.indirect_op,
					   .sector_number = iq.sector_number };
		q = &inner;
	} else if (nseg > BLK_SEGS) {
		bad_request = true;
		return BLKIF_RSP_ERROR;
	}
	max_nseg = MAX(max_nseg, nseg);
	if (q->operation < 8)
		ops_seen[q->operation]++;
	if (q->operation == BLKIF_OP_FLUSH_DISKCACHE ||
	    q->operation == BLKIF_OP_WRITE_BARRIER)
		return BLKIF_RSP_OKAY;
	if (mode == ERROR_AT && q->sector_number == error_sector)
		return BLKIF_RSP_ERROR;
	uint64_t at = q->sector_number * 512;
	for (unsigned s = 0; s < nseg; s++) {
		uint8_t *page = granted(seg[s].gref);
		size_t off = seg[s].first_sect * 512;
		size_t n = (seg[s].last_sect - seg[s].first_sect + 1) * 512;
		CHECK(at + n <= DISK_SIZE);
		if (q->operation == BLKIF_OP_WRITE)
			memcpy(disk + at, page + off, n);
		else
			memcpy(page + off, disk + at, n);
		at += n;
	}
	return BLKIF_RSP_OKAY;
}

static void respond(uint64_t id, uint8_t op, int16_t st)
{
	blkif_response_t *r = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
	r->id = id;
	r->operation = op;
	r->status = st;
	back.rsp_prod_pvt++;
}

/* The backend's turn: what a wait lets happen. */
bool wait_device(struct waitq *q, uint64_t deadline)
{
	(void)q;
	waits++;
	CHECK(waits < 10000); /* a hang would spin here */
	if (mode == SILENT || mode == EAGER) {
		/* Nothing more is coming: whoever sleeps now sleeps until
		 * the deadline. */
		clock_ns = deadline;
		return false;
	}
	backend();
	return true;
}

static void backend(void)
{
	blkif_request_t reqs[BLK_RING_SIZE];
	unsigned n = 0;
	int more = 1;
	while (more) { /* as blkback: look again after asking to be told */
		RING_IDX prod = back.sring->req_prod;
		while (back.req_cons != prod && n < BLK_RING_SIZE)
			RING_COPY_REQUEST(&back, back.req_cons++, &reqs[n++]);
		RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
	}
	for (unsigned k = 0; k < n; k++) {
		blkif_request_t *q = &reqs[mode == REVERSE ? n - 1 - k : k];
		uint8_t op;
		int16_t st = serve(q, &op);
		if (mode == BAD_ID)
			respond(99, op, st);
		else if (mode == WRONG_OP)
			respond(q->id, BLKIF_OP_DISCARD, st);
		else
			respond(q->id, op, st);
		if (mode == TWICE)
			respond(q->id, op, st);
	}
	RING_PUSH_RESPONSES(&back);
	if (mode == JUMP)
		back.sring->rsp_prod += 1000;
}

static void setup(enum mode m)
{
	if (bf) {
		for (unsigned i = 0; i < BLK_PAGES; i++)
			free(bf->page[i]);
		for (unsigned i = 0; i < BLK_RING_SIZE; i++)
			free(bf->ind[i]);
		free(bf);
		free(ring_page);
	}
	bf = calloc(1, sizeof(*bf));
	ring_page = aligned_alloc(4096, 4096);
	for (unsigned i = 0; i < BLK_PAGES; i++) {
		bf->page[i] = aligned_alloc(4096, 4096);
		bf->gref[i] = POOL_GREF + i;
	}
	for (unsigned i = 0; i < BLK_RING_SIZE; i++) {
		bf->ind[i] = aligned_alloc(4096, 4096);
		bf->ind_gref[i] = IND_GREF + i;
	}
	blkfront_rings_init(bf, ring_page);
	BACK_RING_INIT(&back, (blkif_sring_t *)ring_page, 4096);
	bf->dev.priv = bf;
	bf->dev.ops = &blkfront_ops;
	bf->dev.size = DISK_SIZE;
	bf->dev.sector_size = 512;
	snprintf(bf->dev.name, sizeof(bf->dev.name), "xvda");
	bf->notify = fake_notify;
	bf->fail = fake_fail;
	bf->connected = true;
	mode = m;
	notifies = fails = waits = 0;
	memset(ops_seen, 0, sizeof(ops_seen));
	max_nseg = 0;
	min_ind_nseg = ~0u;
	bad_request = false;
	last_why[0] = 0;
	for (unsigned i = 0; i < DISK_SIZE; i++)
		disk[i] = (uint8_t)(i * 13 + i / 4096);
}

static bool all_free(void)
{
	return bf->nfree_page == BLK_PAGES && bf->nfree_id == BLK_RING_SIZE;
}

static int rw(bool write, uint64_t off, void *buf, size_t len)
{
	return bf->dev.ops->rw(&bf->dev, write, off, buf, len);
}

static uint8_t buf[512 * 1024], back_buf[512 * 1024];

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static void roundtrip_many_requests(void)
{
	setup(GOOD);
	/* 300 KiB: more than the pool's 256 KiB, so the call must reuse
	 * pages, and more than one request's 44 KiB. */
	size_t n = 300 * 1024;
	fill(buf, n, 1);
	CHECK_EQ(rw(true, 8192, buf, n), 0);
	CHECK(!memcmp(disk + 8192, buf, n));
	CHECK_EQ(rw(false, 8192, back_buf, n), 0);
	CHECK(!memcmp(back_buf, buf, n));
	CHECK(ops_seen[BLKIF_OP_WRITE] >= 7);
	CHECK(ops_seen[BLKIF_OP_READ] >= 7);
	CHECK(notifies > 0);
	CHECK(all_free());
	CHECK(!bf->broken);
	CHECK_EQ(bf->writes, 1);
	CHECK_EQ(bf->reads, 1);
}

static void out_of_order_answers(void)
{
	setup(REVERSE);
	fill(buf, 200 * 1024, 3);
	CHECK_EQ(rw(true, 0, buf, 200 * 1024), 0);
	CHECK_EQ(rw(false, 0, back_buf, 200 * 1024), 0);
	CHECK(!memcmp(back_buf, buf, 200 * 1024));
	CHECK(all_free());
}

/* Answers already in the ring when the caller comes to wait (taken by
 * its own poll): it must not sleep for an interrupt that has come and
 * gone. */
static void answers_before_the_wait(void)
{
	setup(EAGER);
	fill(buf, 100 * 1024, 5);
	CHECK_EQ(rw(true, 0, buf, 100 * 1024), 0);
	CHECK_EQ(rw(false, 0, back_buf, 100 * 1024), 0);
	CHECK(!memcmp(back_buf, buf, 100 * 1024));
	CHECK_EQ(waits, 0);
	CHECK(!bf->broken);
	CHECK(all_free());
}

static void ring_wraps(void)
{
	setup(GOOD);
	/* Many small transfers: the free-running indices go round the
	 * ring many times. */
	for (unsigned i = 0; i < 200; i++) {
		fill(buf, 4096, i);
		CHECK_EQ(rw(true, (i % 100) * 4096, buf, 4096), 0);
		CHECK_EQ(rw(false, (i % 100) * 4096, back_buf, 4096), 0);
		CHECK(!memcmp(buf, back_buf, 4096));
	}
	CHECK(all_free());
}

static void error_status_fails_the_call_only(void)
{
	setup(ERROR_AT);
	error_sector = 16;
	CHECK_EQ(rw(false, 16 * 512, back_buf, 4096), -EIO);
	CHECK(!bf->broken);
	CHECK_EQ(fails, 0);
	CHECK_EQ(bf->errors, 1);
	CHECK(all_free());
	CHECK_EQ(rw(false, 64 * 512, back_buf, 4096), 0); /* still works */
	CHECK(!memcmp(back_buf, disk + 64 * 512, 4096));
}

static void expect_broken(enum mode m, const char *why)
{
	setup(m);
	CHECK_EQ(rw(false, 0, back_buf, 64 * 1024), -EIO);
	CHECK(bf->broken);
	CHECK_EQ(fails, 1);
	CHECK(strstr(last_why, why));
	CHECK_EQ(rw(false, 0, back_buf, 4096), -EIO); /* and stays off */
	CHECK_EQ(bf->dev.ops->flush(&bf->dev), -EIO);
}

static void answer_for_no_request(void)
{
	expect_broken(BAD_ID, "no request");
}

static void answer_twice(void)
{
	expect_broken(TWICE, "no request");
}

static void answer_with_another_operation(void)
{
	expect_broken(WRONG_OP, "no request");
}

static void producer_index_past_the_ring(void)
{
	expect_broken(JUMP, "producer index");
}

static void no_answer_is_a_timeout_not_a_hang(void)
{
	expect_broken(SILENT, "no answer");
}

static void flush(void)
{
	setup(GOOD);
	CHECK_EQ(bf->dev.ops->flush(&bf->dev), 0); /* no cache: nothing */
	CHECK_EQ(ops_seen[BLKIF_OP_FLUSH_DISKCACHE], 0);
	bf->flush_cache = true;
	CHECK_EQ(bf->dev.ops->flush(&bf->dev), 0);
	CHECK_EQ(ops_seen[BLKIF_OP_FLUSH_DISKCACHE], 1);
	CHECK_EQ(bf->flushes, 1);
	bf->flush_cache = false;
	bf->barrier = true;
	CHECK_EQ(bf->dev.ops->flush(&bf->dev), 0);
	CHECK_EQ(ops_seen[BLKIF_OP_WRITE_BARRIER], 1);
	CHECK(all_free());
}

static void bad_arguments(void)
{
	setup(GOOD);
	CHECK_EQ(rw(false, 100, back_buf, 512), -EINVAL); /* misaligned */
	CHECK_EQ(rw(false, 0, back_buf, 100), -EINVAL);	  /* part sector */
	CHECK_EQ(rw(false, DISK_SIZE, back_buf, 512), -EINVAL); /* past */
	CHECK_EQ(rw(false, DISK_SIZE - 512, back_buf, 512), 0); /* last */
	bf->dev.readonly = true;
	CHECK_EQ(rw(true, 0, buf, 512), -EROFS);
	CHECK_EQ(ops_seen[BLKIF_OP_WRITE], 0);
	bf->connected = false;
	CHECK_EQ(rw(false, 0, back_buf, 512), -EIO);
	CHECK(all_free());
}

/* A backend that offers indirect segments: a transfer goes in requests
 * of up to BLK_IND_SEGS pages, one ring entry each, and arrives intact
 * in order and out of order. */
static void indirect_requests(void)
{
	setup(GOOD);
	blkfront_set_indirect(bf, 256);
	CHECK_EQ(bf->max_segs, BLK_IND_SEGS);
	size_t n = 500 * 1024; /* more than the pool: pages reused */
	fill(buf, n, 9);
	CHECK_EQ(rw(true, 4096, buf, n), 0);
	CHECK(!memcmp(disk + 4096, buf, n));
	CHECK_EQ(rw(false, 4096, back_buf, n), 0);
	CHECK(!memcmp(back_buf, buf, n));
	CHECK(!bad_request);
	CHECK_EQ(max_nseg, BLK_IND_SEGS);
	/* 125 pages each way: 4 whole requests of 32 and a rest. */
	CHECK(ops_seen[BLKIF_OP_INDIRECT] >= 8);
	CHECK(ops_seen[BLKIF_OP_INDIRECT] <= 10);
	CHECK_EQ(bf->indirect, (uint64_t)ops_seen[BLKIF_OP_INDIRECT]);
	CHECK(all_free());
	/* A small transfer stays a plain request. */
	int before = ops_seen[BLKIF_OP_INDIRECT];
	CHECK_EQ(rw(false, 0, back_buf, 8192), 0);
	CHECK_EQ(ops_seen[BLKIF_OP_INDIRECT], before);
	setup(REVERSE);
	blkfront_set_indirect(bf, 256);
	CHECK_EQ(rw(false, 0, back_buf, n), 0);
	CHECK(!memcmp(back_buf, disk, n));
	CHECK(all_free());
}

/* What the backend offers bounds a request; offers of no more than a
 * ring entry holds leave requests plain. */
static void indirect_limits(void)
{
	setup(GOOD);
	blkfront_set_indirect(bf, 0);
	CHECK_EQ(bf->max_segs, BLK_SEGS);
	blkfront_set_indirect(bf, 5);
	CHECK_EQ(bf->max_segs, BLK_SEGS);
	blkfront_set_indirect(bf, BLK_SEGS);
	CHECK_EQ(bf->max_segs, BLK_SEGS);
	blkfront_set_indirect(bf, 17);
	CHECK_EQ(bf->max_segs, 17);
	fill(buf, 300 * 1024, 2);
	CHECK_EQ(rw(true, 0, buf, 300 * 1024), 0);
	CHECK_EQ(rw(false, 0, back_buf, 300 * 1024), 0);
	CHECK(!memcmp(back_buf, buf, 300 * 1024));
	CHECK_EQ(max_nseg, 17);
	CHECK(!bad_request);
	blkfront_set_indirect(bf, 0);
	CHECK_EQ(rw(false, 0, back_buf, 300 * 1024), 0);
	CHECK(!bad_request); /* no indirect request any more */
	CHECK(all_free());
}

/* An error on an indirect request fails that call; an answer that
 * names BLKIF_OP_INDIRECT (not what blkback sends) turns it off. */
static void indirect_errors(void)
{
	setup(ERROR_AT);
	blkfront_set_indirect(bf, 64);
	error_sector = 256; /* the second request of 128 KiB */
	CHECK_EQ(rw(false, 0, back_buf, 256 * 1024), -EIO);
	CHECK(ops_seen[BLKIF_OP_INDIRECT] > 0);
	CHECK(!bf->broken);
	CHECK(all_free());
	setup(ECHO_INDIRECT);
	blkfront_set_indirect(bf, 64);
	CHECK_EQ(rw(false, 0, back_buf, 256 * 1024), -EIO);
	CHECK(bf->broken);
	CHECK(strstr(last_why, "no request"));
}

int main(int argc, char **argv)
{
	test_init("blkfront", argc, argv);
	RUN(roundtrip_many_requests);
	RUN(out_of_order_answers);
	RUN(answers_before_the_wait);
	RUN(ring_wraps);
	RUN(error_status_fails_the_call_only);
	RUN(answer_for_no_request);
	RUN(answer_twice);
	RUN(answer_with_another_operation);
	RUN(producer_index_past_the_ring);
	RUN(no_answer_is_a_timeout_not_a_hang);
	RUN(flush);
	RUN(bad_arguments);
	RUN(indirect_requests);
	RUN(indirect_limits);
	RUN(indirect_errors);
	return test_summary();
}
