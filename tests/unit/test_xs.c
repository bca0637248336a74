/* drivers/xen/xs.c and xs_watch.c: the xenstore protocol against a fake
 * xenstored (tests/unit/fake_xenstore.c), several requests in flight
 * from threads of the fake scheduler. */
#include <errno.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_xenstore.h"
#include "tests/unit/test.h"

int go_spawn(void (*fn)(void *), void *arg);

/* expr in kernel context, as every caller of the xenstore code is. */
#define K(expr)                                                                \
	({                                                                     \
		unsigned long f_ = kern_enter();                               \
		__typeof__(expr) r_ = (expr);                                  \
		kern_leave(f_);                                                \
		r_;                                                            \
	})

static void setup(void)
{
	fake_sched_init(1, 0);
	fxs_reset();
	fxs_set("domid", "7");
	fxs_set("name", "hello");
}

/* A thread that reads one key. */
struct reader {
	const char *path;
	char buf[32];
	int r;
	bool done;
};

static void reader_main(void *arg)
{
	struct reader *rd = arg;
	rd->r = K(xs_read(XS_NOTX, rd->path, rd->buf, sizeof(rd->buf)));
	rd->done = true;
}

/* Deliver the held message that answers request id. */
static void deliver_id(uint32_t id)
{
	for (int i = 0; i < fxs_nheld(); i++)
		if (fxs_held(i)->type != XS_WATCH_EVENT &&
		    fxs_held(i)->req_id == id) {
			fxs_deliver(i);
			return;
		}
	CHECK(!"no held reply with that id");
}

static void deliver_all(void)
{
	while (fxs_nheld())
		fxs_deliver(0);
}

static void inject_event(const char *path, const char *token)
{
	char body[256];
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
	memcpy(body, path, pl);
	memcpy(body + pl, token, tl);
	fxs_inject_msg(XS_WATCH_EVENT, 0, body, pl + tl);
}

/* --- plain requests --- */

static void no_transport(void)
{
	setup();
	xs_attach(NULL);
	char buf[16];
	struct xs_watch w;
	CHECK_EQ(K(xs_read(XS_NOTX, "domid", buf, sizeof(buf))), -ENODEV);
	CHECK_EQ(K(xs_write(XS_NOTX, "a", "b")), -ENODEV);
	CHECK_EQ(K(xs_watch_add(&w, "a")), -ENODEV);
	CHECK_EQ(K(xs_watch_next(&w, buf, sizeof(buf), XS_NOWAIT)), -ENODEV);
}

static void read_a_value(void)
{
	setup();
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	CHECK_STR(buf, "hello");
	/* On the wire: XS_READ, the path with its NUL, no transaction. */
	CHECK_EQ(fxs_last.type, XS_READ);
	CHECK_EQ(fxs_last.len, 5);
	CHECK_EQ(fxs_last.tx_id, 0);
	CHECK(!memcmp(fxs_last_body, "name", 5));
	CHECK(fxs_drained());
}

static void write_then_read(void)
{
	setup();
	CHECK_EQ(K(xs_write(XS_NOTX, "data/exit-status", "3")), 0);
	/* The path with its NUL, the value without. */
	CHECK_EQ(fxs_last.type, XS_WRITE);
	CHECK_EQ(fxs_last.len, strlen("data/exit-status") + 1 + 1);
	CHECK(!memcmp(fxs_last_body,
		      "data/exit-status\0"
		      "3",
		      fxs_last.len));
	CHECK_STR(fxs_get("data/exit-status"), "3");
	CHECK_EQ(fxs_kicks, 1); /* header, path, value: one kick */
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "data/exit-status", buf, sizeof(buf))), 1);
	CHECK_STR(buf, "3");
	CHECK_EQ(K(xs_printf(XS_NOTX, "data/n", "%d-%s", 42, "x")), 0);
	CHECK_STR(fxs_get("data/n"), "42-x");
	CHECK_EQ(K(xs_rm(XS_NOTX, "data/n")), 0);
	CHECK(fxs_get("data/n") == NULL);
	CHECK(fxs_drained());
}

static void request_ids_differ(void)
{
	setup();
	char buf[16];
	K(xs_read(XS_NOTX, "name", buf, sizeof(buf)));
	uint32_t first = fxs_last.req_id;
	K(xs_read(XS_NOTX, "name", buf, sizeof(buf)));
	CHECK(fxs_last.req_id != first);
}

static void missing_key_is_enoent(void)
{
	setup();
	char buf[16] = "junk";
	CHECK_EQ(K(xs_read(XS_NOTX, "no/such/key", buf, sizeof(buf))), -ENOENT);
	/* Even when the caller's buffer is too small for "ENOENT". */
	char small[2];
	CHECK_EQ(K(xs_read(XS_NOTX, "no/such", small, sizeof(small))), -ENOENT);
	CHECK(fxs_drained());
}

/* The reply becomes XS_ERROR with this string (and its NUL or not). */
static const char *error_string;
static bool error_nul;
static void to_error(struct xsd_sockmsg *h, char *body, size_t *len)
{
	h->type = XS_ERROR;
	*len = strlen(error_string) + error_nul;
	memcpy(body, error_string, *len);
	h->len = *len;
}

static void error_strings(void)
{
	static const struct {
		const char *s;
		int err;
	} cases[] = {
		{ "EACCES", -EACCES },	     { "EAGAIN", -EAGAIN },
		{ "ENOTEMPTY", -ENOTEMPTY }, { "E2BIG", -E2BIG },
		{ "EWHAT", -EIO },	     { "", -EIO },
		{ "ENOENTX", -EIO },	     { "ENOEN", -EIO },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (int nul = 0; nul < 2; nul++) {
			setup();
			fxs_mangle = to_error;
			error_string = cases[i].s;
			error_nul = nul;
			char buf[64];
			int r = K(xs_read(XS_NOTX, "name", buf, sizeof(buf)));
			if (r != cases[i].err)
				printf("  error string \"%s\"%s\n", cases[i].s,
				       nul ? " with its NUL" : "");
			CHECK_EQ(r, cases[i].err);
			CHECK_EQ(K(xs_write(XS_NOTX, "name", "x")),
				 cases[i].err);
			CHECK(fxs_drained());
		}
	}
	/* A NUL inside the string is no error name. */
	setup();
	fxs_mangle = to_error;
	error_string = "EAC\0CES";
	error_nul = true;
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
}

/* A value longer than the buffer is cut and NUL-terminated; the whole
 * length comes back, so the caller can tell. */
static void long_value_is_cut(void)
{
	setup();
	char buf[4];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	CHECK_STR(buf, "hel");
	char one[1] = { 'x' };
	CHECK_EQ(K(xs_read(XS_NOTX, "name", one, 1)), 5);
	CHECK_EQ(one[0], 0);
	CHECK_EQ(K(xs_read(XS_NOTX, "name", NULL, 0)), 5);
	CHECK(fxs_drained());
}

static void long_request_is_e2big(void)
{
	setup();
	static char path[XENSTORE_PAYLOAD_MAX + 2];
	char buf[16];
	/* The path and its NUL: exactly the maximum payload is fine. */
	memset(path, 'p', XENSTORE_PAYLOAD_MAX - 1);
	path[XENSTORE_PAYLOAD_MAX - 1] = 0;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	int before = fxs_requests[XS_READ];
	/* One more byte: refused before anything is sent. */
	path[XENSTORE_PAYLOAD_MAX - 1] = 'p';
	path[XENSTORE_PAYLOAD_MAX] = 0;
	CHECK_EQ(K(xs_read(XS_NOTX, path, buf, sizeof(buf))), -E2BIG);
	CHECK_EQ(K(xs_write(XS_NOTX, path, "")), -E2BIG);
	CHECK_EQ(K(xs_write(XS_NOTX, "k", path)), -E2BIG);
	CHECK_EQ(fxs_requests[XS_READ], before);
	CHECK_EQ(fxs_requests[XS_WRITE], 0);
	CHECK(fxs_drained());
}

static void too_many_parts(void)
{
	setup();
	const char *parts[] = { "a", "b", "c", "d", "e" };
	CHECK_EQ(K(xs_request(XS_NOTX, XS_READ, parts, 5, NULL, 0)), -EINVAL);
	CHECK_EQ(K(xs_request(XS_NOTX, XS_READ, parts, -1, NULL, 0)), -EINVAL);
	CHECK_EQ(fxs_requests[XS_READ], 0);
}

static void read_uint(void)
{
	setup();
	unsigned long v = 99;
	fxs_set("n", "42");
	CHECK_EQ(K(xs_read_uint(XS_NOTX, "n", 100, &v)), 0);
	CHECK_EQ(v, 42);
	static const char *const bad[] = {
		"", "4x", "-1", " 4", "101", "99999999999999999999999999",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fxs_set("n", bad[i]);
		v = 99;
		CHECK_EQ(K(xs_read_uint(XS_NOTX, "n", 100, &v)), -EINVAL);
		CHECK_EQ(v, 99); /* untouched on failure */
	}
	CHECK_EQ(K(xs_read_uint(XS_NOTX, "none", 100, &v)), -ENOENT);
	CHECK(xs_parse_uint("4294967295", UINT32_MAX, &v));
	CHECK_EQ(v, 4294967295UL);
	CHECK(!xs_parse_uint("4294967296", UINT32_MAX, &v));
	CHECK(xs_parse_uint("0", 0, &v));
	CHECK(!xs_parse_uint("1", 0, &v));
}

/* --- several in flight --- */

/* Three threads' requests in flight at once, answered 3, 1, 2: each
 * thread sleeps until its own reply, and gets its own. */
static void replies_out_of_order(void)
{
	setup();
	fxs_set("a", "1");
	fxs_set("b", "22");
	fxs_set("c", "333");
	fxs_hold = true;
	struct reader rd[3] = { { .path = "a" },
				{ .path = "b" },
				{ .path = "c" } };
	for (int i = 0; i < 3; i++)
		go_spawn(reader_main, &rd[i]);
	fake_settle();
	CHECK_EQ(fxs_nheld(), 3);
	uint32_t id[3];
	for (int i = 0; i < 3; i++)
		id[i] = fxs_held(i)->req_id; /* held in the order sent */
	CHECK(id[0] != id[1] && id[1] != id[2] && id[0] != id[2]);

	deliver_id(id[2]);
	fxs_interrupt();
	fake_settle();
	CHECK(!rd[0].done && !rd[1].done && rd[2].done);
	CHECK_EQ(rd[2].r, 3);
	CHECK_STR(rd[2].buf, "333");

	deliver_id(id[0]);
	fxs_interrupt();
	fake_settle();
	CHECK(rd[0].done && !rd[1].done);
	CHECK_EQ(rd[0].r, 1);
	CHECK_STR(rd[0].buf, "1");

	deliver_id(id[1]);
	fxs_interrupt();
	fake_join_all();
	CHECK_EQ(rd[1].r, 2);
	CHECK_STR(rd[1].buf, "22");
	CHECK(fxs_drained());
}

/* Replies that arrive while nobody is woken (no interrupt) are found by
 * the waiter itself when its wait times out: a lost notification costs
 * a pause, not a hang. */
static void lost_notification(void)
{
	setup();
	fxs_hold = true;
	struct reader rd = { .path = "name" };
	go_spawn(reader_main, &rd);
	fake_settle();
	deliver_all(); /* and no fxs_interrupt() */
	fake_join_all();
	CHECK_EQ(rd.r, 5);
	CHECK_STR(rd.buf, "hello");
}

/* Watch events between (and before) replies go to their watch's queue,
 * in order, and the reply still reaches its reader. */
static void watch_events_between_replies(void)
{
	setup();
	struct xs_watch w;
	char ev[64];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	CHECK_EQ(fxs_last.type, XS_WATCH);
	CHECK(!memcmp(fxs_last_body, "data\0", 5));
	CHECK_STR(fxs_last_body + 5, w.token);
	/* The first event, which xenstored sends for every new watch. */
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 4);
	CHECK_STR(ev, "data");

	fxs_hold = true;
	struct reader rd = { .path = "name" };
	go_spawn(reader_main, &rd);
	fake_settle();
	CHECK_EQ(fxs_nheld(), 1);
	inject_event("data/x", w.token);
	deliver_all();
	inject_event("data/y", w.token);
	fxs_interrupt();
	fake_join_all();
	CHECK_EQ(rd.r, 5);
	CHECK_STR(rd.buf, "hello");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 6);
	CHECK_STR(ev, "data/x");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 6);
	CHECK_STR(ev, "data/y");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ETIMEDOUT);
	fxs_hold = false;
	CHECK_EQ(K(xs_watch_remove(&w)), 0);
	CHECK(fxs_drained());
}

/* A watch thread sleeps until its event; a write by another wakes it. */
struct watcher {
	struct xs_watch *w;
	char ev[64];
	int r;
};

static void watcher_main(void *arg)
{
	struct watcher *wt = arg;
	wt->r = K(xs_watch_next(wt->w, wt->ev, sizeof(wt->ev), 0));
}

static void watch_wakes_its_waiter(void)
{
	setup();
	struct xs_watch w;
	char ev[64];
	CHECK_EQ(K(xs_watch_add(&w, "data/k")), 0);
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 6);
	struct watcher wt = { .w = &w };
	go_spawn(watcher_main, &wt);
	fake_settle();
	CHECK_EQ(wt.r, 0); /* still waiting */
	CHECK_EQ(K(xs_write(XS_NOTX, "data/k/leaf", "v")), 0);
	fake_join_all();
	CHECK_EQ(wt.r, 11);
	CHECK_STR(wt.ev, "data/k/leaf");
	/* A change elsewhere fires nothing. */
	CHECK_EQ(K(xs_write(XS_NOTX, "data/other", "v")), 0);
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ETIMEDOUT);
	K(xs_watch_remove(&w));
}

/* xenstored may send a new watch's first event before its reply. */
struct adder {
	struct xs_watch w;
	int r;
};

static void adder_main(void *arg)
{
	struct adder *a = arg;
	a->r = K(xs_watch_add(&a->w, "data"));
}

static void first_event_before_the_reply(void)
{
	setup();
	fxs_hold = true;
	struct adder a = { .r = 1 };
	go_spawn(adder_main, &a);
	fake_settle();
	CHECK_EQ(fxs_nheld(), 2); /* the reply, then the event */
	CHECK_EQ(fxs_held(1)->type, XS_WATCH_EVENT);
	fxs_deliver(1);
	fxs_deliver(0);
	fxs_interrupt();
	fake_join_all();
	CHECK_EQ(a.r, 0);
	char ev[16];
	CHECK_EQ(K(xs_watch_next(&a.w, ev, sizeof(ev), XS_NOWAIT)), 4);
	CHECK_STR(ev, "data");
	K(xs_watch_remove(&a.w));
}

static void malformed_events_are_dropped(void)
{
	setup();
	struct xs_watch w;
	char ev[64];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT));
	size_t tl = strlen(w.token);
	char body[128];
	/* No NUL after the token. */
	memcpy(body, "data/a\0", 7);
	memcpy(body + 7, w.token, tl);
	fxs_inject_msg(XS_WATCH_EVENT, 0, body, 7 + tl);
	/* No token at all; an empty path; an empty token. */
	fxs_inject_msg(XS_WATCH_EVENT, 0, "data/b", 7);
	memcpy(body, "\0", 1);
	memcpy(body + 1, w.token, tl + 1);
	fxs_inject_msg(XS_WATCH_EVENT, 0, body, tl + 2);
	fxs_inject_msg(XS_WATCH_EVENT, 0, "data/c\0\0", 8);
	/* Someone else's token; a well-formed one of ours last. */
	inject_event("data/d", "not-ours");
	inject_event("data/e", w.token);
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 6);
	CHECK_STR(ev, "data/e");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ETIMEDOUT);
	/* The stream is still in step. */
	CHECK_EQ(K(xs_read(XS_NOTX, "name", ev, sizeof(ev))), 5);
	K(xs_watch_remove(&w));
	CHECK(fxs_drained());
}

static void events_merge_and_overflow(void)
{
	setup();
	struct xs_watch w;
	char ev[64];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT));
	/* The same path thrice while nobody looks: one event. */
	for (int i = 0; i < 3; i++)
		fxs_set("data/same", i ? "b" : "a");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 9);
	CHECK_STR(ev, "data/same");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ETIMEDOUT);
	/* More distinct paths than a queue holds: one event for the
	 * watched path itself, then nothing. */
	for (int i = 0; i < XS_WATCH_QUEUE_MAX + 6; i++) {
		char p[32];
		snprintf(p, sizeof(p), "data/k%d", i);
		fxs_set(p, "v");
	}
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), 4);
	CHECK_STR(ev, "data");
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ETIMEDOUT);
	/* An event path cut to the caller's buffer: the whole length. */
	fxs_set("data/a-rather-long-name", "v");
	char small[8];
	CHECK_EQ(K(xs_watch_next(&w, small, sizeof(small), XS_NOWAIT)), 23);
	CHECK_STR(small, "data/a-");
	K(xs_watch_remove(&w));
}

static void unwatch(void)
{
	setup();
	struct xs_watch w;
	char ev[64], token[32];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	strcpy(token, w.token);
	CHECK_EQ(K(xs_watch_remove(&w)), 0);
	CHECK_EQ(fxs_requests[XS_UNWATCH], 1);
	CHECK(!memcmp(fxs_last_body, "data\0", 5));
	CHECK_STR(fxs_last_body + 5, token);
	/* Its late events find nobody; the watch is gone. */
	inject_event("data/x", token);
	CHECK_EQ(K(xs_read(XS_NOTX, "name", ev, sizeof(ev))), 5);
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT)), -ENODEV);
	CHECK_EQ(K(xs_watch_remove(&w)), 0); /* twice is harmless */
	CHECK(fxs_drained());
}

static void watch_times_out(void)
{
	setup();
	struct xs_watch w;
	char ev[64];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	K(xs_watch_next(&w, ev, sizeof(ev), XS_NOWAIT));
	CHECK_EQ(K(xs_watch_next(&w, ev, sizeof(ev), now_ns() + 1000000000)),
		 -ETIMEDOUT);
	K(xs_watch_remove(&w));
}

/* --- what xenstored must not send --- */

/* A header claiming more than 4096 bytes: no finding the next message
 * after it. Whoever waits fails, and so does every later call. */
static void reply_too_long(void)
{
	setup();
	struct xs_watch w;
	char buf[16];
	CHECK_EQ(K(xs_watch_add(&w, "data")), 0);
	CHECK_EQ(K(xs_watch_next(&w, buf, sizeof(buf), XS_NOWAIT)), 4);
	fxs_hold = true;
	struct reader rd = { .path = "name" };
	go_spawn(reader_main, &rd);
	fake_settle();
	struct xsd_sockmsg h = { .type = XS_READ,
				 .req_id = fxs_held(0)->req_id,
				 .len = XENSTORE_PAYLOAD_MAX + 1 };
	fxs_inject(&h, sizeof(h));
	fxs_interrupt();
	fake_join_all();
	CHECK_EQ(rd.r, -EIO);
	CHECK(fxs_console_has("a message of 4097 bytes"));
	CHECK(fxs_console_has("xenstore is off"));
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
	CHECK_EQ(K(xs_watch_next(&w, buf, sizeof(buf), 0)), -EIO);
	K(xs_watch_remove(&w));
}

/* Exactly 4096 bytes is fine, even in small pieces: a message longer
 * than the ring is assembled across reads. */
static void longest_reply_in_pieces(void)
{
	setup();
	static char v[XENSTORE_PAYLOAD_MAX + 1], buf[XENSTORE_PAYLOAD_MAX + 1];
	for (int i = 0; i < XENSTORE_PAYLOAD_MAX; i++)
		v[i] = 'a' + i % 26;
	fxs_set("big", v);
	fxs_chunk = 7;
	CHECK_EQ(K(xs_read(XS_NOTX, "big", buf, sizeof(buf))),
		 XENSTORE_PAYLOAD_MAX);
	CHECK(!memcmp(buf, v, XENSTORE_PAYLOAD_MAX + 1));
	fxs_chunk = 1;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	CHECK_STR(buf, "hello");
	CHECK(fxs_drained());
}

static void to_directory(struct xsd_sockmsg *h, char *body, size_t *len)
{
	(void)body, (void)len;
	if (h->type == XS_READ)
		h->type = XS_DIRECTORY;
}

static void reply_of_wrong_type(void)
{
	setup();
	fxs_mangle = to_directory;
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
	fxs_mangle = NULL;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	CHECK(fxs_drained());
}

static void reply_nobody_asked_for(void)
{
	setup();
	fxs_inject_msg(XS_READ, 999, "stray", 5);
	fxs_inject_msg(XS_ERROR, 0, "EINVAL", 7);
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), 5);
	CHECK_STR(buf, "hello");
	CHECK(fxs_drained());
}

/* xenstored never answers: the caller gets -ETIMEDOUT and a console
 * line; a reply that comes later is dropped; later calls work. */
static void no_reply_times_out(void)
{
	setup();
	fxs_hold = true;
	char buf[16];
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -ETIMEDOUT);
	CHECK(fxs_console_has("atman: xenstore: no reply to request"));
	deliver_all();
	fxs_hold = false;
	CHECK_EQ(K(xs_read(XS_NOTX, "domid", buf, sizeof(buf))), 1);
	CHECK_STR(buf, "7");
	CHECK(fxs_drained());
}

static void transport_errors(void)
{
	setup();
	char buf[16];
	fxs_send_error = -EIO;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
	CHECK(fxs_console_has("cannot send"));
	CHECK_EQ(fxs_kicks, 0); /* nothing whole was sent */
	fxs_send_error = 0;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
	setup();
	fxs_recv_error = -EIO;
	CHECK_EQ(K(xs_read(XS_NOTX, "name", buf, sizeof(buf))), -EIO);
	CHECK(fxs_console_has("indices are corrupt"));
}

/* --- directories --- */

static void cut_last(struct xsd_sockmsg *h, char *body, size_t *len)
{
	(void)body;
	if (h->type == XS_DIRECTORY && *len)
		h->len = --*len;
}

static void empty_name(struct xsd_sockmsg *h, char *body, size_t *len)
{
	if (h->type == XS_DIRECTORY) {
		memcpy(body + *len, "\0", 1);
		h->len = ++*len; /* "vif\0\0" */
	}
}

static void directory(void)
{
	setup();
	fxs_set("device/vif/0/backend", "/local/domain/0/backend/vif/7/0");
	fxs_set("device/vif/1/state", "1");
	fxs_set("device/suspend/event-channel", "");
	fxs_set("empty", "");
	char buf[64];
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, sizeof(buf))), 2);
	CHECK(!memcmp(buf, "vif\0suspend\0", 12));
	CHECK_EQ(K(xs_directory(XS_NOTX, "device/vif", buf, sizeof(buf))), 2);
	CHECK(!memcmp(buf,
		      "0\0"
		      "1\0",
		      4));
	CHECK_EQ(K(xs_directory(XS_NOTX, "empty", buf, sizeof(buf))), 0);
	CHECK_EQ(K(xs_directory(XS_NOTX, "none", buf, sizeof(buf))), -ENOENT);
	/* 12 bytes and our NUL do not fit in 12. */
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, 12)), -ERANGE);
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, 13)), 2);
	fxs_mangle = cut_last;
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, sizeof(buf))), -EIO);
	fxs_mangle = empty_name;
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, sizeof(buf))), -EIO);
	fxs_mangle = NULL;
	CHECK_EQ(K(xs_directory(XS_NOTX, "device", buf, sizeof(buf))), 2);
	CHECK(fxs_drained());
}

/* --- transactions --- */

static int tx_calls, tx_fail_with;
static bool tx_invisible; /* inside: the writes are not in the store */

static int write_two(xs_tx tx, void *arg)
{
	(void)arg;
	tx_calls++;
	int r = xs_write(tx, "data/a", "1");
	if (!r && tx_fail_with)
		return tx_fail_with;
	if (!r)
		r = xs_write(tx, "data/b", "2");
	char v[8];
	if (!r && (xs_read(tx, "data/a", v, sizeof(v)) != 1 || v[0] != '1'))
		r = -EIO; /* a transaction sees its own writes */
	tx_invisible = !fxs_get("data/a");
	return r;
}

static void tx_setup(void)
{
	setup();
	tx_calls = tx_fail_with = 0;
}

static void transaction_commits(void)
{
	tx_setup();
	CHECK_EQ(K(xs_transact(write_two, NULL)), 0);
	CHECK_EQ(tx_calls, 1);
	CHECK(tx_invisible);
	CHECK_STR(fxs_get("data/a"), "1");
	CHECK_STR(fxs_get("data/b"), "2");
	CHECK_EQ(fxs_commits, 1);
	/* Every request carried the transaction's id; the end said T. */
	CHECK(fxs_last.tx_id != 0);
	CHECK_EQ(fxs_last.type, XS_TRANSACTION_END);
	CHECK_STR(fxs_last_body, "T");
	CHECK(fxs_drained());
}

static void transaction_retried_on_eagain(void)
{
	tx_setup();
	fxs_eagain_commits = 2;
	CHECK_EQ(K(xs_transact(write_two, NULL)), 0);
	CHECK_EQ(tx_calls, 3);
	CHECK_EQ(fxs_requests[XS_TRANSACTION_START], 3);
	CHECK_EQ(fxs_requests[XS_TRANSACTION_END], 3);
	CHECK_EQ(fxs_commits, 1);
	CHECK_STR(fxs_get("data/a"), "1");
	CHECK(fxs_drained());
}

static void transaction_gives_up(void)
{
	tx_setup();
	fxs_eagain_commits = 1000;
	CHECK_EQ(K(xs_transact(write_two, NULL)), -EAGAIN);
	CHECK_EQ(tx_calls, XS_TX_TRIES);
	CHECK_EQ(fxs_commits, 0);
	CHECK(fxs_get("data/a") == NULL);
}

static void transaction_aborts_on_error(void)
{
	tx_setup();
	tx_fail_with = -ENOSPC;
	CHECK_EQ(K(xs_transact(write_two, NULL)), -ENOSPC);
	CHECK_EQ(tx_calls, 1);
	CHECK_EQ(fxs_last.type, XS_TRANSACTION_END);
	CHECK_STR(fxs_last_body, "F");
	CHECK(fxs_get("data/a") == NULL);
	CHECK(fxs_drained());
}

struct bytes {
	const char *s;
	size_t len;
};
static struct bytes tx_id_reply;
static void tx_id(struct xsd_sockmsg *h, char *body, size_t *len)
{
	if (h->type != XS_TRANSACTION_START)
		return;
	*len = tx_id_reply.len;
	memcpy(body, tx_id_reply.s, *len);
	h->len = *len;
}

#define BYTES(s)                                                               \
	{                                                                      \
		s, sizeof(s) - 1                                               \
	}
static void transaction_id_checked(void)
{
	static const struct bytes bad[] = {
		BYTES(""),	   BYTES("\0"),	    BYTES("0\0"),
		BYTES("12x\0"),	   BYTES("-3\0"),   BYTES("4294967296\0"),
		BYTES("1\0002\0"), BYTES("12\0\0"),
	};
	xs_tx tx = 77;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		setup();
		fxs_mangle = tx_id;
		tx_id_reply = bad[i];
		CHECK_EQ(K(xs_transaction_start(&tx)), -EIO);
		CHECK_EQ(tx, 77);
	}
	/* The largest id; with its NUL or (more lenient than xenstored
	 * needs) without. */
	static const struct bytes good[] = { BYTES("4294967295\0"),
					     BYTES("4294967295") };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		setup();
		fxs_mangle = tx_id;
		tx_id_reply = good[i];
		CHECK_EQ(K(xs_transaction_start(&tx)), 0);
		CHECK_EQ(tx, 4294967295u);
	}
}

int main(int argc, char **argv)
{
	test_init("xs", argc, argv);
	RUN(no_transport);
	RUN(read_a_value);
	RUN(write_then_read);
	RUN(request_ids_differ);
	RUN(missing_key_is_enoent);
	RUN(error_strings);
	RUN(long_value_is_cut);
	RUN(long_request_is_e2big);
	RUN(too_many_parts);
	RUN(read_uint);
	RUN(replies_out_of_order);
	RUN(lost_notification);
	RUN(watch_events_between_replies);
	RUN(watch_wakes_its_waiter);
	RUN(first_event_before_the_reply);
	RUN(malformed_events_are_dropped);
	RUN(events_merge_and_overflow);
	RUN(unwatch);
	RUN(watch_times_out);
	RUN(reply_too_long);
	RUN(longest_reply_in_pieces);
	RUN(reply_of_wrong_type);
	RUN(reply_nobody_asked_for);
	RUN(no_reply_times_out);
	RUN(transport_errors);
	RUN(directory);
	RUN(transaction_commits);
	RUN(transaction_retried_on_eagain);
	RUN(transaction_gives_up);
	RUN(transaction_aborts_on_error);
	RUN(transaction_id_checked);
	return test_summary();
}
