/*
 * The signal system calls: arguments checked and copied, then the core
 * (kern/signal.c). Sets are the kernel's 8-byte sigset_t: sigsetsize
 * must be 8, as on Linux.
 */
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "sys.h"
#include "kern/kern.h"
#include "arch.h"

#define KSIGSET_SIZE 8
#define PID_SELF     1 /* the one process */

static long set_from_user(const void *uset, size_t sz, uint64_t *set)
{
	if (sz != KSIGSET_SIZE)
		return -EINVAL;
	if (!vm_user_ok(uset, KSIGSET_SIZE, false))
		return -EFAULT;
	memcpy(set, uset, KSIGSET_SIZE);
	return 0;
}

long sys_rt_sigaction(int sig, const struct ksigaction *act,
		      struct ksigaction *old, size_t sz)
{
	if (sz != KSIGSET_SIZE)
		return -EINVAL;
	if (act && !vm_user_ok(act, sizeof(*act), false))
		return -EFAULT;
	if (old && !vm_user_ok(old, sizeof(*old), true))
		return -EFAULT;
	struct ksigaction a, o;
	if (act)
		a = *act;
	int r = signal_action(sig, act ? &a : NULL, &o);
	if (!r && old)
		*old = o;
	return r;
}

long sys_rt_sigprocmask(int how, const void *uset, void *uold, size_t sz)
{
	if (sz != KSIGSET_SIZE)
		return -EINVAL;
	if (uold && !vm_user_ok(uold, KSIGSET_SIZE, true))
		return -EFAULT;
	uint64_t old = current->sigmask, set = 0;
	if (uset) {
		long r = set_from_user(uset, sz, &set);
		if (r)
			return r;
		switch (how) {
		case SIG_BLOCK:
			signal_setmask(old | set);
			break;
		case SIG_UNBLOCK:
			signal_setmask(old & ~set);
			break;
		case SIG_SETMASK:
			signal_setmask(set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (uold)
		memcpy(uold, &old, KSIGSET_SIZE);
	return 0;
}

long sys_rt_sigpending(void *uset, size_t sz)
{
	if (sz > KSIGSET_SIZE)
		return -EINVAL;
	if (!vm_user_ok(uset, sz, true))
		return -EFAULT;
	uint64_t p = (current->sigpend | signal_proc_pend) & current->sigmask;
	memcpy(uset, &p, sz);
	return 0;
}

long sys_rt_sigsuspend(const void *uset, size_t sz)
{
	uint64_t set;
	long r = set_from_user(uset, sz, &set);
	if (r)
		return r;
	/* The old mask comes back after the handler (signal_deliver). */
	current->saved_mask = current->sigmask;
	current->restore_mask = true;
	signal_setmask(set);
	while (sched_block_intr(0) >= 0)
		;
	return -ERESTARTNOHAND;
}

long sys_pause(void)
{
	while (sched_block_intr(0) >= 0)
		;
	return -ERESTARTNOHAND;
}

static void siginfo_to_user(siginfo_t *u, const struct ksiginfo *k)
{
	memset(u, 0, sizeof(*u));
	u->si_signo = k->signo;
	u->si_code = k->code;
	if (k->code == SI_TIMER) {
		u->si_timerid = k->timerid;
		u->si_overrun = k->overrun;
		u->si_value.sival_ptr = (void *)k->value;
	} else if (k->addr) {
		u->si_addr = (void *)k->addr;
	} else {
		u->si_pid = k->pid;
		u->si_uid = k->uid;
		u->si_value.sival_ptr = (void *)k->value;
	}
}

long sys_rt_sigtimedwait(const void *uset, siginfo_t *uinfo,
			 const struct timespec *uts, size_t sz)
{
	uint64_t set, deadline;
	long r = set_from_user(uset, sz, &set);
	if (r)
		return r;
	if (uinfo && !vm_user_ok(uinfo, sizeof(*uinfo), true))
		return -EFAULT;
	r = timeout_from_user(uts, false, false, &deadline);
	if (r)
		return r;
	set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	struct ksiginfo info;
	int sig = signal_wait(set, deadline, &info);
	if (sig > 0 && uinfo)
		siginfo_to_user(uinfo, &info);
	return sig;
}

long sys_rt_sigreturn(void)
{
	return signal_return(current->uregs);
}

long sys_sigaltstack(const stack_t *uss, stack_t *uold)
{
	struct thread *t = current;
	if (uold && !vm_user_ok(uold, sizeof(*uold), true))
		return -EFAULT;
	stack_t old = {
		.ss_sp = (void *)t->altstack_sp,
		.ss_size = t->altstack_size,
		.ss_flags = !t->altstack_size ? SS_DISABLE : 0,
	};
	uintptr_t sp = t->uregs->rsp;
	bool onstack = t->altstack_size && sp > t->altstack_sp &&
		       sp <= t->altstack_sp + t->altstack_size;
	if (onstack)
		old.ss_flags = SS_ONSTACK;
	if (uss) {
		if (!vm_user_ok(uss, sizeof(*uss), false))
			return -EFAULT;
		stack_t ss = *uss;
		if (onstack)
			return -EPERM;
		if (ss.ss_flags & ~(SS_DISABLE | SS_AUTODISARM))
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			t->altstack_sp = 0;
			t->altstack_size = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = (uintptr_t)ss.ss_sp;
			t->altstack_size = ss.ss_size;
		}
		t->altstack_flags = 0;
	}
	if (uold)
		*uold = old;
	return 0;
}

static long send(int tid, int sig, int code, uint64_t value)
{
	struct ksiginfo info = {
		.signo = sig, .code = code, .pid = PID_SELF, .value = value
	};
	return signal_send(tid, &info);
}

long sys_kill(int pid, int sig)
{
	/* Ourselves, our group, everyone we may signal: all the one
	 * process. */
	if (pid != PID_SELF && pid != 0 && pid != -1 && pid != -PID_SELF)
		return -ESRCH;
	return send(0, sig, SI_USER, 0);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return send(tid, sig, SI_TKILL, 0);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (tgid != PID_SELF)
		return -ESRCH;
	return send(tid, sig, SI_TKILL, 0);
}

/* sigqueue: the program gives the siginfo; as Linux, it may not claim
 * to be the kernel or kill(). */
static long queueinfo(int tid, int sig, const siginfo_t *uinfo)
{
	if (!vm_user_ok(uinfo, sizeof(*uinfo), false))
		return -EFAULT;
	siginfo_t si = *uinfo;
	if (si.si_code >= 0 || si.si_code == SI_TKILL)
		return -EPERM;
	return send(tid, sig, si.si_code, (uintptr_t)si.si_value.sival_ptr);
}

long sys_rt_sigqueueinfo(int pid, int sig, const siginfo_t *uinfo)
{
	if (pid != PID_SELF)
		return -ESRCH;
	return queueinfo(0, sig, uinfo);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const siginfo_t *uinfo)
{
	if (tgid != PID_SELF)
		return -ESRCH;
	if (tid <= 0)
		return -EINVAL;
	return queueinfo(tid, sig, uinfo);
}

long sys_signalfd4(int fd, const void *uset, size_t sz, int flags)
{
	uint64_t set;
	if (flags & ~(SFD_NONBLOCK | SFD_CLOEXEC))
		return -EINVAL;
	long r = set_from_user(uset, sz, &set);
	if (r)
		return r;
	set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (fd != -1) {
		struct file *f = fd_file(fd);
		if (!f)
			return -EBADF;
		r = signalfd_set(f, set);
		file_put(f);
		return r ? r : fd;
	}
	struct file *f = signalfd_open(set, flags & SFD_NONBLOCK);
	if (!f)
		return -ENOMEM;
	int nfd = fd_install(f, 0, flags & SFD_CLOEXEC);
	if (nfd < 0)
		file_put(f); /* the table took our reference, or nobody did */
	return nfd;
}

long sys_signalfd(int fd, const void *uset, size_t sz)
{
	return sys_signalfd4(fd, uset, sz, 0);
}
