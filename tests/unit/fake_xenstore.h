/*
 * A fake xenstored for host unit tests, behind xs.c's transport
 * (struct xs_transport), with the few kernel services the xenstore code
 * links against. It keeps a store of keys, answers requests as
 * xenstored does (read, write, rm, directory, watch and unwatch with
 * their events, transactions), and lets a test misbehave on purpose:
 *
 * - fxs_hold: replies and events are held back, each as one message,
 *   until the test delivers them (fxs_deliver, in any order) and raises
 *   the event (fxs_interrupt: xs_rx, as the store's handler would);
 * - fxs_inject: raw bytes into the stream (watch events between
 *   replies, lying headers);
 * - fxs_mangle: a hook that may change each message before it goes;
 * - fxs_eagain_commits: that many commits fail with EAGAIN;
 * - fxs_chunk: at most that many bytes per recv (a message in pieces).
 *
 * Paths are kept absolute; relative ones are under /local/domain/7.
 * Requests run on the fake scheduler (fake_sched.h) inside kern_enter.
 */
#ifndef FAKE_XENSTORE_H
#define FAKE_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define FXS_HOME "/local/domain/7"

void fxs_reset(void); /* an empty store; xs_attach()es the fake */
void fxs_set(const char *path, const char *value); /* fires watches */
const char *fxs_get(const char *path);		   /* NULL: absent */
void fxs_rm(const char *path);

extern bool fxs_hold;
int fxs_nheld(void);
const struct xsd_sockmsg *fxs_held(int i); /* its header */
void fxs_deliver(int i);		   /* held message i, now */
void fxs_interrupt(void);		   /* xs_rx in kernel context */
void fxs_inject(const void *buf, size_t len);
void fxs_inject_msg(uint32_t type, uint32_t req_id, const void *body,
		    size_t len);
extern void (*fxs_mangle)(struct xsd_sockmsg *h, char *body, size_t *len);
extern int fxs_eagain_commits;
extern size_t fxs_chunk;
extern int fxs_send_error, fxs_recv_error;
/* Called after a write is applied (committed), like a backend's watch. */
extern void (*fxs_on_write)(const char *path, const char *value);

/* What the guest sent. */
extern int fxs_requests[XS_TYPE_COUNT];
extern int fxs_kicks; /* the client's kicks: one per whole request */
extern int fxs_commits;
extern struct xsd_sockmsg fxs_last;
extern char fxs_last_body[XENSTORE_PAYLOAD_MAX + 1];
bool fxs_drained(void); /* all sent was read, nothing half-sent */

/* Kernel messages (printk) seen since fxs_reset, one string. */
extern char fxs_console[8192];
bool fxs_console_has(const char *s);

#endif
