/* drivers/xen/xenbus.c: the frontend handshake against a fake backend,
 * which lives in the fake xenstored (tests/unit/fake_xenstore.c) and
 * answers the frontend's state changes as a backend driver in dom0
 * would, or fails to. */
#include <errno.h>
#include <stdint.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "tests/unit/fake_sched.h"
#include "tests/unit/fake_xenstore.h"
#include "tests/unit/test.h"

#define K(expr)                                                                \
	({                                                                     \
		unsigned long f_ = kern_enter();                               \
		__typeof__(expr) r_ = (expr);                                  \
		kern_leave(f_);                                                \
		r_;                                                            \
	})

#define FE	"device/vif/0"
#define FE_ABS	FXS_HOME "/" FE
#define BE	"/local/domain/0/backend/vif/7/0"
#define ERRKEY	"error/" FE "/error"
#define TIMEOUT (10 * 1000000000ULL)

/* --- the fake backend --- */

static enum {
	NORMAL,	     /* InitWait, then Connected once we are Initialised */
	NEVER,	     /* stays Initialising */
	STUCK,	     /* InitWait, and there it stays */
	CLOSES,	     /* InitWait, then Closing when we are Initialised */
	GARBAGE,     /* writes "banana" for its state */
	NO_INITWAIT, /* Connected from the start */
} backend;
static char fe_states[16];	/* every state the frontend wrote, in order */
static bool published_together; /* ring-ref, event-channel in the commit */

static void backend_sees(const char *path, const char *value)
{
	if (strcmp(path, FE_ABS "/state"))
		return;
	size_t n = strlen(fe_states);
	if (n + 1 < sizeof(fe_states))
		fe_states[n] = value[0];
	if (!strcmp(value, "3")) {
		/* Applied in commit order: the rings came first. */
		published_together =
			fxs_get(FE "/ring-ref") && fxs_get(FE "/event-channel");
		if (backend == NORMAL)
			fxs_set(BE "/state", "4");
		if (backend == CLOSES)
			fxs_set(BE "/state", "5");
	}
	if (!strcmp(value, "5") || !strcmp(value, "6"))
		fxs_set(BE "/state", "6"); /* it follows us down */
}

/* --- the fake driver --- */

static int publishes, connects, disconnects, connect_error;

static int drv_publish(struct xenbus_dev *d, xs_tx tx)
{
	publishes++;
	int r = xenbus_printf(d, tx, "ring-ref", "%u", 8);
	return r ? r : xenbus_printf(d, tx, "event-channel", "%u", 5);
}

static int drv_connect(struct xenbus_dev *d)
{
	unsigned long v;
	connects++;
	if (connect_error)
		return connect_error;
	/* What a netfront reads once the backend is Connected. */
	return xenbus_read_otherend(d, "feature-rx-copy", 1, &v);
}

static void drv_disconnect(struct xenbus_dev *d)
{
	(void)d;
	disconnects++;
}

static const struct xenbus_ops drv = {
	.publish = drv_publish,
	.connect = drv_connect,
	.disconnect = drv_disconnect,
};

static void setup(int how)
{
	fake_sched_init(1, 0);
	fxs_reset();
	/* What the toolstack writes for a vif before the guest starts. */
	fxs_set(FE "/backend", BE);
	fxs_set(FE "/backend-id", "0");
	fxs_set(FE "/state", "1");
	fxs_set(BE "/frontend", FE_ABS);
	fxs_set(BE "/feature-rx-copy", "1");
	backend = how;
	fxs_set(BE "/state", how == NEVER	  ? "1"
			     : how == GARBAGE	  ? "banana"
			     : how == NO_INITWAIT ? "4"
						  : "2");
	fxs_on_write = backend_sees;
	memset(fe_states, 0, sizeof(fe_states));
	published_together = false;
	publishes = connects = disconnects = connect_error = 0;
}

/* --- the cases --- */

static void happy_path(void)
{
	setup(NORMAL);
	struct xenbus_dev d;
	int cookie;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, &cookie)), 0);
	CHECK_STR(d.nodename, FE);
	CHECK_STR(d.otherend, BE);
	CHECK_EQ(d.otherend_id, 0);
	CHECK(d.priv == &cookie);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), 0);
	CHECK_EQ(d.state, XenbusStateConnected);
	CHECK_EQ(d.otherend_state, XenbusStateConnected);
	CHECK_STR(fe_states, "134"); /* Initialising, Initialised, Connected */
	CHECK(published_together);
	CHECK_EQ(fxs_commits, 1);
	CHECK_EQ(publishes, 1);
	CHECK_EQ(connects, 1);
	CHECK_EQ(disconnects, 0);
	CHECK_STR(fxs_get(FE "/ring-ref"), "8");
	CHECK_STR(fxs_get(FE "/event-channel"), "5");
	CHECK(fxs_get(ERRKEY) == NULL);
	/* Nothing new from the backend: still connected. */
	CHECK_EQ(K(xenbus_dev_poll(&d)), 0);
	/* Our own close: Closing, the backend follows, Closed. */
	CHECK_EQ(K(xenbus_dev_close(&d, TIMEOUT)), 0);
	CHECK_STR(fe_states, "13456");
	CHECK_EQ(disconnects, 1);
	CHECK(d.off);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ENODEV);
	CHECK_EQ(fxs_requests[XS_UNWATCH], 1);
}

static void backend_skips_initwait(void)
{
	setup(NO_INITWAIT);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), 0);
	CHECK_STR(fe_states, "134");
	CHECK_EQ(publishes, 1);
	CHECK_EQ(connects, 1);
	CHECK_EQ(K(xenbus_dev_close(&d, TIMEOUT)), 0);
}

static void backend_closes_mid_connect(void)
{
	setup(CLOSES);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ENODEV);
	CHECK_STR(fe_states, "136"); /* straight to Closed, as Linux does */
	CHECK_EQ(d.state, XenbusStateClosed);
	CHECK_EQ(connects, 0);
	CHECK_EQ(disconnects, 1);
	CHECK(d.off);
	CHECK(fxs_console_has("atman: xenbus: device/vif/0: the backend is "
			      "Closing; the device is off"));
	CHECK(fxs_get(ERRKEY) == NULL); /* closing is no error */
	CHECK_EQ(K(xenbus_dev_poll(&d)), -ENODEV);
}

/* The backend never moves: a timeout, reported as a fatal error, and
 * the program (here, the test) carries on. */
static void backend_never_answers(void)
{
	setup(NEVER);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ETIMEDOUT);
	CHECK_STR(fxs_get(ERRKEY),
		  "110 the backend " BE " did not connect within 10 s (it is "
		  "Initialising, we are Initialising)");
	CHECK(fxs_console_has("atman: xenbus: device/vif/0: the backend " BE
			      " did not connect within 10 s (it is "
			      "Initialising, we are Initialising) (error "
			      "110); the device is off"));
	CHECK_STR(fe_states, "156");
	CHECK(d.off);
	CHECK_EQ(publishes, 0);
	CHECK_EQ(disconnects, 1);
	CHECK_EQ(fxs_requests[XS_UNWATCH], 1);
	char buf[8];
	CHECK_EQ(K(xs_read(XS_NOTX, FE "/backend-id", buf, sizeof(buf))), 1);
}

static void backend_stuck_in_initwait(void)
{
	setup(STUCK);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ETIMEDOUT);
	CHECK(fxs_console_has("(it is InitWait, we are Initialised)"));
	CHECK_STR(fe_states, "1356");
	CHECK_EQ(publishes, 1);
}

/* A state that is none: Unknown, and we wait for a real one. */
static void backend_state_garbage(void)
{
	setup(GARBAGE);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ETIMEDOUT);
	CHECK(fxs_console_has("(it is Unknown, we are Initialising)"));
	CHECK_EQ(publishes, 0);
}

static void publish_retried_on_eagain(void)
{
	setup(NORMAL);
	fxs_eagain_commits = 2;
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), 0);
	CHECK_EQ(publishes, 3);
	CHECK_EQ(fxs_commits, 1);
	CHECK_STR(fe_states, "134");
	CHECK(published_together);
	CHECK_EQ(K(xenbus_dev_close(&d, TIMEOUT)), 0);
}

static void publish_eagain_for_ever(void)
{
	setup(NORMAL);
	fxs_eagain_commits = 1000;
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -EAGAIN);
	CHECK_EQ(publishes, XS_TX_TRIES);
	CHECK_STR(fxs_get(ERRKEY), "11 publishing: the commit said EAGAIN 16 "
				   "times");
	CHECK_STR(fe_states, "156");
	CHECK(fxs_get(FE "/ring-ref") == NULL);
}

static void connect_fails(void)
{
	setup(NORMAL);
	connect_error = -ENOMEM;
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ENOMEM);
	CHECK_STR(fxs_get(ERRKEY), "12 connecting to " BE);
	CHECK_STR(fe_states, "1356");
	CHECK_EQ(disconnects, 1);
	/* A backend feature that is not a number fails connect too. */
	setup(NORMAL);
	fxs_set(BE "/feature-rx-copy", "yes");
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -EINVAL);
	CHECK_STR(fxs_get(ERRKEY), "22 connecting to " BE);
}

/* Once connected the backend goes away: poll notices, the device goes
 * off. */
static void backend_closes_later(void)
{
	setup(NORMAL);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), 0);
	fxs_set(BE "/state", "5");
	CHECK_EQ(K(xenbus_dev_poll(&d)), -ENODEV);
	CHECK_EQ(disconnects, 1);
	CHECK_EQ(d.state, XenbusStateClosed);
	CHECK_STR(fe_states, "1346");
}

static void no_such_device(void)
{
	setup(NORMAL);
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 1, &drv, NULL)), -ENOENT);
	CHECK_EQ(K(xenbus_dev_init(&d, "vbd", 0, &drv, NULL)), -ENOENT);
	CHECK_EQ(K(xenbus_dev_init(&d, "../x", 0, &drv, NULL)), -EINVAL);
	CHECK(fxs_get("error/device/vif/1/error") == NULL);
	CHECK_EQ(fxs_requests[XS_WRITE], 0);
	CHECK_EQ(K(xenbus_dev_connect(&d, TIMEOUT)), -ENODEV);
}

static void bad_backend_details(void)
{
	static const struct {
		const char *key, *value;
		int err;
	} cases[] = {
		{ FE "/backend-id", "abc", -EINVAL },
		{ FE "/backend-id", "", -EINVAL },
		{ FE "/backend-id", "32752",
		  -EINVAL }, /* DOMID_FIRST_RESERVED */
		{ FE "/backend", "backend/vif/7/0", -EINVAL },
		{ FE "/backend", "", -EINVAL },
		{ FE "/backend",
		  "/local/domain/0/backend/vif/7/0/aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaa",
		  -ENAMETOOLONG },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		setup(NORMAL);
		fxs_set(cases[i].key, cases[i].value);
		struct xenbus_dev d;
		int r = K(xenbus_dev_init(&d, "vif", 0, &drv, NULL));
		if (r != cases[i].err)
			printf("  %s = \"%s\"\n", cases[i].key, cases[i].value);
		CHECK_EQ(r, cases[i].err);
		CHECK(d.off);
		CHECK(fxs_get(ERRKEY) != NULL);
		CHECK_STR(fe_states, "56");
	}
	/* A backend-id that is missing. */
	setup(NORMAL);
	fxs_rm(FE "/backend-id");
	struct xenbus_dev d;
	CHECK_EQ(K(xenbus_dev_init(&d, "vif", 0, &drv, NULL)), -ENOENT);
	CHECK_STR(fxs_get(ERRKEY), "2 reading " FE "/backend-id");
}

static void devices(void)
{
	setup(NORMAL);
	fxs_set("device/vif/1/backend", BE);
	fxs_set("device/vif/junk/backend", BE);
	unsigned ids[4] = { 0 };
	CHECK_EQ(K(xenbus_devices("vif", ids, 4)), 2);
	CHECK_EQ(ids[0], 0);
	CHECK_EQ(ids[1], 1);
	CHECK_EQ(K(xenbus_devices("vif", ids, 1)), 1);
	CHECK_EQ(K(xenbus_devices("vbd", ids, 4)), 0);
	CHECK_EQ(K(xenbus_devices("", ids, 4)), -EINVAL);
}

/* device/'s listing: which types are there, in one request. */
static void device_types(void)
{
	static const char *const types[] = { "vif", "vbd" };
	fake_sched_init(1, 0);
	fxs_reset();
	CHECK_EQ(K(xenbus_types(types, 2)), 0u); /* no device/ at all */
	fxs_set("device/suspend/event-channel", "");
	CHECK_EQ(K(xenbus_types(types, 2)), 0u); /* what xl always makes */
	fxs_set("device/vbd/51712/backend", BE);
	CHECK_EQ(K(xenbus_types(types, 2)), 2u);
	fxs_set("device/vif/0/backend", BE);
	fxs_set("device/vifx/0/backend", BE); /* a name is matched whole */
	int before = fxs_requests[XS_DIRECTORY];
	CHECK_EQ(K(xenbus_types(types, 2)), 3u);
	CHECK_EQ(fxs_requests[XS_DIRECTORY] - before, 1);
	fxs_rm("device/vbd");
	CHECK_EQ(K(xenbus_types(types, 2)), 1u);
	/* The listing fails: every type, for each one's own listing. */
	fxs_send_error = -EIO;
	CHECK_EQ(K(xenbus_types(types, 2)), 3u);
}

static void state_names(void)
{
	CHECK_STR(xenbus_strstate(XenbusStateInitWait), "InitWait");
	CHECK_STR(xenbus_strstate(XenbusStateReconfigured), "Reconfigured");
	CHECK_STR(xenbus_strstate((enum xenbus_state)9), "invalid");
	CHECK_STR(xenbus_strstate((enum xenbus_state) - 1), "invalid");
}

int main(int argc, char **argv)
{
	test_init("xenbus", argc, argv);
	RUN(happy_path);
	RUN(backend_skips_initwait);
	RUN(backend_closes_mid_connect);
	RUN(backend_never_answers);
	RUN(backend_stuck_in_initwait);
	RUN(backend_state_garbage);
	RUN(publish_retried_on_eagain);
	RUN(publish_eagain_for_ever);
	RUN(connect_fails);
	RUN(backend_closes_later);
	RUN(no_such_device);
	RUN(bad_backend_details);
	RUN(devices);
	RUN(device_types);
	RUN(state_names);
	return test_summary();
}
