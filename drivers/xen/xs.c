/*
 * The xenstore protocol (Xen's docs/misc/xenstore.txt): requests out,
 * replies and watch events back, over a transport: the store ring in the
 * guest (xs_ring.c), a fake xenstored in host tests.
 *
 * Several requests may be in flight at once, from several threads. Each
 * is a struct xs_req on its caller's stack, on the pending list under its
 * request id until its reply comes. xs_rx reads what xenstored has sent,
 * assembles one message at a time (a message may be longer than the
 * ring), checks it, and routes it: a reply to the request with its id,
 * whose owner it wakes; a watch event to the watch with its token
 * (xs_watch.c). It runs in the store's event handler and in every waiter
 * before it sleeps, so a lost notification costs a pause, never a hang.
 * It never sleeps and never calls out; it copies only into buffers their
 * owners have already written (see xs_request).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "xendrv.h"
#include "kern/kern.h"
#include "kern/lock.h"

#define XS_MAX_PARTS 4
#define XS_HDR	     sizeof(struct xsd_sockmsg)

struct xs_req {
	uint32_t id, type;
	char *buf; /* the reply's payload: cut to room - 1, NUL-terminated */
	size_t room;
	int result; /* once done: the payload's whole length, or -errno */
	bool done;
	struct waitq wq; /* its owner sleeps here */
	struct xs_req *next;
};

/* Guards the pending list, the message coming in, the watch list. */
struct irq_lock xs_lock = IRQ_LOCK_INIT("xenstore");
const struct xs_transport *xs_tr;
bool xs_broken; /* the stream is lost: every call says -EIO */
static struct xs_req *pending;
static uint32_t next_id;
static bool sending; /* a thread is putting a request on the wire */
static struct waitq send_q;

/* The message coming in. */
static struct {
	struct xsd_sockmsg hdr;
	size_t have; /* bytes of header and payload so far */
	char body[XENSTORE_PAYLOAD_MAX + 1]; /* and the NUL we add */
} rx;

void xs_attach(const struct xs_transport *tr)
{
	kassert(!pending && !sending);
	xs_watch_reset();
	memset(&rx, 0, sizeof(rx));
	xs_broken = false;
	next_id = 1;
	xs_tr = tr;
}

static int xs_errno(const char *s, size_t len)
{
	if (len && !s[len - 1])
		len--; /* xenstored sends the NUL; do not depend on it */
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (strlen(xsd_errors[i].errstring) == len &&
		    !memcmp(xsd_errors[i].errstring, s, len))
			return -xsd_errors[i].errnum;
	return -EIO;
}

/* The stream is lost (xs_lock held): fail everyone who waits. */
static void fail_all(void)
{
	xs_broken = true;
	while (pending) {
		struct xs_req *r = pending;
		pending = r->next;
		r->result = -EIO;
		r->done = true;
		wake_all(&r->wq);
	}
	xs_watch_wake_all();
}

/* One whole message, checked for length already (xs_lock held). */
static void dispatch(const struct xsd_sockmsg *h, const char *body, size_t len)
{
	if (h->type == XS_WATCH_EVENT) {
		xs_watch_route(body, len);
		return;
	}
	struct xs_req **pp = &pending, *r;
	while ((r = *pp) && r->id != h->req_id)
		pp = &r->next;
	if (!r)
		return; /* its waiter gave up, or xenstored made it up */
	*pp = r->next;
	if (h->type == XS_ERROR) {
		r->result = xs_errno(body, len);
	} else if (h->type != r->type) {
		r->result = -EIO;
	} else {
		if (r->room) {
			size_t keep = MIN(len, r->room - 1);
			memcpy(r->buf, body, keep);
			r->buf[keep] = 0;
		}
		r->result = (int)len;
	}
	r->done = true;
	wake_all(&r->wq);
}

void xs_rx(void)
{
	bool corrupt = false;
	uint32_t too_long = 0;
	unsigned long f = irq_lock(&xs_lock);
	while (xs_tr && !xs_broken) {
		char *dst;
		size_t want;
		if (rx.have < XS_HDR) {
			dst = (char *)&rx.hdr + rx.have;
			want = XS_HDR - rx.have;
		} else {
			dst = rx.body + (rx.have - XS_HDR);
			want = XS_HDR + rx.hdr.len - rx.have;
		}
		long n = want ? xs_tr->recv(dst, want) : 0;
		if (n < 0) {
			corrupt = true;
			fail_all();
			break;
		}
		kassert((size_t)n <= want);
		if (want && !n)
			break; /* nothing more yet */
		rx.have += n;
		if (rx.have < XS_HDR)
			continue;
		/* Check the length before a byte of payload is stored: past
		 * a length we cannot trust there is no finding the next
		 * message again. */
		if (rx.hdr.len > XENSTORE_PAYLOAD_MAX) {
			too_long = rx.hdr.len;
			fail_all();
			break;
		}
		if (rx.have < XS_HDR + rx.hdr.len)
			continue;
		rx.body[rx.hdr.len] = 0;
		rx.have = 0;
		dispatch(&rx.hdr, rx.body, rx.hdr.len);
	}
	irq_unlock(&xs_lock, f);
	/* Said outside the lock: the console may wait. */
	if (corrupt)
		printk("atman: xenstore: the reply ring's indices are "
		       "corrupt; xenstore is off\n");
	if (too_long)
		printk("atman: xenstore: a message of %u bytes (at most %u "
		       "may come); xenstore is off\n",
		       too_long, XENSTORE_PAYLOAD_MAX);
}

/* One sender at a time: a request's bytes must be contiguous on the
 * wire, and sending may wait for room. */
static int send_lock(void)
{
	for (;;) {
		unsigned long f = irq_lock(&xs_lock);
		bool busy = sending;
		if (!busy)
			sending = true;
		else if (can_sleep())
			waitq_add(&send_q, current);
		irq_unlock(&xs_lock, f);
		if (!busy)
			return 0;
		if (!can_sleep())
			return -EBUSY; /* a sender sleeps; we cannot wait */
		sched_block(0);
	}
}

static void send_unlock(void)
{
	unsigned long f = irq_lock(&xs_lock);
	sending = false;
	wake_one(&send_q);
	irq_unlock(&xs_lock, f);
}

/* An id no request in flight has (xs_lock held). */
static uint32_t new_id(void)
{
	for (;;) {
		uint32_t id = next_id++;
		struct xs_req *r = pending;
		while (r && r->id != id)
			r = r->next;
		if (!r)
			return id;
	}
}

static int wait_reply(struct xs_req *r)
{
	uint64_t deadline = now_ns() + XS_TIMEOUT_NS;
	for (;;) {
		xs_rx();
		if (r->done)
			return r->result;
		if (now_ns() >= deadline)
			break;
		xs_tr->wait(&r->wq);
	}
	unsigned long f = irq_lock(&xs_lock);
	if (!r->done)
		for (struct xs_req **pp = &pending; *pp; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				break;
			}
	irq_unlock(&xs_lock, f);
	if (r->done)
		return r->result;
	printk("atman: xenstore: no reply to request %u (type %u) in %llu "
	       "s\n",
	       r->id, r->type, XS_TIMEOUT_NS / 1000000000ULL);
	return -ETIMEDOUT;
}

/*
 * Send one request made of nparts strings (each with its NUL, but for
 * the value of an XS_WRITE) in transaction tx and wait for its reply.
 * Returns the reply payload's whole length (buf holds it NUL-terminated,
 * cut to room - 1 bytes) or -errno.
 */
int xs_request(xs_tx tx, uint32_t type, const char *const *parts, int nparts,
	       char *buf, size_t room)
{
	struct xsd_sockmsg msg = { .type = type, .tx_id = tx };
	size_t lens[XS_MAX_PARTS];
	if (nparts < 0 || nparts > XS_MAX_PARTS)
		return -EINVAL;
	for (int i = 0; i < nparts; i++) {
		lens[i] = strnlen(parts[i], XENSTORE_PAYLOAD_MAX + 1) +
			  !(type == XS_WRITE && i == nparts - 1);
		if (lens[i] > XENSTORE_PAYLOAD_MAX - msg.len)
			return -E2BIG;
		msg.len += lens[i];
	}
	if (!xs_tr)
		return -ENODEV;
	if (xs_broken)
		return -EIO;
	/* Written here, by the caller, so that routing (maybe in the event
	 * handler) never first-touches a lazily backed page. */
	if (room)
		memset(buf, 0, room);
	struct xs_req r = { .type = type, .buf = buf, .room = room };
	int err = send_lock();
	if (err)
		return err;
	unsigned long f = irq_lock(&xs_lock);
	r.id = msg.req_id = new_id();
	r.next = pending;
	pending = &r; /* before it is sent: the reply may come at once */
	irq_unlock(&xs_lock, f);
	err = xs_tr->send(&msg, sizeof(msg));
	for (int i = 0; !err && i < nparts; i++)
		err = xs_tr->send(parts[i], lens[i]);
	if (!err)
		xs_tr->kick(); /* the whole request at once */
	send_unlock();
	if (err) {
		/* Part of a request may be on the wire: the stream is lost. */
		f = irq_lock(&xs_lock);
		fail_all();
		irq_unlock(&xs_lock, f);
		printk("atman: xenstore: cannot send (error %d); xenstore is "
		       "off\n",
		       err);
		return err;
	}
	return wait_reply(&r);
}

int xs_read(xs_tx tx, const char *path, char *buf, size_t room)
{
	const char *parts[] = { path };
	return xs_request(tx, XS_READ, parts, 1, buf, room);
}

bool xs_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned long d = *s - '0';
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A reply that is one string: its NUL (if sent) ends it, and nothing
 * else may. */
static bool one_string(const char *buf, int len, size_t room)
{
	if (len < 0 || (size_t)len >= room)
		return false;
	if (len && !buf[len - 1])
		len--;
	return strlen(buf) == (size_t)len;
}

int xs_read_uint(xs_tx tx, const char *path, unsigned long max,
		 unsigned long *out)
{
	char v[24];
	int r = xs_read(tx, path, v, sizeof(v));
	if (r < 0)
		return r;
	if (!one_string(v, r, sizeof(v)) || !xs_parse_uint(v, max, out))
		return -EINVAL;
	return 0;
}

int xs_write(xs_tx tx, const char *path, const char *value)
{
	const char *parts[] = { path, value };
	char ok[4];
	int r = xs_request(tx, XS_WRITE, parts, 2, ok, sizeof(ok));
	return r < 0 ? r : 0;
}

int xs_printf(xs_tx tx, const char *path, const char *fmt, ...)
{
	char v[128];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v))
		return -E2BIG;
	return xs_write(tx, path, v);
}

int xs_rm(xs_tx tx, const char *path)
{
	const char *parts[] = { path };
	char ok[4];
	int r = xs_request(tx, XS_RM, parts, 1, ok, sizeof(ok));
	return r < 0 ? r : 0;
}

int xs_directory(xs_tx tx, const char *path, char *buf, size_t room)
{
	const char *parts[] = { path };
	int r = xs_request(tx, XS_DIRECTORY, parts, 1, buf, room);
	if (r <= 0)
		return r;
	if ((size_t)r >= room)
		return -ERANGE;
	/* Each name ends with a NUL, the last one too; none is empty. */
	if (buf[r - 1])
		return -EIO;
	int n = 0;
	for (int i = 0; i < r; i++) {
		if (buf[i])
			continue;
		if (i == 0 || !buf[i - 1])
			return -EIO;
		n++;
	}
	return n;
}

int xs_transaction_start(xs_tx *tx)
{
	const char *parts[] = { "" };
	char id[16];
	unsigned long v;
	int r = xs_request(XS_NOTX, XS_TRANSACTION_START, parts, 1, id,
			   sizeof(id));
	if (r < 0)
		return r;
	if (!one_string(id, r, sizeof(id)) ||
	    !xs_parse_uint(id, UINT32_MAX, &v) || v == XS_NOTX)
		return -EIO;
	*tx = v;
	return 0;
}

int xs_transaction_end(xs_tx tx, bool commit)
{
	const char *parts[] = { commit ? "T" : "F" };
	char ok[4];
	int r = xs_request(tx, XS_TRANSACTION_END, parts, 1, ok, sizeof(ok));
	return r < 0 ? r : 0;
}

int xs_transact(int (*fn)(xs_tx tx, void *arg), void *arg)
{
	for (int i = 0; i < XS_TX_TRIES; i++) {
		xs_tx tx;
		int r = xs_transaction_start(&tx);
		if (r)
			return r;
		r = fn(tx, arg);
		if (r) {
			xs_transaction_end(tx, false);
			return r;
		}
		r = xs_transaction_end(tx, true);
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
}
