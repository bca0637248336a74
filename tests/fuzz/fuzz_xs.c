/*
 * Fuzz target: the xenstore client's reply parser (drivers/xen/xs.c,
 * xs_watch.c). The input is what xenstored sends, byte for byte. The
 * client sets a watch and makes one request of each kind it parses
 * (read, a number, a directory, a transaction's start and end), then
 * takes the watch's events. Request ids and watch tokens start afresh
 * with each input (1, 2, ...; "atman-1"), so an input can answer them.
 *
 * The input: one byte, how many bytes a read of the ring returns (mod
 * 32; 0: all it asks for); then per request a segment, a 2-byte length
 * (big-endian) and that many bytes, which xenstored "sends" once the
 * request is out; whatever is left comes before the events are taken.
 *
 * Besides what the sanitizers catch, every result is checked against
 * the contract in xendrv.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xs_wire.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"

/* --- what the xenstore code links against --- */
struct thread *current; /* none: nobody may sleep, waiters poll */
int irq_nesting;
bool kcrashing;
static uint64_t now;

uint64_t now_ns(void)
{
	return now;
}

void *kmalloc(size_t n)
{
	return n > 2048 ? NULL : calloc(1, n);
}

void kfree(void *p)
{
	free(p);
}

void console_kwrite(const char *buf, size_t len)
{
	(void)buf, (void)len;
}

noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void wake_all(struct waitq *q)
{
	(void)q; /* nobody sleeps here */
}

bool wake_one(struct waitq *q)
{
	(void)q;
	return false;
}

void waitq_add(struct waitq *q, struct thread *t)
{
	(void)q, (void)t;
	abort(); /* only a sleeper queues */
}

bool sched_block(uint64_t deadline_ns)
{
	(void)deadline_ns;
	abort();
}

#define ASSERT(c)                                                              \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#c);                                           \
			abort();                                               \
		}                                                              \
	} while (0)

/* --- the transport: xenstored's side is the input --- */
static const uint8_t *in; /* not yet sent */
static size_t in_left, chunk;
static uint8_t stream[1 << 17]; /* sent, not yet read */
static size_t shead, stail;
static size_t req_left; /* bytes of the request going out */

static void release(size_t n)
{
	if (n > in_left)
		n = in_left;
	ASSERT(stail + n <= sizeof(stream)); /* -max_len keeps inputs small */
	memcpy(stream + stail, in, n);
	stail += n;
	in += n;
	in_left -= n;
}

/* A request is going out: its segment comes. */
static void next_segment(void)
{
	if (in_left < 2) {
		release(in_left);
		return;
	}
	size_t n = (size_t)in[0] << 8 | in[1];
	in += 2;
	in_left -= 2;
	release(n);
}

static int fz_send(const void *buf, size_t len)
{
	if (!req_left) { /* a header: the start of a request */
		struct xsd_sockmsg h;
		ASSERT(len == sizeof(h));
		memcpy(&h, buf, sizeof(h));
		ASSERT(h.len <= XENSTORE_PAYLOAD_MAX);
		req_left = sizeof(h) + h.len;
		next_segment();
	}
	ASSERT(len <= req_left);
	req_left -= len;
	return 0;
}

static long fz_recv(void *buf, size_t len)
{
	size_t n = stail - shead;
	if (n > len)
		n = len;
	if (chunk && n > chunk)
		n = chunk;
	memcpy(buf, stream + shead, n);
	shead += n;
	return (long)n;
}

/* The input is all there is: whoever waits now waits in vain. */
static void fz_wait(struct waitq *q)
{
	(void)q;
	now += XS_TIMEOUT_NS;
}

/* A whole request is out: nobody to wake here. */
static void fz_kick(void)
{
}

static const struct xs_transport fz = {
	.send = fz_send,
	.kick = fz_kick,
	.recv = fz_recv,
	.wait = fz_wait,
};

/* A string result: the whole length, the buffer cut and terminated. */
static void check_cut(int r, const char *buf, size_t room)
{
	ASSERT(r >= -4095 && r <= XENSTORE_PAYLOAD_MAX);
	if (r >= 0)
		ASSERT(strnlen(buf, room) < room);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[64], big[XENSTORE_PAYLOAD_MAX + 1];
	if (!size)
		return 0;
	chunk = data[0] % 32; /* 0: as much as asked for */
	in = data + 1;
	in_left = size - 1;
	shead = stail = req_left = 0;
	now = 1;
	xs_attach(&fz);

	struct xs_watch w;
	int watching = xs_watch_add(&w, "data") == 0;

	int r = xs_read(XS_NOTX, "name", buf, sizeof(buf));
	check_cut(r, buf, sizeof(buf));
	r = xs_read(XS_NOTX, "name", big, sizeof(big));
	check_cut(r, big, sizeof(big));
	if (r >= 0)
		ASSERT(r < (int)sizeof(big));

	unsigned long v = 12345;
	r = xs_read_uint(XS_NOTX, "n", 1000, &v);
	ASSERT(r ? v == 12345 : v <= 1000);

	r = xs_directory(XS_NOTX, "device", big, sizeof(big));
	if (r > 0) { /* r names, each non-empty and terminated */
		const char *p = big;
		for (int i = 0; i < r; i++) {
			size_t n = strnlen(p, big + sizeof(big) - p);
			ASSERT(n > 0 && p + n < big + sizeof(big));
			p += n + 1;
		}
	}

	xs_tx tx = 0;
	r = xs_transaction_start(&tx);
	ASSERT(r ? tx == 0 : tx != XS_NOTX);
	if (!r)
		xs_transaction_end(tx, true);

	release(in_left);
	for (int i = 0; watching && i < 2 * XS_WATCH_QUEUE_MAX; i++) {
		r = xs_watch_next(&w, buf, sizeof(buf), XS_NOWAIT);
		if (r < 0)
			break;
		check_cut(r, buf, sizeof(buf));
	}
	if (watching)
		xs_watch_remove(&w);
	return 0;
}
