/*
 * The fake xenstored (see fake_xenstore.h): a small store, watches and
 * transactions, behind xs.c's transport.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kern.h"
#include "drivers/xen/xendrv.h"
#include "tests/unit/fake_xenstore.h"

/* --- what the xenstore code links against --- */

int irq_nesting;
bool kcrashing;
char fxs_console[8192];
static size_t console_len;

/* Not malloc and free: fake_sched.c forbids those in kernel context
 * (musl's could deadlock there); kmem.c's are fine. */
void __real_free(void *p);

void *kmalloc(size_t n)
{
	return n > 2048 ? NULL : calloc(1, n); /* kmem.c's largest class */
}

void kfree(void *p)
{
	__real_free(p);
}

noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void console_kwrite(const char *buf, size_t len)
{
	size_t room = sizeof(fxs_console) - 1 - console_len;
	if (len > room)
		len = room;
	memcpy(fxs_console + console_len, buf, len);
	console_len += len;
	fxs_console[console_len] = 0;
}

bool fxs_console_has(const char *s)
{
	return strstr(fxs_console, s) != NULL;
}

/* --- the store --- */

#define NKEYS	 128
#define NWATCHES 16
#define NTX	 8
#define NOPS	 32
#define PATHLEN	 256
#define VALLEN	 4200

struct key {
	bool used;
	char path[PATHLEN];
	char value[VALLEN];
	size_t len;
};
static struct key keys[NKEYS];

static struct {
	bool used, rel;
	char path[PATHLEN], token[64];
} watches[NWATCHES];

struct op {
	bool rm;
	char path[PATHLEN];
	char value[VALLEN];
	size_t len;
};
static struct {
	bool used;
	uint32_t id;
	int nops;
	struct op ops[NOPS];
} txs[NTX];
static uint32_t next_tx;

bool fxs_hold;
void (*fxs_mangle)(struct xsd_sockmsg *h, char *body, size_t *len);
int fxs_eagain_commits;
size_t fxs_chunk;
int fxs_send_error, fxs_recv_error;
void (*fxs_on_write)(const char *path, const char *value);
int fxs_requests[XS_TYPE_COUNT];
int fxs_commits;
struct xsd_sockmsg fxs_last;
char fxs_last_body[XENSTORE_PAYLOAD_MAX + 1];

static void die(const char *why)
{
	fprintf(stderr, "fake xenstored: %s\n", why);
	abort();
}

static void canon(char *out, const char *path)
{
	int n = path[0] == '/' ? snprintf(out, PATHLEN, "%s", path)
			       : snprintf(out, PATHLEN, FXS_HOME "/%s", path);
	if (n >= PATHLEN)
		die("path too long for the fake");
}

/* Is p at or below dir? */
static bool below(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(p, dir, n) && (p[n] == 0 || p[n] == '/');
}

static struct key *find(const char *abs)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].used && !strcmp(keys[i].path, abs))
			return &keys[i];
	return NULL;
}

/* A key, or a directory made by keys below it (value ""). */
static bool exists(const char *abs)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].used && below(keys[i].path, abs))
			return true;
	return false;
}

/* --- messages out --- */

#define NHELD 64
static struct held {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 64];
	size_t len;
} held[NHELD];
static int nheld;
static char stream[1 << 17];
static size_t shead, stail;

void fxs_inject(const void *buf, size_t len)
{
	if (stail + len > sizeof(stream))
		die("stream full");
	memcpy(stream + stail, buf, len);
	stail += len;
}

void fxs_inject_msg(uint32_t type, uint32_t req_id, const void *body,
		    size_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = len };
	fxs_inject(&h, sizeof(h));
	fxs_inject(body, len);
}

static void emit(uint32_t type, uint32_t req_id, uint32_t tx, const void *body,
		 size_t len)
{
	struct held m = { .h = { type, req_id, tx, len }, .len = len };
	memcpy(m.body, body, len);
	if (fxs_mangle)
		fxs_mangle(&m.h, m.body, &m.len);
	if (fxs_hold) {
		if (nheld == NHELD)
			die("too many held messages");
		held[nheld++] = m;
		return;
	}
	fxs_inject(&m.h, sizeof(m.h));
	fxs_inject(m.body, m.len);
}

static void emit_str(uint32_t type, uint32_t req_id, uint32_t tx, const char *s)
{
	emit(type, req_id, tx, s, strlen(s) + 1);
}

int fxs_nheld(void)
{
	return nheld;
}

const struct xsd_sockmsg *fxs_held(int i)
{
	return &held[i].h;
}

void fxs_deliver(int i)
{
	if (i < 0 || i >= nheld)
		die("no such held message");
	fxs_inject(&held[i].h, sizeof(held[i].h));
	fxs_inject(held[i].body, held[i].len);
	held[i] = held[--nheld]; /* the test keeps count itself */
}

void fxs_interrupt(void)
{
	unsigned long f = kern_enter();
	xs_rx();
	kern_leave(f);
}

/* --- watches and changes --- */

static void fire(const char *abs)
{
	for (int i = 0; i < NWATCHES; i++) {
		if (!watches[i].used)
			continue;
		char w[PATHLEN];
		canon(w, watches[i].path);
		if (!below(abs, w) && !below(w, abs))
			continue;
		const char *p = below(abs, w) ? abs : w;
		if (watches[i].rel)
			p += strlen(FXS_HOME "/");
		char body[2 * PATHLEN + 2];
		size_t pl = strlen(p), tl = strlen(watches[i].token);
		memcpy(body, p, pl + 1);
		memcpy(body + pl + 1, watches[i].token, tl + 1);
		emit(XS_WATCH_EVENT, 0, 0, body, pl + tl + 2);
	}
}

static void store_set(const char *abs, const char *v, size_t len)
{
	struct key *k = find(abs);
	for (int i = 0; !k && i < NKEYS; i++)
		if (!keys[i].used)
			k = &keys[i];
	if (!k)
		die("store full");
	if (len >= VALLEN)
		die("value too long for the fake");
	k->used = true;
	strcpy(k->path, abs);
	memcpy(k->value, v, len);
	k->value[len] = 0;
	k->len = len;
	fire(abs);
}

static void store_rm(const char *abs)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].used && below(keys[i].path, abs))
			keys[i].used = false;
	fire(abs);
}

void fxs_set(const char *path, const char *value)
{
	char abs[PATHLEN];
	canon(abs, path);
	store_set(abs, value, strlen(value));
}

const char *fxs_get(const char *path)
{
	char abs[PATHLEN];
	canon(abs, path);
	struct key *k = find(abs);
	return k ? k->value : NULL;
}

void fxs_rm(const char *path)
{
	char abs[PATHLEN];
	canon(abs, path);
	store_rm(abs);
}

/* --- requests in --- */

static int tx_find(uint32_t id)
{
	for (int i = 0; i < NTX; i++)
		if (txs[i].used && txs[i].id == id)
			return i;
	return -1;
}

static void guest_write(const char *abs, const char *v, size_t len)
{
	store_set(abs, v, len);
	if (fxs_on_write)
		fxs_on_write(abs, find(abs)->value);
}

/* A read inside transaction t sees t's own writes first. */
static bool tx_read(int t, const char *abs, const char **v, size_t *len)
{
	for (int i = txs[t].nops - 1; i >= 0; i--) {
		if (txs[t].ops[i].rm && below(abs, txs[t].ops[i].path))
			return false;
		if (!txs[t].ops[i].rm && !strcmp(txs[t].ops[i].path, abs)) {
			*v = txs[t].ops[i].value;
			*len = txs[t].ops[i].len;
			return true;
		}
	}
	struct key *k = find(abs);
	*v = k ? k->value : "";
	*len = k ? k->len : 0;
	return k || exists(abs);
}

static void tx_record(int t, bool rm, const char *abs, const char *v,
		      size_t len)
{
	if (txs[t].nops == NOPS)
		die("transaction too long for the fake");
	struct op *op = &txs[t].ops[txs[t].nops++];
	op->rm = rm;
	strcpy(op->path, abs);
	memcpy(op->value, v, len);
	op->value[len] = 0;
	op->len = len;
}

static void directory(uint32_t id, uint32_t tx, const char *abs)
{
	char out[XENSTORE_PAYLOAD_MAX];
	size_t n = 0, dl = strlen(abs);
	if (!exists(abs)) {
		emit_str(XS_ERROR, id, tx, "ENOENT");
		return;
	}
	for (int i = 0; i < NKEYS; i++) {
		if (!keys[i].used || !below(keys[i].path, abs) ||
		    !keys[i].path[dl])
			continue;
		const char *c = keys[i].path + dl + 1;
		size_t cl = strcspn(c, "/");
		/* Once per child. */
		bool seen = false;
		for (size_t j = 0; j < n; j += strlen(out + j) + 1)
			if (strlen(out + j) == cl && !strncmp(out + j, c, cl))
				seen = true;
		if (seen)
			continue;
		memcpy(out + n, c, cl);
		out[n + cl] = 0;
		n += cl + 1;
	}
	emit(XS_DIRECTORY, id, tx, out, n);
}

static void serve(const struct xsd_sockmsg *m, const char *body)
{
	char abs[PATHLEN] = "";
	uint32_t id = m->req_id, tx = m->tx_id;
	int t = tx ? tx_find(tx) : -1;
	if (tx && t < 0) {
		emit_str(XS_ERROR, id, tx, "ENOENT");
		return;
	}
	if (m->type != XS_TRANSACTION_START && m->type != XS_TRANSACTION_END)
		canon(abs, body);
	switch (m->type) {
	case XS_READ: {
		const char *v = "";
		size_t len = 0;
		bool ok;
		if (t >= 0) {
			ok = tx_read(t, abs, &v, &len);
		} else {
			struct key *k = find(abs);
			ok = k || exists(abs);
			if (k) {
				v = k->value;
				len = k->len;
			}
		}
		if (ok)
			emit(XS_READ, id, tx, v, len); /* no NUL */
		else
			emit_str(XS_ERROR, id, tx, "ENOENT");
		break;
	}
	case XS_WRITE: {
		size_t pl = strlen(body) + 1;
		if (t >= 0)
			tx_record(t, false, abs, body + pl, m->len - pl);
		else
			guest_write(abs, body + pl, m->len - pl);
		emit_str(XS_WRITE, id, tx, "OK");
		break;
	}
	case XS_RM:
		if (t >= 0)
			tx_record(t, true, abs, "", 0);
		else
			store_rm(abs);
		emit_str(XS_RM, id, tx, "OK");
		break;
	case XS_DIRECTORY:
		directory(id, tx, abs);
		break;
	case XS_WATCH: {
		int i = 0;
		while (i < NWATCHES && watches[i].used)
			i++;
		if (i == NWATCHES)
			die("too many watches");
		watches[i].used = true;
		watches[i].rel = body[0] != '/';
		snprintf(watches[i].path, PATHLEN, "%s", body);
		snprintf(watches[i].token, 64, "%s", body + strlen(body) + 1);
		emit_str(XS_WATCH, id, tx, "OK");
		/* xenstored's rule: a new watch fires at once. */
		char ev[PATHLEN + 64];
		size_t pl = strlen(body) + 1;
		size_t tl = strlen(watches[i].token) + 1;
		memcpy(ev, body, pl);
		memcpy(ev + pl, watches[i].token, tl);
		emit(XS_WATCH_EVENT, 0, 0, ev, pl + tl);
		break;
	}
	case XS_UNWATCH:
		for (int i = 0; i < NWATCHES; i++)
			if (watches[i].used &&
			    !strcmp(watches[i].token, body + strlen(body) + 1))
				watches[i].used = false;
		emit_str(XS_UNWATCH, id, tx, "OK");
		break;
	case XS_TRANSACTION_START: {
		int i = 0;
		while (i < NTX && txs[i].used)
			i++;
		if (i == NTX)
			die("too many transactions");
		txs[i].used = true;
		txs[i].id = ++next_tx;
		txs[i].nops = 0;
		char s[16];
		snprintf(s, sizeof(s), "%u", txs[i].id);
		emit_str(XS_TRANSACTION_START, id, 0, s);
		break;
	}
	case XS_TRANSACTION_END:
		if (t < 0) {
			emit_str(XS_ERROR, id, tx, "ENOENT");
			break;
		}
		txs[t].used = false;
		if (!strcmp(body, "T") && fxs_eagain_commits > 0) {
			fxs_eagain_commits--;
			emit_str(XS_ERROR, id, tx, "EAGAIN");
			break;
		}
		if (!strcmp(body, "T")) {
			fxs_commits++;
			for (int i = 0; i < txs[t].nops; i++)
				if (txs[t].ops[i].rm)
					store_rm(txs[t].ops[i].path);
				else
					guest_write(txs[t].ops[i].path,
						    txs[t].ops[i].value,
						    txs[t].ops[i].len);
		}
		emit_str(XS_TRANSACTION_END, id, tx, "OK");
		break;
	default:
		emit_str(XS_ERROR, id, tx, "EINVAL");
	}
}

static char sent[2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
static size_t nsent;

static int fake_send(const void *buf, size_t len)
{
	if (fxs_send_error)
		return fxs_send_error;
	if (nsent + len > sizeof(sent))
		die("the guest sent more than a request");
	memcpy(sent + nsent, buf, len);
	nsent += len;
	struct xsd_sockmsg m;
	if (nsent < sizeof(m))
		return 0;
	memcpy(&m, sent, sizeof(m));
	if (m.len > XENSTORE_PAYLOAD_MAX)
		die("the guest sent a request longer than 4096 bytes");
	if (nsent < sizeof(m) + m.len)
		return 0;
	if (nsent > sizeof(m) + m.len)
		die("the guest sent two requests at once");
	fxs_last = m;
	memcpy(fxs_last_body, sent + sizeof(m), m.len);
	fxs_last_body[m.len] = 0;
	nsent = 0;
	if (m.type < XS_TYPE_COUNT)
		fxs_requests[m.type]++;
	serve(&fxs_last, fxs_last_body);
	return 0;
}

static long fake_recv(void *buf, size_t len)
{
	if (fxs_recv_error)
		return fxs_recv_error;
	size_t n = stail - shead;
	if (n > len)
		n = len;
	if (fxs_chunk && n > fxs_chunk)
		n = fxs_chunk;
	memcpy(buf, stream + shead, n);
	shead += n;
	if (shead == stail)
		shead = stail = 0;
	return (long)n;
}

/* As the ring does: sleep on q, woken by routing, at most 100 ms. */
static void fake_wait(struct waitq *q)
{
	wait_device(q, now_ns() + 100000000);
}

int fxs_kicks;
static void fake_kick(void)
{
	fxs_kicks++;
}

static const struct xs_transport fake = {
	.send = fake_send,
	.kick = fake_kick,
	.recv = fake_recv,
	.wait = fake_wait,
};

bool fxs_drained(void)
{
	return shead == stail && nsent == 0 && nheld == 0;
}

void fxs_reset(void)
{
	memset(keys, 0, sizeof(keys));
	memset(watches, 0, sizeof(watches));
	memset(txs, 0, sizeof(txs));
	memset(fxs_requests, 0, sizeof(fxs_requests));
	next_tx = 0;
	nheld = 0;
	shead = stail = nsent = 0;
	fxs_hold = false;
	fxs_mangle = NULL;
	fxs_eagain_commits = 0;
	fxs_chunk = 0;
	fxs_send_error = fxs_recv_error = 0;
	fxs_kicks = 0;
	fxs_on_write = NULL;
	fxs_commits = 0;
	console_len = 0;
	fxs_console[0] = 0;
	xs_attach(&fake);
}
