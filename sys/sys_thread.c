/*
 * Thread syscalls: clone as musl's pthread_create uses it, futex, and the
 * small calls around them.
 */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

#include "sys.h"
#include "kern/kern.h"
#include "arch.h"

/* The futex ABI (linux/futex.h; musl ships no copy). */
#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_REQUEUE	     3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAKE_OP	     5
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256

#define CLONE_PTHREAD                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |    \
	 CLONE_SYSVSEM)

long sys_clone(unsigned long flags, unsigned long newsp, int *ptid, int *ctid,
	       unsigned long tls)
{
	/* One process: threads only. fork/vfork (posix_spawn) fail. */
	if ((flags & CLONE_PTHREAD) != CLONE_PTHREAD)
		return -ENOSYS;
	if (!newsp || !vm_user_ok((void *)(newsp - 512), 512, true))
		return -EINVAL;
	if ((flags & CLONE_PARENT_SETTID) && !vm_user_ok(ptid, 4, true))
		return -EFAULT;
	if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) &&
	    !vm_user_ok(ctid, 4, true))
		return -EFAULT;
	struct thread *t = thread_new();
	if (!t)
		return -EAGAIN;

	/* The child resumes after the syscall instruction with rax = 0 on
	 * the new stack, every other register as the parent's (musl keeps
	 * the start function in r9). */
	struct regs r = *current->uregs;
	r.rax = 0;
	r.rsp = newsp;
	thread_prepare(t, &r);
	t->fs_base = flags & CLONE_SETTLS ? tls : current->fs_base;
	cpu_fpu_save(t->fpu); /* the parent's FPU state, as Linux copies it */
	/* The parent's signal mask (musl blocks all around clone); no
	 * alternate stack, nothing pending. */
	t->sigmask = current->sigmask;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_tid = ctid;
	if (flags & CLONE_PARENT_SETTID)
		*ptid = t->tid;
	if (flags & CLONE_CHILD_SETTID)
		*ctid = t->tid;
	/* Runnable, not running: musl holds its thread list lock across
	 * clone, so the child must wait for the parent to return. */
	sched_add(t);
	return t->tid;
}

long sys_futex(int *uaddr, int op, int val, const struct timespec *ts,
	       int *uaddr2, int val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint64_t deadline;
	long r;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		r = timeout_from_user(ts, cmd == FUTEX_WAIT_BITSET,
				      op & FUTEX_CLOCK_REALTIME, &deadline);
		if (r)
			return r;
		if (deadline && deadline <= now_ns())
			return -ETIMEDOUT;
		return futex_wait(uaddr, val, deadline,
				  cmd == FUTEX_WAIT ? ~0u : (uint32_t)val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, val,
				  cmd == FUTEX_WAKE ? ~0u : (uint32_t)val3);
	case FUTEX_CMP_REQUEUE:
		if (!vm_user_ok(uaddr, 4, false))
			return -EFAULT;
		if (*uaddr != val3)
			return -EAGAIN;
		/* fall through */
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, val, (int)(uintptr_t)ts, uaddr2);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, val, uaddr2, (int)(uintptr_t)ts,
				     val3);
	}
	return -ENOSYS;
}

long sys_set_robust_list(void *head, size_t len)
{
	(void)head;
	/* Accepted: with one process, nobody outlives a thread that dies
	 * holding a robust mutex. */
	return len == 24 ? 0 : -EINVAL;
}

long sys_sched_getaffinity(int pid, size_t len, unsigned long *mask)
{
	if (pid != 0 && pid != 1 && !thread_find(pid))
		return -ESRCH;
	if (len < sizeof(unsigned long))
		return -EINVAL;
	if (!vm_user_ok(mask, len, true))
		return -EFAULT;
	memset(mask, 0, len);
	mask[0] = 1; /* one vCPU */
	return sizeof(unsigned long);
}

long sys_getrusage(int who, struct rusage *ru)
{
	if (who != RUSAGE_SELF && who != RUSAGE_THREAD &&
	    who != RUSAGE_CHILDREN)
		return -EINVAL;
	if (!vm_user_ok(ru, sizeof(*ru), true))
		return -EFAULT;
	memset(ru, 0, sizeof(*ru));
	if (who != RUSAGE_CHILDREN) {
		/* No per-thread accounting: report time since boot as the
		 * process's user time. */
		uint64_t ns = now_ns();
		ru->ru_utime.tv_sec = ns / 1000000000;
		ru->ru_utime.tv_usec = ns % 1000000000 / 1000;
		ru->ru_maxrss = (pages.total_pages - pages.free_pages) * 4;
		uint64_t v, iv;
		thread_csw(who == RUSAGE_SELF, &v, &iv);
		ru->ru_nvcsw = v;
		ru->ru_nivcsw = iv;
	}
	return 0;
}

long sys_times(struct tms *buf)
{
	long ticks = now_ns() / 10000000; /* AT_CLKTCK = 100 */
	if (buf) {
		if (!vm_user_ok(buf, sizeof(*buf), true))
			return -EFAULT;
		*buf = (struct tms){ .tms_utime = ticks };
	}
	return ticks;
}
