/*
 * Signals, as Linux delivers them to one process: per-process actions,
 * per-thread masks, pending sets for the process and for each thread,
 * and delivery on the way back to the program (signal_deliver, called
 * after every syscall and every interrupt of program code). The frame a
 * handler runs on is the CPU's business (arch's sigframe.c).
 *
 * Standard signals (1-31) pend once; real-time ones (32-64) queue, each
 * with its siginfo. A signal whose action is to end the program ends it
 * when it is sent, unless every thread that could take it blocks it.
 * Everything here runs under big_lock (kern/lock.h): syscalls and
 * interrupt handlers, one CPU, interrupts off.
 */
#include <errno.h>
#include <signal.h>

#include "kern.h"
#include "arch.h"

struct ksigaction sigactions[NSIGNALS + 1];
bool signal_external;
uint64_t signal_proc_pend; /* sent to the process, not yet taken */

/* The siginfo of each pending signal, oldest first; t NULL: the
 * process's. Without memory for one, the signal still pends, with a
 * plain siginfo. */
struct sigq {
	struct sigq *next;
	struct thread *t;
	struct ksiginfo info;
};
static struct sigq *queue;

enum { ACT_TERM, ACT_IGN, ACT_CORE };

static const char *const names[32] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig)
{
	return sig > 0 && sig < 32 ? names[sig] : NULL;
}

/* What SIG_DFL does. There is no job control: the stop signals are
 * ignored (nothing could continue the program). */
static int default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return ACT_IGN;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return ACT_CORE;
	}
	return ACT_TERM;
}

static bool ignored(int sig)
{
	uintptr_t h = sigactions[sig].handler;
	return h == (uintptr_t)SIG_IGN ||
	       (h == (uintptr_t)SIG_DFL && default_action(sig) == ACT_IGN);
}

/* The program ends as the signal's default action says: a crash report
 * for the "core" ones, else a console line and status 128 + sig. */
static noreturn void signal_kill(int sig, struct regs *r)
{
	char what[64];
	const char *name = signal_name(sig);
	ksnprintf(what, sizeof(what), "program killed by signal %d (%s)", sig,
		  name ? name : "real-time");
	if (sig != SIGKILL && default_action(sig) == ACT_CORE)
		crash(what, r, 0);
	printk("atman: %s\n", what);
	kexit(128 + sig);
}

int signal_next(const struct thread *t)
{
	uint64_t p = (t->sigpend | signal_proc_pend) & ~t->sigmask;
	return p ? __builtin_ctzll(p) + 1 : 0;
}

bool signal_pending(void)
{
	return current && signal_next(current);
}

/* Would t take sig now, or is it waiting for it in rt_sigtimedwait?
 * The kernel's own threads take none: signals are the program's. */
static bool takes(const struct thread *t, int sig)
{
	return !t->kthread &&
	       (!(t->sigmask & SIGBIT(sig)) || (t->sigwait & SIGBIT(sig)));
}

static bool blocks(const struct thread *t, int sig)
{
	return !t->kthread && (t->sigmask & SIGBIT(sig));
}

bool signal_awaited(void)
{
	if (!signal_external)
		return false;
	uintptr_t h = sigactions[SIGTERM].handler;
	/* A handler, or a thread that blocks it to take it (sigwaitinfo,
	 * signalfd): the program will see it. By default SIGTERM ends the
	 * program, which a deadlock report serves better. */
	return (h != (uintptr_t)SIG_DFL && h != (uintptr_t)SIG_IGN) ||
	       thread_find_if(blocks, SIGTERM);
}

/* A thread in an interruptible sleep that can take sig wakes up. */
static void kick(struct thread *t, int sig)
{
	if (t->state == T_BLOCKED && t->intr_sleep && takes(t, sig)) {
		t->interrupted = true;
		sched_add(t);
	}
}

/* Who takes a signal sent to the process: the current thread if it can,
 * else the first that can; NULL if every thread blocks it. */
static struct thread *process_target(int sig)
{
	if (current && takes(current, sig))
		return current;
	return thread_find_if(takes, sig);
}

static void enqueue(struct thread *t, const struct ksiginfo *info)
{
	struct sigq *q = kmalloc(sizeof(*q));
	if (!q)
		return;
	q->t = t;
	q->info = *info;
	q->next = NULL;
	struct sigq **pp = &queue;
	while (*pp)
		pp = &(*pp)->next;
	*pp = q;
}

int signal_send(int tid, const struct ksiginfo *info)
{
	int sig = info->signo;
	if (sig < 0 || sig > NSIGNALS)
		return -EINVAL;
	struct thread *t = NULL;
	if (tid && (!(t = thread_find(tid)) || t->kthread))
		return -ESRCH;
	if (sig == 0)
		return 0; /* the existence check of kill(pid, 0) */
	struct regs *r = current && current == t ? current->uregs : NULL;
	if (sig == SIGKILL)
		signal_kill(sig, r);
	if (ignored(sig))
		return 0;
	struct thread *to = t ? t : process_target(sig);
	if (sigactions[sig].handler == (uintptr_t)SIG_DFL && to &&
	    !(to->sigmask & SIGBIT(sig)))
		signal_kill(sig, to == current ? current->uregs : NULL);

	uint64_t *pend = t ? &t->sigpend : &signal_proc_pend;
	if (sig < SIGRTMIN_K && (*pend & SIGBIT(sig)))
		return 0; /* a standard signal pends once */
	*pend |= SIGBIT(sig);
	enqueue(t, info);
	if (to)
		kick(to, sig);
	signalfd_notify(sig);
	return 0;
}

/* Take sig for t from the pending sets, with its siginfo (a plain one
 * if none was queued). The bit stays while another is queued. */
static void take(struct thread *t, int sig, struct ksiginfo *info)
{
	struct thread *owner = t->sigpend & SIGBIT(sig) ? t : NULL;
	*info = (struct ksiginfo){ .signo = sig, .code = SI_KERNEL };
	bool found = false, more = false;
	for (struct sigq **pp = &queue; *pp;) {
		struct sigq *q = *pp;
		if (q->t != owner || q->info.signo != sig) {
			pp = &q->next;
		} else if (!found) {
			*info = q->info;
			*pp = q->next;
			kfree(q);
			found = true;
		} else {
			more = true;
			break;
		}
	}
	if (more)
		return;
	if (owner)
		t->sigpend &= ~SIGBIT(sig);
	else
		signal_proc_pend &= ~SIGBIT(sig);
}

int signal_take(uint64_t set, struct ksiginfo *info)
{
	uint64_t p = (current->sigpend | signal_proc_pend) & set;
	if (!p)
		return 0;
	int sig = __builtin_ctzll(p) + 1;
	take(current, sig, info);
	return sig;
}

void signal_thread_exit(struct thread *t)
{
	for (struct sigq **pp = &queue; *pp;) {
		struct sigq *q = *pp;
		if (q->t == t) {
			*pp = q->next;
			kfree(q);
		} else {
			pp = &q->next;
		}
	}
}

void signal_setmask(uint64_t mask)
{
	current->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	/* Unblocking a pending signal whose action ends the program ends
	 * it now (abort's second raise comes this way). */
	int sig = signal_next(current);
	if (sig && sigactions[sig].handler == (uintptr_t)SIG_DFL &&
	    !ignored(sig))
		signal_kill(sig, current->uregs);
}

int signal_action(int sig, const struct ksigaction *act, struct ksigaction *old)
{
	if (sig < 1 || sig > NSIGNALS)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (old)
		*old = sigactions[sig];
	if (!act)
		return 0;
	sigactions[sig] = *act;
	sigactions[sig].mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (ignored(sig)) {
		/* POSIX: setting SIG_IGN discards what is pending. */
		uint64_t keep = ~SIGBIT(sig);
		signal_proc_pend &= keep;
		for (struct thread *t = thread_first(); t; t = t->all_next)
			t->sigpend &= keep;
		for (struct sigq **pp = &queue; *pp;) {
			struct sigq *q = *pp;
			if (q->info.signo == sig) {
				*pp = q->next;
				kfree(q);
			} else {
				pp = &q->next;
			}
		}
	}
	return 0;
}

static bool is_restart(uint64_t rax)
{
	return (long)rax == -ERESTARTSYS || (long)rax == -ERESTARTNOHAND;
}

/* Make the interrupted syscall run again when r resumes. */
static void restart(struct regs *r)
{
	r->rax = current->syscall_nr;
	r->rip -= ARCH_SYSCALL_INSN_LEN;
}

void signal_deliver(struct regs *r)
{
	struct thread *t = current;
	bool in_syscall = arch_regs_syscall(r) && t->syscall_nr >= 0;
	int sig;
	while ((sig = signal_next(t))) {
		struct ksiginfo info;
		take(t, sig, &info);
		struct ksigaction *a = &sigactions[sig];
		if (ignored(sig))
			continue;
		if (a->handler == (uintptr_t)SIG_DFL)
			signal_kill(sig, r);
		if (in_syscall && is_restart(r->rax)) {
			if ((long)r->rax == -ERESTARTSYS &&
			    (a->flags & SA_RESTART))
				restart(r);
			else
				r->rax = -EINTR;
		}
		uint64_t old = t->restore_mask ? t->saved_mask : t->sigmask;
		t->restore_mask = false;
		if (!arch_signal_enter(r, &info, a, old, t))
			signal_kill(SIGSEGV, r); /* no room for the frame */
		t->sigmask |= a->mask;
		if (!(a->flags & SA_NODEFER))
			t->sigmask |= SIGBIT(sig);
		t->sigmask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		if (a->flags & SA_RESETHAND)
			a->handler = (uintptr_t)SIG_DFL;
		t->syscall_nr = -1; /* one restart decision per syscall */
		return;
	}
	/* No handler ran: an interrupted call starts again, and a mask
	 * rt_sigsuspend set comes off. */
	if (in_syscall && is_restart(r->rax))
		restart(r);
	if (t->restore_mask) {
		t->restore_mask = false;
		t->sigmask = t->saved_mask;
	}
}

/* entry.S, after an interrupt of program code. */
void signal_deliver_irq(struct regs *r)
{
	if (signal_any(current))
		signal_deliver(r);
}

bool signal_fault(struct regs *r, int sig, int code, uintptr_t addr)
{
	struct thread *t = current;
	struct ksigaction *a = &sigactions[sig];
	if (!t || a->handler == (uintptr_t)SIG_DFL ||
	    a->handler == (uintptr_t)SIG_IGN || (t->sigmask & SIGBIT(sig)))
		return false; /* as Linux: a blocked fault kills */
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	if (!arch_signal_enter(r, &info, a, t->sigmask, t))
		return false;
	t->sigmask |= a->mask;
	if (!(a->flags & SA_NODEFER))
		t->sigmask |= SIGBIT(sig);
	t->sigmask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (a->flags & SA_RESETHAND)
		a->handler = (uintptr_t)SIG_DFL;
	return true;
}

long signal_return(struct regs *r)
{
	uint64_t mask;
	if (!arch_signal_leave(r, current, &mask))
		signal_kill(SIGSEGV, r); /* a frame we cannot trust */
	current->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	current->syscall_nr = -1; /* r->rax is the context's, not a result */
	return r->rax;
}

int signal_wait(uint64_t set, uint64_t deadline, struct ksiginfo *info)
{
	struct thread *t = current;
	for (;;) {
		int sig = signal_take(set, info);
		if (sig)
			return sig;
		if (signal_next(t))
			return -EINTR; /* another signal: its handler runs */
		t->sigwait = set;
		int w = sched_block_intr(deadline);
		t->sigwait = 0;
		if (w == 0) {
			sig = signal_take(set, info);
			return sig ? sig : -EAGAIN;
		}
	}
}
