/*
 * Orderly shutdown from the toolstack. `xl shutdown` writes "poweroff"
 * to control/shutdown, `xl reboot` "reboot"; a Linux guest turns either
 * into its own orderly shutdown (init sends SIGTERM to every process),
 * we into SIGTERM for the program, which servers already handle. The
 * request is acknowledged as Linux does, by emptying the key in the
 * transaction that read it. A program still running stop_timeout
 * seconds later (atman.stop_timeout, default 10) is ended as SIGKILL
 * ends it: a console line, status 137. Once it ends, the domain shuts
 * down for the reason asked: poweroff, or reboot (the toolstack's
 * on_reboot decides what follows). Suspend is not supported: it is
 * refused on the console and in error/control/shutdown/error, and the program
 * carries on.
 *
 * One kernel thread waits on the watch. Its waits are "background"
 * (kern/wait.c): they keep nothing alive, so a program whose threads all
 * sleep on each other is still reported as a deadlock, unless it waits
 * for the SIGTERM we may send (signal_external, kern/signal.c).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "xendrv.h"

#define CONTROL_STOP_TIMEOUT_S	 10 /* atman.stop_timeout's default */
#define CONTROL_STOP_TIMEOUT_MAX 86400
#define CONTROL_REQ_MAX		 32 /* longer than any request we know */
/* A watch event whose notification was lost is seen this late, at most:
 * the thread looks at the ring again this often. Rarely: a program that
 * runs alone otherwise takes no timer interrupt at all (kern/timer.c),
 * and every interrupt costs it time (and, in the box, risks the
 * emulator's double delivery: arch/x86_64/trap.c). */
#define CONTROL_POLL_NS	   (10 * CONTROL_NS_PER_S)
#define CONTROL_NS_PER_S   1000000000ULL
#define CONTROL_ERROR_NODE "error/control/shutdown/error"

static struct xs_watch control_watch;
static uint64_t control_timeout_ns = CONTROL_STOP_TIMEOUT_S * CONTROL_NS_PER_S;

const char *control_configure(const struct cmdline *c)
{
	const char *t = cmdline_opt(c, "atman.stop_timeout");
	unsigned long s;
	if (!t)
		return NULL;
	if (!xs_parse_uint(t, CONTROL_STOP_TIMEOUT_MAX, &s))
		return "atman.stop_timeout: seconds, 0 to 86400";
	control_timeout_ns = s * CONTROL_NS_PER_S;
	return NULL;
}

/* Read the request and empty the key, in one transaction: two requests
 * written in quick succession are each seen once. */
struct control_req {
	char text[CONTROL_REQ_MAX];
	int len;
};

static int control_take_tx(xs_tx tx, void *arg)
{
	struct control_req *req = arg;
	req->len =
		xs_read(tx, "control/shutdown", req->text, sizeof(req->text));
	if (req->len <= 0)
		return req->len; /* empty: nothing asked (or our own ack) */
	return xs_write(tx, "control/shutdown", "");
}

/* What the request asks; updates *deadline once stopping. */
static void control_request(const struct control_req *req, uint64_t *deadline)
{
	const char *what = req->text;
	bool reboot = !strcmp(what, "reboot");
	if (req->len >= CONTROL_REQ_MAX) {
		printk("atman: shutdown request of %d bytes ignored\n",
		       req->len);
	} else if (reboot || !strcmp(what, "poweroff") ||
		   !strcmp(what, "halt")) {
		if (*deadline)
			return; /* already stopping: the first deadline holds */
		if (reboot)
			kexit_reason = SHUTDOWN_REBOOT;
		printk("atman: %s requested: SIGTERM to the program, which "
		       "has %lu s to end\n",
		       what,
		       (unsigned long)(control_timeout_ns / CONTROL_NS_PER_S));
		*deadline = now_ns() + control_timeout_ns;
		if (!*deadline)
			*deadline = 1;
		struct ksiginfo si = { .signo = SIGTERM, .code = SI_KERNEL };
		signal_send(0, &si);
	} else if (!strcmp(what, "suspend")) {
		printk("atman: suspend requested: not supported, the program "
		       "carries on\n");
		/* Where a Linux frontend reports its errors (the toolstack
		 * lets the guest write under error/ only). */
		int r = xs_write(XS_NOTX, CONTROL_ERROR_NODE,
				 "suspend is not supported");
		if (r)
			printk("atman: cannot write %s (error %d)\n",
			       CONTROL_ERROR_NODE, -r);
	} else {
		printk("atman: unknown shutdown request \"%s\" ignored\n",
		       what);
	}
}

/* The watch and what we advertise: three xenstore round trips, made
 * here rather than before the program starts (a request made meanwhile
 * is seen: a new watch fires once at once). */
static int control_setup(void)
{
	/* What a Linux guest advertises: the requests it acts on. */
	xs_write(XS_NOTX, "control/feature-poweroff", "1");
	xs_write(XS_NOTX, "control/feature-reboot", "1");
	return xs_watch_add(&control_watch, "control/shutdown");
}

static noreturn void control_thread(void *arg)
{
	(void)arg;
	uint64_t deadline = 0;
	int r = control_setup();
	if (r) {
		printk("atman: no shutdown requests (error %d)\n", -r);
		goto gone;
	}
	for (;;) {
		/* Any event: the key changed; reading it tells what. */
		r = xs_watch_next(&control_watch, NULL, 0, XS_NOWAIT);
		if (r == -ETIMEDOUT) {
			uint64_t now = now_ns(), until = now + CONTROL_POLL_NS;
			if (deadline && now >= deadline) {
				printk("atman: the program did not end within "
				       "%lu s of the request: ended as by "
				       "SIGKILL\n",
				       (unsigned long)(control_timeout_ns /
						       CONTROL_NS_PER_S));
				kexit(128 + SIGKILL);
			}
			if (deadline && deadline < until)
				until = deadline;
			wait_device(&control_watch.wq, until);
			continue;
		}
		if (r < 0)
			break; /* xenstore broke: nobody can ask any more */
		struct control_req req = { .len = 0 };
		r = xs_transact(control_take_tx, &req);
		if (r == 0 && req.len > 0)
			control_request(&req, &deadline);
		else if (r < 0 && r != -ENOENT)
			printk("atman: control/shutdown: error %d\n", -r);
	}
	printk("atman: xenstore is gone: shutdown requests are not seen\n");
gone:
	signal_external = false;
	for (;;)
		sched_block(0);
}

int control_start(void)
{
	struct thread *t = kthread_start(control_thread, NULL);
	if (!t) {
		printk("atman: no shutdown requests (no memory for a "
		       "thread)\n");
		return -ENOMEM;
	}
	t->background = true;
	signal_external = true;
	return 0;
}
