/*
 * The process: identity and exit. There is one process; its pid is 1.
 * Signals are sys_signal.c.
 */
#include <errno.h>
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

long sys_sysinfo(struct sysinfo *si)
{
	if (!vm_user_ok(si, sizeof(*si), true))
		return -EFAULT;
	memset(si, 0, sizeof(*si));
	si->uptime = now_ns() / 1000000000;
	si->totalram = pages.total_pages;
	si->freeram = pages.free_pages;
	si->procs = 1;
	si->mem_unit = PAGE_SIZE;
	return 0;
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
