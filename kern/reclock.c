/*
 * Locks that belong to an open file description, tracked as Linux
 * tracks them: OFD record locks (F_OFD_SETLK, F_OFD_SETLKW,
 * F_OFD_GETLK) and flock. Two descriptions of one file (two opens) are
 * two owners, and their locks conflict (a write lock with any other on
 * an overlapping range; flock LOCK_EX with any other flock); the locks
 * of one description never conflict with each other. They go when the
 * description's last reference does (file_put). POSIX locks (F_SETLK)
 * belong to the process, which is one: they never conflict and are not
 * kept (sys_fd.c grants them).
 *
 * A file is known by its stat identity (st_dev, st_ino). A waiter
 * (F_OFD_SETLKW, flock without LOCK_NB) sleeps until a lock goes, and a
 * signal ends the wait (EINTR).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "kern.h"

#ifndef F_OFD_GETLK /* the host's headers, in unit tests */
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#endif

struct rlock {
	uint64_t dev, ino;
	struct file *owner;
	bool flock;	     /* flock's whole-file lock, else a record lock */
	bool write;	     /* F_WRLCK, LOCK_EX */
	uint64_t start, end; /* [start, end); end UINT64_MAX: to EOF and on */
	struct rlock *next;
};

static struct rlock *locks;
static struct waitq lock_waiters;

static int identity(struct file *f, uint64_t *dev, uint64_t *ino)
{
	struct stat st;
	int r = file_stat(f, &st);
	*dev = st.st_dev;
	*ino = st.st_ino;
	return r;
}

/* The lock of another owner in the way of this one that starts first,
 * or NULL. */
static struct rlock *conflict(const struct rlock *want)
{
	struct rlock *first = NULL;
	for (struct rlock *l = locks; l; l = l->next)
		if (l->dev == want->dev && l->ino == want->ino &&
		    l->owner != want->owner && l->flock == want->flock &&
		    (l->write || want->write) && l->start < want->end &&
		    want->start < l->end && (!first || l->start < first->start))
			first = l;
	return first;
}

/* The owner's locks of this kind lose [start, end) (split if need be). */
static int carve(const struct rlock *k)
{
	for (struct rlock **pp = &locks; *pp;) {
		struct rlock *l = *pp;
		if (l->dev != k->dev || l->ino != k->ino ||
		    l->owner != k->owner || l->flock != k->flock ||
		    l->end <= k->start || k->end <= l->start) {
			pp = &l->next;
			continue;
		}
		if (l->start < k->start && k->end < l->end) { /* the middle */
			struct rlock *t = kmalloc(sizeof(*t));
			if (!t)
				return -ENOLCK;
			*t = *l;
			t->start = k->end;
			l->end = k->start;
			l->next = t;
			return 0;
		}
		if (l->start < k->start) {
			l->end = k->start;
			pp = &l->next;
		} else if (k->end < l->end) {
			l->start = k->end;
			pp = &l->next;
		} else {
			*pp = l->next;
			kfree(l);
		}
	}
	return 0;
}

/* Take (or with unlock, drop) the lock k for its owner; wait for
 * conflicting ones if wait. 0, -EAGAIN, -EINTR, -ENOLCK. */
static int take(struct rlock *k, bool unlock, bool wait)
{
	if (!unlock) {
		while (conflict(k)) {
			if (!wait)
				return -EAGAIN;
			waitq_add(&lock_waiters, current);
			int r = sched_block_intr(0);
			if (r <= 0) {
				waitq_remove(&lock_waiters, current);
				if (r < 0)
					return -EINTR;
			}
		}
	}
	struct rlock *n = unlock ? NULL : kmalloc(sizeof(*n));
	if (!unlock && !n)
		return -ENOLCK;
	int r = carve(k);
	if (r) {
		kfree(n);
		return r;
	}
	if (n) {
		*n = *k;
		n->next = locks;
		locks = n;
	}
	wake_all(&lock_waiters); /* what went may free someone's way */
	return 0;
}

int reclock_ofd(struct file *f, int cmd, int type, uint64_t start, uint64_t len,
		int *got_type, uint64_t *got_start, uint64_t *got_len)
{
	struct rlock k = { .owner = f, .write = type == F_WRLCK };
	if (identity(f, &k.dev, &k.ino))
		return -EBADF;
	k.start = start;
	k.end = len && start + len > start ? start + len : UINT64_MAX;
	if (cmd == F_OFD_GETLK) {
		struct rlock *l = conflict(&k);
		*got_type = !l ? F_UNLCK : l->write ? F_WRLCK : F_RDLCK;
		if (l) {
			*got_start = l->start;
			*got_len = l->end == UINT64_MAX ? 0 : l->end - l->start;
		}
		return 0;
	}
	return take(&k, type == F_UNLCK, cmd == F_OFD_SETLKW);
}

int reclock_flock(struct file *f, int op)
{
	struct rlock k = {
		.owner = f, .flock = true, .start = 0, .end = UINT64_MAX
	};
	if (identity(f, &k.dev, &k.ino))
		return -EBADF;
	int kind = op & ~LOCK_NB;
	k.write = kind == LOCK_EX;
	int r = take(&k, kind == LOCK_UN, !(op & LOCK_NB));
	return r == -EAGAIN ? -EWOULDBLOCK : r;
}

void reclock_release(struct file *f)
{
	bool any = false;
	for (struct rlock **pp = &locks; *pp;) {
		struct rlock *l = *pp;
		if (l->owner == f) {
			*pp = l->next;
			kfree(l);
			any = true;
		} else {
			pp = &l->next;
		}
	}
	if (any)
		wake_all(&lock_waiters);
}
