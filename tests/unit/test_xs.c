/* xen/xs.c: the xenstore protocol, against a fake xenstored behind
 * xs_tr. The ring transport in the same file is linked but never run:
 * the few kernel and hypervisor symbols it needs are stubbed here. */
#include <errno.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "arch.h"
#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "test.h"

/* --- what the ring transport links against; none of it is called --- */
char hypercall_page[4096];
struct xen_rings xen_rings;
void evtchn_wait(evtchn_port_t p, struct waitq *q)
{
	(void)p, (void)q;
	abort();
}
void wake_all(struct waitq *q)
{
	(void)q;
}
int evtchn_bind(evtchn_port_t p, evtchn_handler_t fn, void *data)
{
	(void)p, (void)fn, (void)data;
	abort();
}
void evtchn_unmask(evtchn_port_t p)
{
	(void)p;
}
void console_kwrite(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

uint64_t xen_monotonic_ns(void)
{
	abort();
}
int paging_map_phys(uint64_t pa, size_t len, uint64_t flags)
{
	(void)pa, (void)len, (void)flags;
	abort();
}
uint64_t paging_nx(void)
{
	return 0;
}

/* --- the fake xenstored --- */

/* Bytes the guest sent, and the messages queued for it to receive. */
static char sent[2 * XENSTORE_PAYLOAD_MAX];
static size_t nsent;
static char queue[4 * XENSTORE_PAYLOAD_MAX];
static size_t qhead, qtail;
static int send_error, recv_error;

/* The store: a few keys. */
static struct {
	char path[64], value[64];
} store[8];

/* Mischief before the real reply, set by a test. */
static enum {
	NONE,
	WATCH_FIRST,	/* a watch event first */
	OTHER_ID_FIRST, /* a reply to some other request first */
	HUGE_REPLY,	/* a reply header claiming more than 4096 bytes */
	WRONG_TYPE,	/* a reply of another type */
	ERROR_REPLY,	/* XS_ERROR with error_string */
	ERROR_NO_NUL,	/* the same without the NUL */
} mischief;
static const char *error_string;

static void put(uint32_t type, uint32_t req_id, const void *body, size_t len)
{
	struct xsd_sockmsg m = { .type = type, .req_id = req_id, .len = len };
	if (mischief == HUGE_REPLY)
		m.len = XENSTORE_PAYLOAD_MAX + 1;
	memcpy(queue + qtail, &m, sizeof(m));
	memcpy(queue + qtail + sizeof(m), body, len);
	qtail += sizeof(m) + len;
}

static void put_str(uint32_t type, uint32_t req_id, const char *s)
{
	put(type, req_id, s, strlen(s) + 1);
}

static const char *lookup(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(store); i++)
		if (!strcmp(store[i].path, path))
			return store[i].value;
	return NULL;
}

/* A whole request has arrived: answer it, like xenstored would. */
static void serve(const struct xsd_sockmsg *m, const char *body)
{
	if (mischief == WATCH_FIRST)
		put(XS_WATCH_EVENT, 0, "some/path\0token", 16);
	if (mischief == OTHER_ID_FIRST)
		put_str(m->type, m->req_id + 1000, "not yours");
	if (mischief == WRONG_TYPE) {
		put_str(XS_DIRECTORY, m->req_id, "x");
		return;
	}
	if (mischief == ERROR_REPLY || mischief == ERROR_NO_NUL) {
		put(XS_ERROR, m->req_id, error_string,
		    strlen(error_string) + (mischief == ERROR_REPLY));
		return;
	}
	if (m->type == XS_READ) {
		const char *v = lookup(body);
		if (v)
			put(XS_READ, m->req_id, v, strlen(v)); /* no NUL */
		else
			put_str(XS_ERROR, m->req_id, "ENOENT");
	} else if (m->type == XS_WRITE) {
		size_t plen = strlen(body) + 1;
		for (size_t i = 0; i < ARRAY_SIZE(store); i++)
			if (!store[i].path[0] || !strcmp(store[i].path, body)) {
				strcpy(store[i].path, body);
				memcpy(store[i].value, body + plen,
				       m->len - plen);
				store[i].value[m->len - plen] = 0;
				break;
			}
		put_str(XS_WRITE, m->req_id, "OK");
	} else {
		put_str(XS_ERROR, m->req_id, "EINVAL");
	}
}

static struct xsd_sockmsg last_req;
static char last_body[XENSTORE_PAYLOAD_MAX + 1];
static int nrequests;

static int fake_send(const void *buf, size_t len)
{
	if (send_error)
		return send_error;
	CHECK(nsent + len <= sizeof(sent));
	if (nsent + len > sizeof(sent))
		return -EIO;
	memcpy(sent + nsent, buf, len);
	nsent += len;
	struct xsd_sockmsg m;
	if (nsent >= sizeof(m)) {
		memcpy(&m, sent, sizeof(m));
		if (nsent == sizeof(m) + m.len) {
			last_req = m;
			memcpy(last_body, sent + sizeof(m), m.len);
			last_body[m.len] = 0;
			nrequests++;
			nsent = 0;
			serve(&last_req, last_body);
		}
	}
	return 0;
}

static int fake_recv(void *buf, size_t len)
{
	if (recv_error)
		return recv_error;
	/* The real ring would wait for ever here: say so and fail. */
	if (qtail - qhead < len) {
		printf("  the guest waits for %zu bytes; %zu queued\n", len,
		       qtail - qhead);
		test_fails++;
		return -EIO;
	}
	if (len)
		memcpy(buf, queue + qhead, len);
	qhead += len;
	return 0;
}

static const struct xs_transport fake = { .send = fake_send,
					  .recv = fake_recv };

static void setup(void)
{
	xs_tr = &fake;
	nsent = qhead = qtail = 0;
	send_error = recv_error = 0;
	mischief = NONE;
	nrequests = 0;
	memset(store, 0, sizeof(store));
	strcpy(store[0].path, "domid");
	strcpy(store[0].value, "7");
	strcpy(store[1].path, "name");
	strcpy(store[1].value, "hello");
}

/* The guest has read everything it was sent, no more and no less. */
static bool drained(void)
{
	return qhead == qtail && nsent == 0;
}

/* --- the cases --- */

static void no_transport(void)
{
	setup();
	xs_tr = NULL;
	char buf[16];
	CHECK_EQ(xs_read("domid", buf, sizeof(buf)), -ENODEV);
	CHECK_EQ(xs_write("a", "b"), -ENODEV);
}

static void read_a_value(void)
{
	setup();
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "hello");
	/* On the wire: XS_READ, the path with its NUL. */
	CHECK_EQ(last_req.type, XS_READ);
	CHECK_EQ(last_req.len, 5);
	CHECK(!memcmp(last_body, "name", 5));
	CHECK_EQ(xs_domid(), 7);
	CHECK(drained());
}

static void request_ids_differ(void)
{
	setup();
	char buf[16];
	xs_read("name", buf, sizeof(buf));
	uint32_t first = last_req.req_id;
	xs_read("name", buf, sizeof(buf));
	CHECK(last_req.req_id != first);
}

static void write_then_read(void)
{
	setup();
	CHECK_EQ(xs_write("data/exit-status", "3"), 0);
	/* On the wire: the path with its NUL, the value without. */
	CHECK_EQ(last_req.type, XS_WRITE);
	CHECK_EQ(last_req.len, strlen("data/exit-status") + 1 + 1);
	CHECK(!memcmp(last_body,
		      "data/exit-status\0"
		      "3",
		      last_req.len));
	char buf[16];
	CHECK_EQ(xs_read("data/exit-status", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "3");
	CHECK(drained());
}

static void missing_key_is_enoent(void)
{
	setup();
	char buf[16] = "junk";
	CHECK_EQ(xs_read("no/such/key", buf, sizeof(buf)), -ENOENT);
	/* Even when the caller's buffer is too small for "ENOENT". */
	char small[4];
	CHECK_EQ(xs_read("no/such/key", small, sizeof(small)), -ENOENT);
	CHECK_EQ(xs_domid(), 7);
	CHECK(drained());
}

static void error_strings(void)
{
	static const struct {
		const char *s;
		int err;
	} cases[] = {
		{ "EACCES", -EACCES },
		{ "EAGAIN", -EAGAIN },
		{ "ENOTEMPTY", -ENOTEMPTY }, /* longer than xs_write's buffer */
		{ "EWHAT", -EIO },	     /* unknown */
		{ "", -EIO },
		{ "ENOENTX", -EIO },
		{ "ENOEN", -EIO },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		setup();
		mischief = ERROR_REPLY;
		error_string = cases[i].s;
		char buf[64];
		int r = xs_read("name", buf, sizeof(buf));
		if (r != cases[i].err)
			printf("  error string \"%s\"\n", cases[i].s);
		CHECK_EQ(r, cases[i].err);
		r = xs_write("name", "x");
		if (r != cases[i].err)
			printf("  error string \"%s\" (write)\n", cases[i].s);
		CHECK_EQ(r, cases[i].err);
		CHECK(drained());
	}
	/* xenstored sends the NUL, but do not depend on it. */
	setup();
	mischief = ERROR_NO_NUL;
	error_string = "EACCES";
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), -EACCES);
	CHECK(drained());
}

static void watch_event_is_skipped(void)
{
	setup();
	mischief = WATCH_FIRST;
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "hello");
	CHECK(drained());
}

static void reply_to_another_request_is_skipped(void)
{
	setup();
	mischief = OTHER_ID_FIRST;
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "hello");
	CHECK_EQ(xs_write("k", "v"), 0);
	CHECK(drained());
}

static void oversized_reply_is_eio(void)
{
	setup();
	mischief = HUGE_REPLY;
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), -EIO);
}

static void reply_of_wrong_type_is_eio(void)
{
	setup();
	mischief = WRONG_TYPE;
	char buf[16];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), -EIO);
	CHECK(drained());
}

/* A value longer than the buffer is cut (and NUL-terminated), and the
 * rest is read off the transport, so the next request still works. */
static void long_value_is_truncated(void)
{
	setup();
	char buf[4];
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "hel");
	CHECK(drained());
	char one[1] = { 'x' };
	CHECK_EQ(xs_read("name", one, 1), 0);
	CHECK_EQ(one[0], 0);
	CHECK_EQ(xs_request(XS_READ, (const char *const[]){ "name" }, 1, NULL,
			    0),
		 0);
	CHECK_EQ(xs_domid(), 7);
	CHECK(drained());
}

static void long_request_is_e2big(void)
{
	setup();
	static char path[XENSTORE_PAYLOAD_MAX + 2];
	char buf[16];
	/* The path and its NUL: exactly the maximum payload is fine. */
	memset(path, 'p', XENSTORE_PAYLOAD_MAX - 1);
	path[XENSTORE_PAYLOAD_MAX - 1] = 0;
	CHECK_EQ(xs_read(path, buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(last_req.len, XENSTORE_PAYLOAD_MAX);
	/* One more byte: refused before anything is sent. */
	path[XENSTORE_PAYLOAD_MAX - 1] = 'p';
	path[XENSTORE_PAYLOAD_MAX] = 0;
	nrequests = 0;
	CHECK_EQ(xs_read(path, buf, sizeof(buf)), -E2BIG);
	CHECK_EQ(xs_write(path, ""), -E2BIG);
	CHECK_EQ(xs_write("k", path), -E2BIG);
	CHECK_EQ(nrequests, 0);
	CHECK_EQ(nsent, 0);
	CHECK(drained());
}

static void too_many_parts(void)
{
	setup();
	const char *parts[] = { "a", "b", "c", "d", "e" };
	CHECK_EQ(xs_request(XS_READ, parts, 5, NULL, 0), -EINVAL);
	CHECK_EQ(nrequests, 0);
	CHECK(drained());
}

static void transport_errors_are_returned(void)
{
	setup();
	char buf[16];
	send_error = -EIO;
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), -EIO);
	setup();
	recv_error = -EPIPE;
	CHECK_EQ(xs_read("name", buf, sizeof(buf)), -EPIPE);
}

int main(int argc, char **argv)
{
	test_init("xs", argc, argv);
	RUN(no_transport);
	RUN(read_a_value);
	RUN(request_ids_differ);
	RUN(write_then_read);
	RUN(missing_key_is_enoent);
	RUN(error_strings);
	RUN(watch_event_is_skipped);
	RUN(reply_to_another_request_is_skipped);
	RUN(oversized_reply_is_eio);
	RUN(reply_of_wrong_type_is_eio);
	RUN(long_value_is_truncated);
	RUN(long_request_is_e2big);
	RUN(too_many_parts);
	RUN(transport_errors_are_returned);
	return test_summary();
}
