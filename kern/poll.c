/*
 * Readiness wake-ups, and poll and select on them. Each file has a wait
 * queue of hooks. Whoever waits for the file hangs one there: a thread
 * blocked in read or write (file_wait), poll and select (one hook per
 * file they watch), an epoll registration (epoll.c). When a file's
 * readiness may have changed, its kind calls file_wake(f, events), which
 * runs every hook that wants one of those events; so does a driver's
 * interrupt handler (the console's input) and, later, lwIP's socket
 * callback. Nothing rechecks on a timer: a waiter sleeps until a hook
 * fires or its deadline passes.
 *
 * Lock: big_lock (kern/lock.h). Syscalls hold it; file_wake takes it,
 * since interrupt handlers call it too. With one CPU the check of a
 * file's state and the hooking/sleeping that follows cannot be split by
 * a wake: interrupts stay off from the check until the switch. Waits
 * are interruptible: a signal for the thread ends them.
 */
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>

#include "kern.h"
#include "lock.h"

#define DEFAULT_READY (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

void file_hook(struct file *f, struct poll_hook *h, unsigned events,
	       void (*fn)(struct poll_hook *h, unsigned events))
{
	h->events = events | POLL_GONE;
	h->fn = fn;
	dlist_push(&f->wq.hooks, &h->link);
}

void file_unhook(struct poll_hook *h)
{
	dlist_remove(&h->link);
}

void file_wake(struct file *f, unsigned events)
{
	unsigned long flags = irq_lock(&big_lock);
	struct dlist *l = &f->wq.hooks;
	/* A hook may unhook itself (an epoll registration told the file
	 * is gone), never another: step past it first. */
	for (struct dlist *p = l->next, *next; p != l; p = next) {
		next = p->next;
		struct poll_hook *h = container_of(p, struct poll_hook, link);
		if (h->events & events)
			h->fn(h, events);
	}
	irq_unlock(&big_lock, flags);
}

unsigned file_poll(struct file *f)
{
	return f->ops->poll ? f->ops->poll(f) : DEFAULT_READY;
}

bool file_device(struct file *f)
{
	return f->ops->device && f->ops->device(f);
}

/* A thread waiting for one file or many. */
struct poll_waiter {
	struct thread *t;
	bool fired;    /* a watched file woke */
	bool sleeping; /* in sched_block_intr: a fire must wake it */
	bool device;   /* a device may fire it: not a deadlock */
};

struct poll_entry {
	struct poll_hook hook;
	struct poll_waiter *w;
	struct file *f; /* a reference for the whole call; NULL: bad fd */
	unsigned want;	/* the events that count (POLLNVAL: a bad fd) */
	int fd;
};

static void entry_fire(struct poll_hook *h, unsigned events)
{
	struct poll_entry *e = container_of(h, struct poll_entry, hook);
	/* The waiter holds a reference: the file cannot go meanwhile. */
	kassert(!(events & POLL_GONE));
	e->w->fired = true;
	if (e->w->sleeping) {
		e->w->sleeping = false;
		sched_wake(e->w->t);
	}
}

/* Sleep until a hook fires (1), the deadline passes (0) or a signal
 * comes for the thread (-EINTR). */
static int waiter_sleep(struct poll_waiter *w, uint64_t deadline)
{
	while (!w->fired) {
		if (deadline && now_ns() >= deadline)
			return 0;
		w->sleeping = true;
		if (w->device)
			device_waiters++;
		int r = sched_block_intr(deadline);
		if (w->device)
			device_waiters--;
		w->sleeping = false;
		if (r < 0 && !w->fired)
			return -EINTR;
	}
	return 1;
}

int file_wait(struct file *f, unsigned events, uint64_t deadline)
{
	struct poll_waiter w = { .t = current, .device = file_device(f) };
	struct poll_entry e = { .w = &w, .f = f };
	file_hook(f, &e.hook, events, entry_fire);
	int r = waiter_sleep(&w, deadline);
	file_unhook(&e.hook);
	return r;
}

/*
 * The files of one poll or select call: an entry per file, the first
 * few on the caller's stack, the rest in pages (a go thread's stack is
 * 64 KiB; 1024 entries would not fit).
 */
#define TABLE_INLINE   8
#define TABLE_PER_PAGE (KPAGE_SIZE / sizeof(struct poll_entry))
#define TABLE_PAGES    ((FD_MAX + TABLE_PER_PAGE - 1) / TABLE_PER_PAGE)
struct poll_table {
	struct poll_waiter w;
	unsigned n;
	bool hooked;
	struct poll_entry inl[TABLE_INLINE];
	struct poll_entry *pages[TABLE_PAGES];
};

static struct poll_entry *table_at(struct poll_table *pt, unsigned i)
{
	if (i < TABLE_INLINE)
		return &pt->inl[i];
	i -= TABLE_INLINE;
	return &pt->pages[i / TABLE_PER_PAGE][i % TABLE_PER_PAGE];
}

/* Add fd's file (none if fd is not open), wanting those events: 0, or
 * -ENOMEM. */
static int table_add(struct poll_table *pt, int fd, unsigned want)
{
	unsigned i = pt->n;
	kassert(i < TABLE_INLINE + TABLE_PAGES * TABLE_PER_PAGE);
	if (i >= TABLE_INLINE && (i - TABLE_INLINE) % TABLE_PER_PAGE == 0) {
		uintptr_t pa = page_alloc();
		if (!pa)
			return -ENOMEM;
		pt->pages[(i - TABLE_INLINE) / TABLE_PER_PAGE] = (void *)pa;
	}
	struct poll_entry *e = table_at(pt, i);
	*e = (struct poll_entry){
		.w = &pt->w, .f = fd_file(fd), .want = want, .fd = fd
	};
	pt->n++;
	if (e->f && file_device(e->f))
		pt->w.device = true;
	return 0;
}

static void table_hook(struct poll_table *pt)
{
	for (unsigned i = 0; i < pt->n; i++) {
		struct poll_entry *e = table_at(pt, i);
		if (e->f)
			file_hook(e->f, &e->hook, e->want, entry_fire);
	}
	pt->hooked = true;
}

static void table_free(struct poll_table *pt)
{
	for (unsigned i = 0; i < pt->n; i++) {
		struct poll_entry *e = table_at(pt, i);
		if (!e->f)
			continue;
		if (pt->hooked)
			file_unhook(&e->hook);
		file_put(e->f);
	}
	for (unsigned p = 0; p * TABLE_PER_PAGE + TABLE_INLINE < pt->n; p++)
		page_free((uintptr_t)pt->pages[p]);
}

/* Entry i's events now, of those it wants. */
static unsigned table_ready(struct poll_table *pt, unsigned i)
{
	struct poll_entry *e = table_at(pt, i);
	return (e->f ? file_poll(e->f) : POLLNVAL) & e->want;
}

/*
 * Look once; if nothing is ready, hook every file and sleep until one
 * wakes us (or the deadline), then look again. The files are the ones
 * the fds named when the call began: an fd closed meanwhile keeps its
 * file for the rest of the call. The look after the deadline is the
 * last, as on Linux.
 */
static long table_run(struct poll_table *pt, uint64_t deadline,
		      long (*scan)(struct poll_table *pt, void *arg), void *arg)
{
	for (;;) {
		pt->w.fired = false;
		long r = scan(pt, arg);
		if (r || (deadline && now_ns() >= deadline))
			return r;
		if (!pt->hooked)
			table_hook(pt);
		/* A signal's handler ends the call; without one it starts
		 * again, unless a deadline is running (it would start over
		 * in full). */
		if (waiter_sleep(&pt->w, deadline) < 0)
			return deadline ? -EINTR : -ERESTARTNOHAND;
	}
}

struct poll_args {
	struct pollfd *fds;
	unsigned long n;
};

static long poll_scan(struct poll_table *pt, void *arg)
{
	struct poll_args *a = arg;
	/* Asleep, the program may have unmapped them. */
	if (!vm_user_ok(a->fds, a->n * sizeof(*a->fds), true))
		return -EFAULT;
	long count = 0;
	for (unsigned long i = 0; i < a->n; i++) {
		a->fds[i].revents = table_ready(pt, i);
		if (a->fds[i].revents)
			count++;
	}
	return count;
}

long poll_files(struct pollfd *fds, unsigned long n, uint64_t deadline)
{
	struct poll_table pt = { .w = { .t = current } };
	long r = 0;
	for (unsigned long i = 0; i < n && !r; i++) {
		unsigned want = fds[i].fd < 0
					? 0
					: (unsigned short)fds[i].events |
						  POLLERR | POLLHUP | POLLNVAL;
		r = table_add(&pt, fds[i].fd, want);
	}
	struct poll_args a = { fds, n };
	if (!r)
		r = table_run(&pt, deadline, poll_scan, &a);
	table_free(&pt);
	return r;
}

/* select's three sets, as Linux maps readiness onto them. */
#define SEL_IN	(EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLHUP | EPOLLERR)
#define SEL_OUT (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND | EPOLLERR)
#define SEL_EX	EPOLLPRI
static const unsigned sel_events[3] = { SEL_IN, SEL_OUT, SEL_EX };

#define LBITS (8 * sizeof(unsigned long))

static bool bit(const unsigned long *set, int fd)
{
	return set && (set[fd / LBITS] >> (fd % LBITS)) & 1;
}

struct select_args {
	int n;
	const unsigned long **in;
	unsigned long **out;
};

static long select_scan(struct poll_table *pt, void *arg)
{
	struct select_args *a = arg;
	for (int k = 0; k < 3; k++)
		if (a->out[k])
			memset(a->out[k], 0,
			       ALIGN_UP(a->n, LBITS) / LBITS *
				       sizeof(unsigned long));
	long count = 0;
	for (unsigned i = 0; i < pt->n; i++) {
		int fd = table_at(pt, i)->fd;
		unsigned m = table_ready(pt, i);
		for (int k = 0; k < 3; k++)
			if (bit(a->in[k], fd) && (m & sel_events[k])) {
				a->out[k][fd / LBITS] |= 1UL << (fd % LBITS);
				count++;
			}
	}
	return count;
}

long select_files(int n, const unsigned long *in[3], unsigned long *out[3],
		  uint64_t deadline)
{
	struct poll_table pt = { .w = { .t = current } };
	long r = 0;
	for (int fd = 0; fd < n && !r; fd++) {
		unsigned want = 0;
		for (int k = 0; k < 3; k++)
			if (bit(in[k], fd))
				want |= sel_events[k];
		if (!want)
			continue;
		r = table_add(&pt, fd, want);
		if (!r && !table_at(&pt, pt.n - 1)->f)
			r = -EBADF;
	}
	struct select_args a = { n, in, out };
	if (!r)
		r = table_run(&pt, deadline, select_scan, &a);
	table_free(&pt);
	return r;
}
