/*
 * xenstore watches. A watch is registered with xenstored under a token
 * of ours; xenstored then sends XS_WATCH_EVENT "path\0token\0" for every
 * change at or below the watched path, and one at once when the watch is
 * set. xs_rx routes each event here, to the watch with that token, where
 * it waits in the watch's queue until the owner takes it
 * (xs_watch_next): nothing runs on the owner's behalf in the handler.
 */
#include <errno.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "xendrv.h"
#include "kern/kern.h"
#include "kern/lock.h"

struct xs_event {
	struct xs_event *next;
	size_t len;
	char path[];
};
/* What one kmalloc holds; a longer path becomes an overflow. */
#define EVENT_PATH_MAX (2048 - sizeof(struct xs_event) - 1)

static struct xs_watch *watches; /* under xs_lock */
static unsigned long next_token;

static void drop_events(struct xs_watch *w)
{
	while (w->head) {
		struct xs_event *e = w->head;
		w->head = e->next;
		kfree(e);
	}
	w->tail = NULL;
	w->nevents = 0;
}

/* Take w off the list (xs_lock held); false if it was not on it. */
static bool unlink_watch(struct xs_watch *w)
{
	for (struct xs_watch **pp = &watches; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			w->next = NULL;
			return true;
		}
	return false;
}

static void queue(struct xs_watch *w, const char *path, size_t len)
{
	if (!w->overflow) {
		/* Already queued: its owner looks at path anyway. */
		for (struct xs_event *e = w->head; e; e = e->next)
			if (e->len == len && !memcmp(e->path, path, len))
				return;
		struct xs_event *e = NULL;
		if (w->nevents < XS_WATCH_QUEUE_MAX && len <= EVENT_PATH_MAX)
			e = kmalloc(sizeof(*e) + len + 1);
		if (e) {
			e->len = len;
			memcpy(e->path, path, len);
			e->path[len] = 0;
			if (w->tail)
				w->tail->next = e;
			else
				w->head = e;
			w->tail = e;
			w->nevents++;
		} else {
			/* Too many, too long, or no memory: one event for
			 * the whole watch says as much as all of them. */
			drop_events(w);
			w->overflow = true;
		}
	}
	wake_all(&w->wq);
}

void xs_watch_route(const char *p, size_t len)
{
	/* Two strings, path and token, each non-empty and NUL-terminated
	 * inside the payload (xs_rx adds a NUL past it: strnlen stops). */
	size_t plen = strnlen(p, len);
	if (!plen || plen + 1 >= len)
		return;
	const char *token = p + plen + 1;
	size_t tlen = strnlen(token, len - plen - 1);
	if (!tlen || plen + 1 + tlen >= len)
		return;
	struct xs_watch *w = watches;
	while (w && strcmp(w->token, token))
		w = w->next;
	if (w) /* else removed since: its late events mean nothing */
		queue(w, p, plen);
}

void xs_watch_wake_all(void)
{
	for (struct xs_watch *w = watches; w; w = w->next)
		wake_all(&w->wq);
}

/* A new start: the watches of before are forgotten, untouched (their
 * owners may be gone); tokens count from 1 again. */
void xs_watch_reset(void)
{
	watches = NULL;
	next_token = 0;
}

int xs_watch_add(struct xs_watch *w, const char *path)
{
	size_t n = strlen(path);
	memset(w, 0, sizeof(*w));
	if (!xs_tr)
		return -ENODEV;
	if (!n)
		return -EINVAL;
	if (n > XS_WATCH_PATH_MAX)
		return -ENAMETOOLONG;
	w->path = kmalloc(n + 1);
	if (!w->path)
		return -ENOMEM;
	memcpy(w->path, path, n + 1);
	unsigned long f = irq_lock(&xs_lock);
	ksnprintf(w->token, sizeof(w->token), "atman-%lx", ++next_token);
	/* On the list before XS_WATCH goes out: xenstored's first event
	 * may come before its reply. */
	w->next = watches;
	watches = w;
	irq_unlock(&xs_lock, f);
	const char *parts[] = { w->path, w->token };
	char ok[4];
	int r = xs_request(XS_NOTX, XS_WATCH, parts, 2, ok, sizeof(ok));
	if (r >= 0)
		return 0;
	f = irq_lock(&xs_lock);
	unlink_watch(w);
	drop_events(w);
	irq_unlock(&xs_lock, f);
	kfree(w->path);
	w->path = NULL;
	return r;
}

int xs_watch_remove(struct xs_watch *w)
{
	if (!w->path)
		return 0;
	unsigned long f = irq_lock(&xs_lock);
	/* Off the list first: events that come in the meantime find no
	 * watch and are dropped. */
	bool linked = unlink_watch(w);
	drop_events(w);
	w->overflow = false;
	irq_unlock(&xs_lock, f);
	int r = 0;
	if (linked && !xs_broken) {
		const char *parts[] = { w->path, w->token };
		char ok[4];
		r = xs_request(XS_NOTX, XS_UNWATCH, parts, 2, ok, sizeof(ok));
	}
	kfree(w->path);
	w->path = NULL;
	return r < 0 ? r : 0;
}

static int copy_out(char *buf, size_t room, const char *path, size_t len)
{
	if (room) {
		size_t keep = MIN(len, room - 1);
		memcpy(buf, path, keep);
		buf[keep] = 0;
	}
	return (int)len;
}

int xs_watch_next(struct xs_watch *w, char *buf, size_t room, uint64_t deadline)
{
	if (!xs_tr || !w->path)
		return -ENODEV;
	for (;;) {
		xs_rx();
		unsigned long f = irq_lock(&xs_lock);
		struct xs_event *e = w->head;
		bool overflow = w->overflow;
		if (e) {
			w->head = e->next;
			if (!w->head)
				w->tail = NULL;
			w->nevents--;
		} else {
			w->overflow = false;
		}
		irq_unlock(&xs_lock, f);
		if (e) {
			int r = copy_out(buf, room, e->path, e->len);
			kfree(e);
			return r;
		}
		if (overflow)
			return copy_out(buf, room, w->path, strlen(w->path));
		if (xs_broken)
			return -EIO;
		if (deadline && now_ns() >= deadline)
			return -ETIMEDOUT;
		xs_tr->wait(&w->wq);
	}
}
