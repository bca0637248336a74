/*
 * The process: identity and exit. There is one process; its pid is 1.
 * Signals are sys_signal.c.
 */
#include <errno.h>
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
