/*
 * A xenstore client: requests go out on the req ring of the store page,
 * replies come back on rsp; xenstored kicks the store event channel after
 * moving an index. Requests are synchronous: one in flight at a time.
 *
 * The protocol code talks to a transport (struct xs_transport), so host
 * tests can put a fake xenstored behind it. xenstored is another domain:
 * reply headers are copied out and checked before use.
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
static struct waitq xs_wq;
static uint32_t next_req_id = 1;
const struct xs_transport *xs_tr;

/* --- the ring transport --- */

static void xs_event(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	wake_all(&xs_wq);
}

static int ring_send(const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
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
					       __ATOMIC_ACQUIRE) == cons)
				evtchn_wait(xs_port, &xs_wq);
			continue;
		}
		size_t n = MIN(space, len);
		for (size_t i = 0; i < n; i++)
			ring->req[MASK_XENSTORE_IDX(prod++)] = *p++;
		/* Bytes before the index that publishes them. */
		__atomic_store_n(&ring->req_prod, prod, __ATOMIC_RELEASE);
		len -= n;
	}
	evtchn_notify(xs_port);
	return 0;
}

static int ring_recv(void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		XENSTORE_RING_IDX prod =
			__atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX cons = ring->rsp_cons;
		uint32_t used = ring_used(prod, cons, XENSTORE_RING_SIZE);
		if (used == RING_CORRUPT)
			return -EIO;
		if (!used) {
			while (__atomic_load_n(&ring->rsp_prod,
					       __ATOMIC_ACQUIRE) == prod)
				evtchn_wait(xs_port, &xs_wq);
			continue;
		}
		size_t n = MIN(used, len);
		for (size_t i = 0; i < n; i++)
			*p++ = ring->rsp[MASK_XENSTORE_IDX(cons++)];
		/* Finished reading before we give the space back. */
		__atomic_store_n(&ring->rsp_cons, cons, __ATOMIC_RELEASE);
		evtchn_notify(xs_port);
		len -= n;
	}
	return 0;
}

static const struct xs_transport ring_transport = {
	.send = ring_send,
	.recv = ring_recv,
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
	evtchn_bind(xs_port, xs_event, NULL);
	evtchn_unmask(xs_port);
	xs_tr = &ring_transport;
	return 0;
}

/* --- the protocol --- */

static int xs_errno(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (strnlen(xsd_errors[i].errstring, 16) == len &&
		    !memcmp(xsd_errors[i].errstring, s, len))
			return -xsd_errors[i].errnum;
	return -EIO;
}

/* Receive a len-byte payload: as much as fits into buf (room bytes, with
 * the NUL we add; nothing when room is 0), the rest read and dropped so
 * the stream stays in step. Returns the bytes kept or -errno. */
static int recv_payload(char *buf, size_t room, size_t len)
{
	size_t keep = MIN(len, room ? room - 1 : 0);
	char discard[64];
	int r = xs_tr->recv(buf, keep);
	for (size_t left = len - keep; !r && left;) {
		size_t n = MIN(left, sizeof(discard));
		r = xs_tr->recv(discard, n);
		left -= n;
	}
	if (r)
		return r;
	if (room)
		buf[keep] = 0;
	return (int)keep;
}

/*
 * Send one request made of nparts strings (each sent with its NUL unless
 * it is the last part of an XS_WRITE) and wait for its reply. Returns the
 * reply length (the reply is NUL-terminated in buf) or -errno.
 */
int xs_request(uint32_t type, const char *const *parts, int nparts, char *buf,
	       size_t buflen)
{
	if (!xs_tr)
		return -ENODEV;
	struct xsd_sockmsg msg = { .type = type, .req_id = next_req_id++ };
	size_t lens[4];
	if (nparts > (int)ARRAY_SIZE(lens))
		return -EINVAL;
	for (int i = 0; i < nparts; i++) {
		lens[i] = strlen(parts[i]) +
			  !(type == XS_WRITE && i == nparts - 1);
		msg.len += lens[i];
	}
	if (msg.len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	int r = xs_tr->send(&msg, sizeof(msg));
	for (int i = 0; !r && i < nparts; i++)
		r = xs_tr->send(parts[i], lens[i]);
	if (r)
		return r;

	for (;;) {
		struct xsd_sockmsg rep;
		char err[16]; /* an error's name, whatever room buf has */
		r = xs_tr->recv(&rep, sizeof(rep));
		if (r)
			return r;
		if (rep.len > XENSTORE_PAYLOAD_MAX)
			return -EIO; /* a broken reply: we cannot resync */
		if (rep.type == XS_ERROR)
			r = recv_payload(err, sizeof(err), rep.len);
		else
			r = recv_payload(buf, buflen, rep.len);
		if (r < 0)
			return r;
		if (rep.type == XS_WATCH_EVENT || rep.req_id != msg.req_id)
			continue; /* not ours: no watches yet, drop it */
		if (rep.type == XS_ERROR)
			return xs_errno(err, strlen(err));
		if (rep.type != type)
			return -EIO;
		return r;
	}
}

int xs_read(const char *path, char *buf, size_t len)
{
	const char *parts[] = { path };
	return xs_request(XS_READ, parts, 1, buf, len);
}

int xs_write(const char *path, const char *value)
{
	const char *parts[] = { path, value };
	char ok[8];
	int r = xs_request(XS_WRITE, parts, 2, ok, sizeof(ok));
	return r < 0 ? r : 0;
}

int xs_domid(void)
{
	char buf[16];
	int r = xs_read("domid", buf, sizeof(buf));
	if (r <= 0)
		return -1;
	int v = 0;
	for (char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

void xs_banner(void)
{
	printk("  store: pfn %#lx evtchn %u\n", xs_pfn, xs_port);
}

void xs_exit_report(int status)
{
	char s[12];
	ksnprintf(s, sizeof(s), "%d", status);
	xs_write("data/exit-status", s);
}
