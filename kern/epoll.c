/*
 * epoll. An epoll instance is a file (so it can be polled, or watched by
 * another epoll) holding registrations: (file, fd) pairs with the events
 * wanted. Each registration hangs a hook on its file's wait queue; when
 * the file wakes with an event it wants, the registration joins the
 * instance's ready list and the instance itself wakes (file_wake on its
 * own file), which is what epoll_wait sleeps on.
 *
 * epoll_wait takes the ready list and asks each file for its readiness
 * now: level-triggered registrations that are still ready go back on the
 * list (so the next call sees them again), edge-triggered ones leave it
 * until their file wakes again, EPOLLONESHOT ones are disabled until
 * EPOLL_CTL_MOD. A registration holds no reference: as on Linux it goes
 * when the last reference to its file goes (POLL_GONE), not when the fd
 * is closed while a dup remains.
 *
 * Lock: big_lock (kern/lock.h). Syscalls hold it; the hooks run inside
 * file_wake, which takes it (interrupt handlers call it).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

#include "kern.h"

/* Linux's limit: an epoll watching an epoll ... at most this deep. */
#define EP_MAX_NESTS 4
/* Not events: how a registration behaves. */
#define EP_MODES (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)

struct epoll {
	struct file *file;  /* its own (not a reference) */
	struct dlist items; /* every registration */
	struct dlist ready; /* registrations that may be ready, in order */
};

struct epitem {
	struct poll_hook hook; /* on f's wait queue */
	struct epoll *ep;
	struct file *f;
	int fd;
	uint32_t events; /* as asked; events cleared once ONESHOT fired */
	uint64_t data;
	struct dlist in_ep;    /* on ep->items */
	struct dlist in_ready; /* on ep->ready, or on no list */
};

static const struct file_ops epoll_ops;

static bool file_is_epoll(struct file *f)
{
	return f->ops == &epoll_ops;
}

/* What a registration reports: what it asked for, and always errors and
 * hang-ups, unless a ONESHOT fired. */
static unsigned item_mask(const struct epitem *it)
{
	unsigned want = it->events & ~EP_MODES;
	return want ? want | EPOLLERR | EPOLLHUP : 0;
}

static void item_ready(struct epitem *it)
{
	if (dlist_empty(&it->in_ready))
		dlist_push(&it->ep->ready, &it->in_ready);
	file_wake(it->ep->file, EPOLLIN | EPOLLRDNORM);
}

static void item_free(struct epitem *it)
{
	file_unhook(&it->hook);
	dlist_remove(&it->in_ep);
	dlist_remove(&it->in_ready);
	kfree(it);
}

static void item_wake(struct poll_hook *h, unsigned events)
{
	struct epitem *it = container_of(h, struct epitem, hook);
	if (events & POLL_GONE) {
		item_free(it); /* the file's last reference went */
		return;
	}
	if (item_mask(it) & events)
		item_ready(it);
}

static struct epitem *item_find(struct epoll *ep, struct file *f, int fd)
{
	/* Through the file's wait queue: few hooks there, however many
	 * registrations the instance has. */
	struct dlist *l = &f->wq.hooks;
	for (struct dlist *p = l->next; p != l; p = p->next) {
		struct poll_hook *h = container_of(p, struct poll_hook, link);
		if (h->fn != item_wake)
			continue;
		struct epitem *it = container_of(h, struct epitem, hook);
		if (it->ep == ep && it->fd == fd)
			return it;
	}
	return NULL;
}

/* The deepest chain of epolls below f (f counts, if it is one); 
 * EP_MAX_NESTS + 2 as soon as it finds target (a loop) on the way. */
static int depth_below(struct file *f, struct epoll *target, int depth)
{
	if (!file_is_epoll(f))
		return 0;
	struct epoll *ep = f->priv;
	if (ep == target || depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 2;
	int max = 0;
	for (struct dlist *p = ep->items.next; p != &ep->items; p = p->next) {
		struct epitem *it = container_of(p, struct epitem, in_ep);
		max = MAX(max, depth_below(it->f, target, depth + 1));
	}
	return max + 1;
}

/* The deepest chain of epolls watching ep, ep included. */
static int depth_above(struct epoll *ep, int depth)
{
	if (depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 2;
	int max = 0;
	struct dlist *l = &ep->file->wq.hooks;
	for (struct dlist *p = l->next; p != l; p = p->next) {
		struct poll_hook *h = container_of(p, struct poll_hook, link);
		if (h->fn == item_wake)
			max = MAX(
				max,
				depth_above(container_of(h, struct epitem, hook)
						    ->ep,
					    depth + 1));
	}
	return max + 1;
}

static long epoll_add(struct epoll *ep, int fd, struct file *f,
		      const struct epoll_event *ev)
{
	if (item_find(ep, f, fd))
		return -EEXIST;
	if (file_is_epoll(f)) {
		if (ev->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		if (depth_below(f, ep, 0) + depth_above(ep, 0) >
		    EP_MAX_NESTS + 1)
			return -ELOOP;
	}
	struct epitem *it = kmalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->f = f;
	it->fd = fd;
	it->events = ev->events;
	it->data = ev->data.u64;
	dlist_init(&it->in_ready);
	dlist_push(&ep->items, &it->in_ep);
	file_hook(f, &it->hook, item_mask(it), item_wake);
	if (file_poll(f) & item_mask(it))
		item_ready(it);
	return 0;
}

static long epoll_mod(struct epitem *it, const struct epoll_event *ev)
{
	if ((ev->events | it->events) & EPOLLEXCLUSIVE)
		return -EINVAL;
	it->events = ev->events;
	it->data = ev->data.u64;
	it->hook.events = item_mask(it) | POLL_GONE;
	if (file_poll(it->f) & item_mask(it))
		item_ready(it);
	return 0;
}

long epoll_ctl_file(struct file *epf, int op, int fd, struct file *f,
		    const struct epoll_event *ev)
{
	if (!file_is_epoll(epf) || f == epf)
		return -EINVAL;
	if (!f->ops->poll)
		return -EPERM;
	struct epoll *ep = epf->priv;
	struct epitem *it = item_find(ep, f, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		return epoll_add(ep, fd, f, ev);
	case EPOLL_CTL_MOD:
		return it ? epoll_mod(it, ev) : -ENOENT;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(it);
		return 0;
	}
	return -EINVAL;
}

/*
 * Report up to max ready registrations. The list is taken whole; each
 * registration is asked for its readiness now. Those not reported for
 * want of room go back at the head, in order; level-triggered ones that
 * were reported go back at the tail, so that every ready file gets its
 * turn across calls.
 */
static int epoll_collect(struct epoll *ep, struct epoll_event *out, int max)
{
	struct dlist todo, again;
	dlist_init(&todo);
	dlist_init(&again);
	if (!dlist_empty(&ep->ready)) {
		/* Move the whole list to todo. */
		todo.next = ep->ready.next;
		todo.prev = ep->ready.prev;
		todo.next->prev = &todo;
		todo.prev->next = &todo;
		dlist_init(&ep->ready);
	}
	int n = 0;
	while (!dlist_empty(&todo) && n < max) {
		struct epitem *it =
			container_of(todo.next, struct epitem, in_ready);
		dlist_remove(&it->in_ready);
		unsigned m = file_poll(it->f) & item_mask(it);
		if (!m)
			continue; /* not ready after all */
		out[n].events = m;
		out[n].data.u64 = it->data;
		n++;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_MODES; /* disabled until MOD */
		else if (!(it->events & EPOLLET))
			dlist_push(&again, &it->in_ready);
	}
	/* The rest of todo, then the level-triggered ones, after anything
	 * that became ready meanwhile (nothing can: we hold the lock). */
	while (!dlist_empty(&todo)) {
		struct dlist *p = todo.prev;
		dlist_remove(p);
		p->next = ep->ready.next;
		p->prev = &ep->ready;
		ep->ready.next->prev = p;
		ep->ready.next = p;
	}
	while (!dlist_empty(&again)) {
		struct dlist *p = again.next;
		dlist_remove(p);
		dlist_push(&ep->ready, p);
	}
	return n;
}

long epoll_wait_file(struct file *epf, struct epoll_event *events, int max,
		     uint64_t deadline)
{
	if (!file_is_epoll(epf) || max <= 0)
		return -EINVAL;
	struct epoll *ep = epf->priv;
	for (;;) {
		int n = epoll_collect(ep, events, max);
		if (n) {
			/* Others waiting on this instance (threads, an epoll
			 * above) may want what is still ready. */
			if (!dlist_empty(&ep->ready))
				file_wake(epf, EPOLLIN | EPOLLRDNORM);
			return n;
		}
		if (deadline && now_ns() >= deadline)
			return 0;
		/* As poll: a handler ends the wait (never restarted after
		 * one, as on Linux). */
		if (file_wait(epf, EPOLLIN, deadline) < 0)
			return deadline ? -EINTR : -ERESTARTNOHAND;
		/* Asleep, the program may have unmapped them. */
		if (!vm_user_ok(events, (size_t)max * sizeof(*events), true))
			return -EFAULT;
	}
}

/* Readable when some registration is ready now. Nesting is at most
 * EP_MAX_NESTS deep (epoll_add refuses more), so this recursion is. */
static unsigned epoll_poll(struct file *f)
{
	struct epoll *ep = f->priv;
	for (struct dlist *p = ep->ready.next; p != &ep->ready; p = p->next) {
		struct epitem *it = container_of(p, struct epitem, in_ready);
		if (file_poll(it->f) & item_mask(it))
			return EPOLLIN | EPOLLRDNORM;
	}
	return 0;
}

/* A thread waiting on the instance waits for what its files wait for. */
static bool epoll_device(struct file *f)
{
	struct epoll *ep = f->priv;
	for (struct dlist *p = ep->items.next; p != &ep->items; p = p->next) {
		struct epitem *it = container_of(p, struct epitem, in_ep);
		if (file_device(it->f))
			return true;
	}
	return false;
}

static void epoll_release(struct file *f)
{
	struct epoll *ep = f->priv;
	while (!dlist_empty(&ep->items))
		item_free(container_of(ep->items.next, struct epitem, in_ep));
	kfree(ep);
}

static const struct file_ops epoll_ops = {
	.name = "epoll",
	.poll = epoll_poll,
	.release = epoll_release,
	.device = epoll_device,
	.mode = 0600, /* an anonymous inode's, as on Linux */
};

struct file *epoll_open(void)
{
	struct epoll *ep = kmalloc(sizeof(*ep));
	if (!ep)
		return NULL;
	dlist_init(&ep->items);
	dlist_init(&ep->ready);
	ep->file = file_alloc(&epoll_ops, O_RDWR, ep);
	if (!ep->file) {
		kfree(ep);
		return NULL;
	}
	return ep->file;
}
