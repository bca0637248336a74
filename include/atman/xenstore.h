/*
 * <atman/xenstore.h>: the domain's xenstore, for programs on Xen.
 *
 * xenstore is the tree of keys Xen's toolstack keeps for every domain
 * (Xen's docs/misc/xenstore.txt and xenstore-paths.pandoc). A program
 * may read its own domain's keys (name, vm, domid, device/...), write
 * under data/, list directories and watch keys for changes. What a
 * domain may read or write is xenstored's decision: -EACCES otherwise.
 *
 * Conventions, for every call below:
 *
 * - A call returns 0 or a count on success and a negative errno value
 *   on failure. It never exits the program and never sets errno.
 * - Paths are relative to the domain's home, /local/domain/<domid>/,
 *   unless they start with '/'. A path MUST be a NUL-terminated string.
 * - A call blocks (other threads run) until xenstored answers. Any
 *   number of threads may call at once; their requests are in flight
 *   together, each answered on its own.
 * - Errors any call may return besides its own:
 *     -ENODEV     no xenstore: not on Xen (QEMU alone, say).
 *     -ETIMEDOUT  xenstored did not answer within 30 s.
 *     -EIO        xenstored sent something malformed. When it cannot
 *                 be told where the next message starts, xenstore is
 *                 off for the rest of the run: every call says -EIO.
 *     -E2BIG      the request does not fit in a message (4096 bytes).
 *     -EINVAL     a NULL or empty path, or a NULL buffer with len > 0.
 *   and xenstored's own: -ENOENT (no such key), -EACCES, -EINVAL (a
 *   malformed path), -ENOSPC (a quota), -EAGAIN, -EBUSY, -EEXIST,
 *   -EISDIR, -ENOMEM, -EROFS.
 * - Strings come back NUL-terminated in the caller's buffer, cut to
 *   len - 1 bytes if longer; ATMAN_XS_MAX bytes always hold a whole
 *   reply.
 */
#ifndef ATMAN_XENSTORE_H
#define ATMAN_XENSTORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATMAN_XS_MAX 4097 /* the largest reply, and its NUL */

/*
 * Read the value at path into buf. Returns the value's whole length: a
 * return >= len says it was cut. len MAY be 0 (buf MAY then be NULL) to
 * learn the length only. Values are bytes; one holding a NUL reads as a
 * shorter string.
 */
int atman_xs_read(const char *path, char *buf, size_t len);

/* Set path to the string value, creating it (and its parents). */
int atman_xs_write(const char *path, const char *value);

/* Remove path and everything below it. */
int atman_xs_rm(const char *path);

/*
 * The names of path's children, each NUL-terminated, one after another
 * in buf. Returns how many.
 *
 * Errors:
 *   -ERANGE  they do not all fit in len bytes; buf holds no list.
 */
int atman_xs_directory(const char *path, char *buf, size_t len);

/* A watch. Opaque. */
typedef struct atman_xs_watch atman_xs_watch_t;

/*
 * Watch path and everything below it. Each change makes an event that
 * names the path that changed. As xenstored does for every new watch,
 * a first event comes at once, naming path itself: look at it now.
 *
 * Events wait in the watch, in order, until atman_xs_watch_next takes
 * them; none is lost while nobody looks. An event for a path that
 * already has one waiting is merged into it (look once, see both
 * changes); past 64 waiting events they all become one event naming
 * the watched path itself: look at everything below it.
 *
 * Errors:
 *   -ENOMEM  no memory for the watch.
 *   -ENAMETOOLONG  path is longer than 2047 bytes.
 */
int atman_xs_watch(atman_xs_watch_t **out, const char *path);

/*
 * Take the next event of w: its path, into path like atman_xs_read
 * (returns the whole length). Waits up to timeout_ns nanoseconds for
 * one: negative, for ever; 0, not at all. w MUST NOT be passed to two
 * calls at once.
 *
 * Errors:
 *   -ETIMEDOUT  no event in time.
 *   -EINVAL     w is NULL.
 */
int atman_xs_watch_next(atman_xs_watch_t *w, char *path, size_t len,
			long long timeout_ns);

/*
 * Stop watching and free w; events still waiting are dropped. w MUST
 * NOT be used after, nor during, this call. NULL does nothing. Returns
 * 0, or xenstored's error for the XS_UNWATCH (w is freed anyway).
 */
int atman_xs_unwatch(atman_xs_watch_t *w);

#ifdef __cplusplus
}
#endif

#endif
