/*
 * The frontend half of the xenbus handshake (the contract is in
 * xendrv.h). One function drives it, xenbus_dev_connect, and one switch
 * acts on the backend's state, otherend_changed, as Linux's netfront
 * does in talk_to_netback and netback_changed:
 *
 *   backend InitWait            we publish the driver's rings and go
 *                               Initialised, in one transaction (run
 *                               again while its commit says EAGAIN);
 *                               Connected instead for a driver whose
 *                               backend waits for that (connect_first:
 *                               netback)
 *   backend Connected           the driver's connect op; we go Connected
 *   backend Closing or Closed   the device is off; we go Closed
 *   anything else               wait for the next change
 *
 * The backend is another domain, as untrusted as xenstored: its path,
 * its domain id and its state are read with checks, and a state that is
 * not one (or none at all) is Unknown: we wait for a real one, and time
 * out if it never comes.
 */
#include <errno.h>
#include <stdarg.h>

#include "xendrv.h"
#include "kern/kern.h"

#define PATH_MAX2 (2 * XENBUS_PATH_MAX)
#define WAIT	  1 /* otherend_changed: nothing to do but wait */

static const char *const state_names[] = {
	[XenbusStateUnknown] = "Unknown",
	[XenbusStateInitialising] = "Initialising",
	[XenbusStateInitWait] = "InitWait",
	[XenbusStateInitialised] = "Initialised",
	[XenbusStateConnected] = "Connected",
	[XenbusStateClosing] = "Closing",
	[XenbusStateClosed] = "Closed",
	[XenbusStateReconfiguring] = "Reconfiguring",
	[XenbusStateReconfigured] = "Reconfigured",
};

const char *xenbus_strstate(enum xenbus_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s]
						     : "invalid";
}

static int join(char *buf, size_t len, const char *dir, const char *node)
{
	int n = ksnprintf(buf, len, "%s/%s", dir, node);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool type_ok(const char *type)
{
	if (!*type)
		return false;
	for (; *type; type++)
		if (!((*type >= 'a' && *type <= 'z') ||
		      (*type >= '0' && *type <= '9') || *type == '_' ||
		      *type == '-'))
			return false;
	return true;
}

int xenbus_devices(const char *type, unsigned *ids, int max)
{
	char dir[XENBUS_PATH_MAX], names[1024];
	if (!type_ok(type) || join(dir, sizeof(dir), "device", type))
		return -EINVAL;
	int n = xs_directory(XS_NOTX, dir, names, sizeof(names));
	if (n == -ENOENT)
		return 0;
	int found = 0;
	for (const char *p = names; n > 0 && found < max; n--) {
		unsigned long id;
		if (xs_parse_uint(p, UINT32_MAX, &id))
			ids[found++] = id;
		p += strlen(p) + 1;
	}
	return n < 0 ? n : found;
}

unsigned xenbus_types(const char *const *types, unsigned ntypes)
{
	char names[1024];
	unsigned all = (1u << ntypes) - 1, have = 0;
	int n = xs_directory(XS_NOTX, "device", names, sizeof(names));
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return all; /* not known: each type's own listing will say */
	for (const char *p = names; n > 0; n--, p += strlen(p) + 1)
		for (unsigned i = 0; i < ntypes; i++)
			if (!strcmp(p, types[i]))
				have |= 1u << i;
	return have;
}

int xenbus_switch_state(struct xenbus_dev *d, xs_tx tx, enum xenbus_state s)
{
	int r = xenbus_printf(d, tx, "state", "%d", s);
	/* In a transaction the state is ours once the commit succeeds:
	 * the caller records it then. */
	if (!r && tx == XS_NOTX)
		d->state = s;
	return r;
}

int xenbus_printf(struct xenbus_dev *d, xs_tx tx, const char *node,
		  const char *fmt, ...)
{
	char path[PATH_MAX2], v[128];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v))
		return -E2BIG;
	int r = join(path, sizeof(path), d->nodename, node);
	return r ? r : xs_write(tx, path, v);
}

int xenbus_read_otherend(struct xenbus_dev *d, const char *node,
			 unsigned long max, unsigned long *out)
{
	char path[PATH_MAX2];
	int r = join(path, sizeof(path), d->otherend, node);
	return r ? r : xs_read_uint(XS_NOTX, path, max, out);
}

/* The device is off: the driver lets go of its rings, we go Closed. */
static void go_off(struct xenbus_dev *d)
{
	if (d->off)
		return;
	d->off = true;
	if (d->ops && d->ops->disconnect)
		d->ops->disconnect(d);
	xenbus_switch_state(d, XS_NOTX, XenbusStateClosed);
	xs_watch_remove(&d->watch);
}

void xenbus_dev_fatal(struct xenbus_dev *d, int err, const char *fmt, ...)
{
	char msg[192], path[PATH_MAX2];
	va_list ap;
	int n = ksnprintf(msg, sizeof(msg), "%d ", -err);
	va_start(ap, fmt);
	kvsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	printk("atman: xenbus: %s: %s (error %d); the device is off\n",
	       d->nodename, msg + n, -err);
	/* Where Linux's xenbus_dev_fatal puts it: the toolstack looks
	 * there (xl shows it), and so can we, afterwards. */
	int r = ksnprintf(path, sizeof(path), "error/%s/error", d->nodename);
	r = (size_t)r < sizeof(path) ? xs_write(XS_NOTX, path, msg)
				     : -ENAMETOOLONG;
	if (r)
		printk("atman: xenbus: %s: cannot write error/%s/error "
		       "(error %d)\n",
		       d->nodename, d->nodename, -r);
	if (!d->off)
		xenbus_switch_state(d, XS_NOTX, XenbusStateClosing);
	go_off(d);
}

int xenbus_dev_init(struct xenbus_dev *d, const char *type, unsigned id,
		    const struct xenbus_ops *ops, void *priv)
{
	char path[PATH_MAX2];
	unsigned long dom;
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->priv = priv;
	d->off = true; /* until we know it is there */
	if (!type_ok(type))
		return -EINVAL;
	int n = ksnprintf(d->nodename, sizeof(d->nodename), "device/%s/%u",
			  type, id);
	if ((size_t)n >= sizeof(d->nodename))
		return -ENAMETOOLONG;
	join(path, sizeof(path), d->nodename, "backend");
	int r = xs_read(XS_NOTX, path, d->otherend, sizeof(d->otherend));
	if (r == -ENOENT)
		return r; /* no such device: nothing to report */
	d->off = false;
	d->state = XenbusStateInitialising; /* what the toolstack wrote */
	if (r < 0) {
		xenbus_dev_fatal(d, r, "reading %s", path);
		return r;
	}
	/* One absolute path, with room for "/state" after it. */
	if ((size_t)r + sizeof("/state") > sizeof(d->otherend)) {
		xenbus_dev_fatal(d, -ENAMETOOLONG, "%s is too long", path);
		return -ENAMETOOLONG;
	}
	if (d->otherend[0] != '/' || strlen(d->otherend) != (size_t)r) {
		xenbus_dev_fatal(d, -EINVAL, "%s is not a path", path);
		return -EINVAL;
	}
	join(path, sizeof(path), d->nodename, "backend-id");
	r = xs_read_uint(XS_NOTX, path, DOMID_FIRST_RESERVED - 1, &dom);
	if (r) {
		xenbus_dev_fatal(d, r, "reading %s", path);
		return r;
	}
	d->otherend_id = dom;
	return 0;
}

static enum xenbus_state read_otherend_state(struct xenbus_dev *d)
{
	unsigned long v;
	if (xenbus_read_otherend(d, "state", XenbusStateReconfigured, &v))
		return XenbusStateUnknown; /* gone, or not a state */
	return (enum xenbus_state)v;
}

/* What we say once the rings are published (xendrv.h, connect_first). */
static enum xenbus_state published_state(const struct xenbus_dev *d)
{
	return d->ops->connect_first ? XenbusStateConnected
				     : XenbusStateInitialised;
}

static int publish_tx(xs_tx tx, void *arg)
{
	struct xenbus_dev *d = arg;
	int r = d->ops->publish ? d->ops->publish(d, tx) : 0;
	return r ? r : xenbus_switch_state(d, tx, published_state(d));
}

/* Our rings and state Initialised in one transaction: the backend
 * reads them when it sees Initialised, and must find them all. */
static int publish(struct xenbus_dev *d)
{
	int r = xs_transact(publish_tx, d);
	if (r == -EAGAIN)
		xenbus_dev_fatal(d, r,
				 "publishing: the commit said EAGAIN %d "
				 "times",
				 XS_TX_TRIES);
	else if (r)
		xenbus_dev_fatal(d, r, "publishing the rings");
	else
		d->state = published_state(d);
	return r;
}

/* The switch on the backend's state: WAIT, 0 (connected) or -errno
 * (the device is off, reported). */
static int otherend_changed(struct xenbus_dev *d)
{
	int r;
	enum xenbus_state be = read_otherend_state(d);
	d->otherend_state = be;
	switch (be) {
	case XenbusStateInitWait:
		if (d->state != XenbusStateInitialising)
			return WAIT;
		r = publish(d);
		return r ? r : WAIT;
	case XenbusStateConnected:
		if (d->up)
			return 0;
		/* A backend may skip InitWait: publish first. */
		if (d->state == XenbusStateInitialising && (r = publish(d)))
			return r;
		r = d->ops->connect ? d->ops->connect(d) : 0;
		if (!r && d->state != XenbusStateConnected)
			r = xenbus_switch_state(d, XS_NOTX,
						XenbusStateConnected);
		if (!r)
			d->up = true;
		if (r)
			xenbus_dev_fatal(d, r, "connecting to %s", d->otherend);
		return r;
	case XenbusStateClosed:
		if (d->state == XenbusStateClosed)
			return -ENODEV;
		__attribute__((fallthrough)); /* we missed its Closing */
	case XenbusStateClosing:
		printk("atman: xenbus: %s: the backend is %s; the device is "
		       "off\n",
		       d->nodename, xenbus_strstate(be));
		go_off(d);
		return -ENODEV;
	default: /* Unknown, Initialising, Initialised, Reconfigur... */
		return WAIT;
	}
}

int xenbus_dev_connect(struct xenbus_dev *d, uint64_t timeout_ns)
{
	char path[PATH_MAX2];
	if (d->off)
		return -ENODEV;
	uint64_t deadline = now_ns() + timeout_ns;
	int r = join(path, sizeof(path), d->otherend, "state");
	if (!r)
		r = xs_watch_add(&d->watch, path);
	if (r) {
		xenbus_dev_fatal(d, r, "watching %s", path);
		return r;
	}
	r = xenbus_switch_state(d, XS_NOTX, XenbusStateInitialising);
	if (r) {
		xenbus_dev_fatal(d, r, "writing our state");
		return r;
	}
	for (;;) {
		r = otherend_changed(d);
		if (r != WAIT)
			return r;
		r = xs_watch_next(&d->watch, NULL, 0, deadline);
		if (r == -ETIMEDOUT) {
			xenbus_dev_fatal(d, r,
					 "the backend %s did not connect "
					 "within %llu s (it is %s, we are %s)",
					 d->otherend,
					 timeout_ns / 1000000000ULL,
					 xenbus_strstate(d->otherend_state),
					 xenbus_strstate(d->state));
			return r;
		}
		if (r < 0) {
			xenbus_dev_fatal(d, r, "waiting for the backend");
			return r;
		}
	}
}

int xenbus_dev_poll(struct xenbus_dev *d)
{
	int r;
	if (d->off)
		return -ENODEV;
	while ((r = xs_watch_next(&d->watch, NULL, 0, XS_NOWAIT)) >= 0) {
		r = otherend_changed(d);
		if (r < 0)
			return r;
	}
	return r == -ETIMEDOUT ? 0 : r;
}

int xenbus_dev_close(struct xenbus_dev *d, uint64_t timeout_ns)
{
	if (d->off)
		return 0;
	uint64_t deadline = now_ns() + timeout_ns;
	int r = xenbus_switch_state(d, XS_NOTX, XenbusStateClosing);
	/* The backend follows (it unmaps our grants on the way); without a
	 * watch there was never a connection to wait for. */
	while (!r && d->watch.path) {
		enum xenbus_state be = read_otherend_state(d);
		if (be == XenbusStateClosing || be == XenbusStateClosed ||
		    be == XenbusStateUnknown)
			break;
		r = xs_watch_next(&d->watch, NULL, 0, deadline);
		r = r < 0 ? r : 0;
	}
	if (r == -ETIMEDOUT)
		printk("atman: xenbus: %s: the backend stayed %s; closing "
		       "anyway\n",
		       d->nodename, xenbus_strstate(read_otherend_state(d)));
	go_off(d);
	return r;
}

void xenbus_dev_follow(void *arg)
{
	struct xenbus_dev *d = arg;
	for (;;) {
		while (!d->watch.head && !xs_broken)
			wait_device(&d->watch.wq, 0);
		if (xenbus_dev_poll(d) < 0)
			break;
	}
	for (;;) /* a kernel thread never returns */
		sched_block(0);
}
