/*
 * <atman/chan.h>: Go's channels for C threads.
 *
 * A channel carries fixed-size elements, copied by value, from sending
 * threads to receiving threads. The semantics are Go's (The Go
 * Programming Language Specification, "Channel types", "Send
 * statements", "Receive operator", "Close", "Select statements"); where
 * Go panics or blocks forever, a call here returns an error instead.
 * Every thread may use channels: go threads (<atman/task.h>) and
 * pthreads alike, in any mix.
 *
 * Conventions, for every call below:
 *
 * - A call returns 0 (or, for atman_chan_select, a case index) on
 *   success and a negative errno value on failure. It never exits the
 *   program and never sets errno. Out-parameters are written only on
 *   success.
 * - Elements are copied with memcpy: a channel of pointers passes
 *   pointers, and the memory they point to is the program's business.
 *   For a blocked sender, the receiver copies straight out of the
 *   sender's element; the sender MUST NOT modify it until its call
 *   returns.
 * - "Blocks" means the calling thread sleeps (other threads run) until
 *   the operation can complete. A blocked call is not interrupted by
 *   signals.
 * - A channel passed to any call MUST have been created by
 *   atman_chan_create and not yet destroyed; otherwise the behaviour is
 *   undefined (a destroyed channel is detected with -EINVAL on a best
 *   effort basis only).
 *
 * Unless the program defines ATMAN_NO_SHORT_NAMES before including this
 * header, short names are defined as well (chan_t, chan_make,
 * chan_send, ...; see the end of this file).
 */
#ifndef ATMAN_CHAN_H
#define ATMAN_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A channel. Opaque. */
typedef struct atman_chan atman_chan_t;

/*
 * Create a channel for elements of elem_size bytes, with room for
 * capacity elements; capacity 0 makes an unbuffered channel, on which a
 * send completes only when a receiver takes the element. elem_size MAY
 * be 0 (a channel that only signals). On success *out is the new, open,
 * empty channel.
 *
 * Errors:
 *   -EINVAL  out is NULL, or elem_size * capacity does not fit in memory.
 *   -ENOMEM  not enough memory.
 */
int atman_chan_create(atman_chan_t **out, size_t elem_size, size_t capacity);

/*
 * Free a channel. Elements still buffered are discarded. The channel
 * MUST NOT be used by any thread after this call, nor concurrently with
 * it. Destroying NULL does nothing and returns 0. Closing first is not
 * required.
 *
 * Errors:
 *   -EBUSY   a thread is blocked on the channel (in a send, receive or
 *            select); nothing is freed. Close the channel to wake them.
 */
int atman_chan_destroy(atman_chan_t *c);

/*
 * Send a copy of the elem_size bytes at elem. On an unbuffered channel,
 * blocks until a receiver takes it; on a buffered channel, blocks while
 * the buffer is full. elem MAY be NULL when elem_size is 0.
 *
 * Errors:
 *   -EPIPE    the channel is closed, or was closed while the call was
 *             blocked; the element was not sent. (Go panics.)
 *   -EDEADLK  c is NULL: the send could never complete. (Go blocks
 *             forever.)
 *   -EINVAL   elem is NULL and elem_size is not 0.
 */
int atman_chan_send(atman_chan_t *c, const void *elem);

/*
 * Receive an element into elem (elem_size bytes), blocking until one is
 * available. Elements arrive in the order they were sent (FIFO). When
 * the channel is closed and no element is left, the call returns at once
 * with *ok false and elem zeroed, like Go's "v, ok := <-c"; *ok is true
 * when an element was received. elem MAY be NULL (the element is
 * discarded); ok MAY be NULL.
 *
 * Errors:
 *   -EDEADLK  c is NULL. (Go blocks forever.)
 */
int atman_chan_recv(atman_chan_t *c, void *elem, bool *ok);

/*
 * Close the channel: no more elements may be sent. Elements already
 * buffered can still be received. Every blocked receiver is woken with
 * ok false; every blocked sender is woken and its send fails with
 * -EPIPE (in a select, its case is chosen with ok false).
 *
 * Errors:
 *   -EPIPE   the channel is already closed. (Go panics.)
 *   -EINVAL  c is NULL. (Go panics.)
 */
int atman_chan_close(atman_chan_t *c);

/*
 * Non-blocking forms of send and receive: they complete only if they
 * could do so at once, like a select with one case and a default.
 * A try-send on an unbuffered channel succeeds only when a receiver is
 * already blocked on it.
 *
 * Errors (besides the blocking form's):
 *   -EAGAIN  the operation would block; nothing happened. A NULL channel
 *            is never ready: -EAGAIN, not -EDEADLK.
 */
int atman_chan_trysend(atman_chan_t *c, const void *elem);
int atman_chan_tryrecv(atman_chan_t *c, void *elem, bool *ok);

/* Select. */

#define ATMAN_CHAN_SEND 1
#define ATMAN_CHAN_RECV 2

/* atman_chan_select's timeout_ns: wait as long as it takes; no wait. */
#define ATMAN_CHAN_FOREVER ((int64_t)-1)
#define ATMAN_CHAN_NOWAIT  ((int64_t)0)

struct atman_chan_case {
	atman_chan_t *chan; /* NULL: a case that is never ready */
	int op;		    /* ATMAN_CHAN_SEND or ATMAN_CHAN_RECV */
	void *elem;	    /* send: the element; recv: where to put it, or
			       NULL to discard it */
	bool ok;	    /* out: set in the chosen case only */
};

/* Initializers for a case: struct atman_chan_case cs[] = {
 * ATMAN_CHAN_RECV_CASE(in, &v), ATMAN_CHAN_SEND_CASE(out, &w) }; */
#define ATMAN_CHAN_SEND_CASE(c, p)                                             \
	{                                                                      \
		.chan = (c), .op = ATMAN_CHAN_SEND, .elem = (void *)(p)        \
	}
#define ATMAN_CHAN_RECV_CASE(c, p)                                             \
	{                                                                      \
		.chan = (c), .op = ATMAN_CHAN_RECV, .elem = (p)                \
	}

/*
 * Wait until one of the n cases can proceed, perform that one case and
 * return its index. Go's select statement:
 *
 * - A receive case is ready when an element is buffered, a sender is
 *   blocked on its channel, or its channel is closed. A send case is
 *   ready when a receiver is blocked on its channel, the buffer has
 *   room, or its channel is closed.
 * - If several cases are ready, one is chosen uniformly at random, so
 *   that no case starves. The other cases do not happen.
 * - A case whose chan is NULL is never ready and never chosen.
 * - The chosen case's ok says what happened: true if the element was
 *   transferred; false if the channel was closed (a receive got no
 *   element and its elem is zeroed; a send sent nothing. Go panics in
 *   that last case: check ok on send cases).
 * - timeout_ns < 0 (ATMAN_CHAN_FOREVER): block until a case is ready.
 *   timeout_ns == 0 (ATMAN_CHAN_NOWAIT): do not block: Go's default
 *   case. timeout_ns > 0: block at most that many nanoseconds of the
 *   monotonic clock; a case that becomes ready in time wins, and the
 *   call MAY return up to a scheduler tick late, never early.
 * - The same channel MAY appear in several cases, for send and receive.
 *   n MAY be 0 (then only the timeout matters: a sleep).
 *
 * Returns the chosen case's index, or:
 *   -EAGAIN     timeout_ns is 0 and no case is ready.
 *   -ETIMEDOUT  timeout_ns > 0 and it passed with no case ready.
 *   -EDEADLK    timeout_ns < 0 and every chan is NULL (or n is 0): the
 *               call could never return. (Go blocks forever.)
 *   -EINVAL     cases is NULL with n > 0, n > INT32_MAX, an op is
 *               neither SEND nor RECV, or a send case has a NULL elem
 *               and a nonzero element size. No case happened.
 *   -ENOMEM     more than 8 cases and no memory to wait on them.
 */
int atman_chan_select(struct atman_chan_case *cases, size_t n,
		      int64_t timeout_ns);

/* Short names: chan_make returns NULL on failure; the rest are the
 * atman_chan_* calls above. */
#ifndef ATMAN_NO_SHORT_NAMES
typedef atman_chan_t chan_t;
typedef struct atman_chan_case chan_case_t;
#define CHAN_SEND	     ATMAN_CHAN_SEND
#define CHAN_RECV	     ATMAN_CHAN_RECV
#define CHAN_FOREVER	     ATMAN_CHAN_FOREVER
#define CHAN_NOWAIT	     ATMAN_CHAN_NOWAIT
#define CHAN_SEND_CASE(c, p) ATMAN_CHAN_SEND_CASE(c, p)
#define CHAN_RECV_CASE(c, p) ATMAN_CHAN_RECV_CASE(c, p)

static inline chan_t *chan_make(size_t elem_size, size_t capacity)
{
	chan_t *c;
	return atman_chan_create(&c, elem_size, capacity) == 0 ? c : NULL;
}

static inline int chan_destroy(chan_t *c)
{
	return atman_chan_destroy(c);
}

static inline int chan_send(chan_t *c, const void *elem)
{
	return atman_chan_send(c, elem);
}

static inline int chan_recv(chan_t *c, void *elem, bool *ok)
{
	return atman_chan_recv(c, elem, ok);
}

static inline int chan_close(chan_t *c)
{
	return atman_chan_close(c);
}

static inline int chan_trysend(chan_t *c, const void *elem)
{
	return atman_chan_trysend(c, elem);
}

static inline int chan_tryrecv(chan_t *c, void *elem, bool *ok)
{
	return atman_chan_tryrecv(c, elem, ok);
}

static inline int chan_select(chan_case_t *cases, size_t n, int64_t timeout_ns)
{
	return atman_chan_select(cases, n, timeout_ns);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
