/*
 * <atman/xenstore.h> (the contract is there): the program's calls into
 * the xenstore client. Each checks its arguments and runs the request
 * in kernel context (kern_enter: interrupts off, the thread may sleep
 * there until the reply comes).
 */
#include <errno.h>

#include "xendrv.h"
#include "kern/kern.h"
#include "include/atman/xenstore.h"

struct atman_xs_watch {
	struct xs_watch w;
};

static bool path_ok(const char *path)
{
	return path && *path;
}

int atman_xs_read(const char *path, char *buf, size_t len)
{
	if (!path_ok(path) || (!buf && len))
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = xs_read(XS_NOTX, path, buf, len);
	kern_leave(f);
	return r;
}

int atman_xs_write(const char *path, const char *value)
{
	if (!path_ok(path) || !value)
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = xs_write(XS_NOTX, path, value);
	kern_leave(f);
	return r;
}

int atman_xs_rm(const char *path)
{
	if (!path_ok(path))
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = xs_rm(XS_NOTX, path);
	kern_leave(f);
	return r;
}

int atman_xs_directory(const char *path, char *buf, size_t len)
{
	if (!path_ok(path) || (!buf && len))
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = xs_directory(XS_NOTX, path, buf, len);
	kern_leave(f);
	return r;
}

int atman_xs_watch(atman_xs_watch_t **out, const char *path)
{
	if (!out || !path_ok(path))
		return -EINVAL;
	unsigned long f = kern_enter();
	int r = -ENODEV;
	atman_xs_watch_t *w = xs_tr ? kmalloc(sizeof(*w)) : NULL;
	if (xs_tr && !w)
		r = -ENOMEM;
	if (w) {
		r = xs_watch_add(&w->w, path);
		if (r)
			kfree(w);
		else
			*out = w;
	}
	kern_leave(f);
	return r;
}

int atman_xs_watch_next(atman_xs_watch_t *w, char *path, size_t len,
			long long timeout_ns)
{
	if (!w || (!path && len))
		return -EINVAL;
	unsigned long f = kern_enter();
	uint64_t deadline = 0; /* for ever */
	if (timeout_ns == 0)
		deadline = XS_NOWAIT;
	else if (timeout_ns > 0)
		deadline = now_ns() + MIN((uint64_t)timeout_ns, UINT64_MAX / 2);
	int r = xs_watch_next(&w->w, path, len, deadline);
	kern_leave(f);
	return r;
}

int atman_xs_unwatch(atman_xs_watch_t *w)
{
	if (!w)
		return 0;
	unsigned long f = kern_enter();
	int r = xs_watch_remove(&w->w);
	kfree(w);
	kern_leave(f);
	return r;
}
