/*
 * The process: identity and exit. There is one process; its pid is 1.
 * Signals are sys_signal.c.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include "sys.h"
#include "kern/kern.h"
#include "arch.h"

long sys_exit_group(int status)
{
	kexit(status & 0xff);
}

long sys_exit(int status)
{
	/* The last thread to exit ends the program, as on Linux. */
	thread_exit(status & 0xff);
}

long sys_getpid(void)
{
	return 1;
}

long sys_getppid(void)
{
	return 0;
}

long sys_gettid(void)
{
	return current->tid;
}

long sys_getuid(void)
{
	return 0;
}

long sys_uname(struct utsname *u)
{
	if (!vm_user_ok(u, sizeof(*u), true))
		return -EFAULT;
	memset(u, 0, sizeof(*u));
	kstrlcpy(u->sysname, "Atman", sizeof(u->sysname));
	/* atman.hostname=, if given (gethostname reads this) */
	const char *host = cmdline_opt(&kcmdline, "atman.hostname");
	kstrlcpy(u->nodename, host && *host ? host : "atman",
		 sizeof(u->nodename));
	kstrlcpy(u->release, "0.1", sizeof(u->release));
	kstrlcpy(u->version, "AtmanOS", sizeof(u->version));
	kstrlcpy(u->machine, "x86_64", sizeof(u->machine));
	kstrlcpy(u->domainname, "(none)", sizeof(u->domainname));
	return 0;
}

/* Linux's struct sysinfo ends at mem_unit (112 bytes with its padding);
 * musl's adds 256 reserved bytes, which Linux never writes: a Go program
 * passes the 112-byte one on its stack. */
#define LINUX_SYSINFO_SIZE ALIGN_UP(offsetof(struct sysinfo, __reserved), 8)

long sys_sysinfo(struct sysinfo *usi)
{
	if (!vm_user_ok(usi, LINUX_SYSINFO_SIZE, true))
		return -EFAULT;
	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	si.uptime = now_ns() / 1000000000;
	si.totalram = pages.total_pages;
	si.freeram = pages.free_pages;
	si.procs = 1;
	si.mem_unit = PAGE_SIZE;
	memcpy(usi, &si, LINUX_SYSINFO_SIZE);
	return 0;
}

/* The limits are what the kernel enforces; a program may lower its soft
 * limits (nothing is stored: nothing here grows to them) but not raise
 * one past its hard limit, as an unprivileged Linux process. */
static bool rlimit_of(unsigned res, struct rlimit *l)
{
	l->rlim_cur = l->rlim_max = RLIM_INFINITY;
	switch (res) {
	case RLIMIT_STACK:
		l->rlim_cur = MAIN_STACK;
		break;
	case RLIMIT_NOFILE:
		l->rlim_cur = l->rlim_max = FD_MAX;
		break;
	case RLIMIT_NPROC:
	case RLIMIT_SIGPENDING:
		l->rlim_cur = l->rlim_max = 1024;
		break;
	case RLIMIT_CORE:
	case RLIMIT_MEMLOCK:
	case RLIMIT_NICE:
	case RLIMIT_RTPRIO:
		l->rlim_cur = l->rlim_max = 0;
		break;
	case RLIMIT_MSGQUEUE:
		l->rlim_cur = l->rlim_max = 819200;
		break;
	case RLIMIT_CPU:
	case RLIMIT_FSIZE:
	case RLIMIT_DATA:
	case RLIMIT_RSS:
	case RLIMIT_AS:
	case RLIMIT_LOCKS:
	case RLIMIT_RTTIME:
		break;
	default:
		return false;
	}
	return true;
}

long sys_prlimit64(int pid, unsigned res, const struct rlimit *nl,
		   struct rlimit *ol)
{
	struct rlimit cur;
	if (pid != 0 && pid != 1)
		return -ESRCH;
	if (!rlimit_of(res, &cur))
		return -EINVAL;
	if (nl) {
		if (!vm_user_ok(nl, sizeof(*nl), false))
			return -EFAULT;
		struct rlimit want = *nl;
		if (want.rlim_cur > want.rlim_max)
			return -EINVAL;
		if (want.rlim_max > cur.rlim_max)
			return -EPERM;
	}
	if (ol) {
		if (!vm_user_ok(ol, sizeof(*ol), true))
			return -EFAULT;
		*ol = cur;
	}
	return 0;
}

/* glibc registers a restartable sequence at start when the kernel has
 * them; Linux without CONFIG_RSEQ says ENOSYS, and so do we, quietly. */
long sys_rseq(void)
{
	return -ENOSYS;
}

long sys_getrlimit(unsigned res, struct rlimit *l)
{
	if (!l)
		return -EFAULT;
	return sys_prlimit64(0, res, NULL, l);
}

long sys_setrlimit(unsigned res, const struct rlimit *l)
{
	if (!l)
		return -EFAULT;
	return sys_prlimit64(0, res, l, NULL);
}

long sys_getrandom(void *buf, size_t len, unsigned flags)
{
	if (flags & ~7u)
		return -EINVAL;
	if (len > 33554431)
		len = 33554431;
	if (!vm_user_ok(buf, len, true))
		return -EFAULT;
	random_bytes(buf, len);
	return len;
}

long sys_sched_yield(void)
{
	schedule();
	return 0;
}

long sys_set_tid_address(int *tidptr)
{
	current->clear_tid = tidptr;
	return current->tid;
}

/*
 * prctl: what servers and runtimes ask at start. A thread's name is its
 * own (the first thread's is the process's, as /proc shows it); the
 * flags that mean something only where there are other processes or
 * privileges are kept and read back. Anything else is EINVAL, as from a
 * Linux built without the feature.
 */
#define PRCTL_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE: Linux 6.1's last */
static int prctl_pdeathsig, prctl_no_new_privs, prctl_dumpable = 1;

long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5)
{
	switch (option) {
	case PR_SET_NAME: {
		/* At most 15 bytes are read: Linux truncates a longer name. */
		char name[PROC_COMM_LEN] = { 0 };
		const char *up = (const char *)a2;
		for (size_t i = 0; i < sizeof(name) - 1; i++) {
			if ((i == 0 || (uintptr_t)(up + i) % KPAGE_SIZE == 0) &&
			    !vm_user_ok(up + i, 1, false))
				return -EFAULT;
			if (!(name[i] = up[i]))
				break;
		}
		memcpy(current->comm, name, sizeof(name));
		if (current->tid == 1)
			proc_set_name(name);
		return 0;
	}
	case PR_GET_NAME: {
		char name[PROC_COMM_LEN] = { 0 };
		const char *src =
			current->comm[0] ? current->comm : proc_name();
		memcpy(name, src, strnlen(src, sizeof(name) - 1));
		if (!vm_user_ok((void *)a2, sizeof(name), true))
			return -EFAULT;
		memcpy((void *)a2, name, sizeof(name));
		return 0;
	}
	case PR_SET_PDEATHSIG:
		if (a2 > NSIGNALS)
			return -EINVAL;
		prctl_pdeathsig = (int)a2;
		return 0;
	case PR_GET_PDEATHSIG:
		if (!vm_user_ok((void *)a2, sizeof(int), true))
			return -EFAULT;
		*(int *)a2 = prctl_pdeathsig;
		return 0;
	case PR_GET_DUMPABLE:
		return prctl_dumpable;
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		prctl_dumpable = (int)a2;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		prctl_no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return prctl_no_new_privs;
	case PR_GET_TIMERSLACK:
		return 50000; /* Linux's default, in ns: we keep no slack */
	case PR_SET_TIMERSLACK:
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		return 0; /* there are no children to reap */
	case PR_GET_CHILD_SUBREAPER:
		if (!vm_user_ok((void *)a2, sizeof(int), true))
			return -EFAULT;
		*(int *)a2 = 0;
		return 0;
	case PR_CAPBSET_READ:
		return a2 <= PRCTL_CAP_LAST ? 1
					    : -EINVAL; /* root: all of them */
	case PR_GET_SECCOMP:
		return 0;
	}
	return -EINVAL;
}

long sys_arch_prctl(int code, unsigned long addr)
{
	switch (code) {
	case 0x1002: /* ARCH_SET_FS */
		cpu_set_fs(addr);
		current->fs_base = addr;
		return 0;
	case 0x1003: /* ARCH_GET_FS */
		if (!vm_user_ok((void *)addr, 8, true))
			return -EFAULT;
		*(unsigned long *)addr = cpu_get_fs();
		return 0;
	}
	return -EINVAL;
}
