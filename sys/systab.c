/*
 * The system call table: one designated initializer per call, indexed by
 * the number musl puts in rax. An unknown number is reported once by name
 * and returns -ENOSYS, and the program carries on.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "sys.h"
#include "kern/kern.h"
#include "arch.h"

/* The network is a part of its own (docs/architecture.md, "Parts"):
 * atman-cc leaves it out of an image whose program makes no socket call,
 * and these entries are then NULL, so -ENOSYS. */
#pragma weak sys_socket
#pragma weak sys_socketpair
#pragma weak sys_bind
#pragma weak sys_listen
#pragma weak sys_accept
#pragma weak sys_accept4
#pragma weak sys_connect
#pragma weak sys_getsockname
#pragma weak sys_getpeername
#pragma weak sys_sendto
#pragma weak sys_recvfrom
#pragma weak sys_sendmsg
#pragma weak sys_recvmsg
#pragma weak sys_sendmmsg
#pragma weak sys_recvmmsg
#pragma weak sys_shutdown
#pragma weak sys_setsockopt
#pragma weak sys_getsockopt

/* So is the file system (fs/ and sys_fs.c: the file tree, ramfs, /dev,
 * /proc, disks), left out of an image whose program takes no path and
 * makes none of these calls on a descriptor. */
#pragma weak sys_open
#pragma weak sys_openat
#pragma weak sys_creat
#pragma weak sys_stat
#pragma weak sys_lstat
#pragma weak sys_newfstatat
#pragma weak sys_statx
#pragma weak sys_access
#pragma weak sys_faccessat
#pragma weak sys_faccessat2
#pragma weak sys_mkdir
#pragma weak sys_mkdirat
#pragma weak sys_rmdir
#pragma weak sys_unlink
#pragma weak sys_unlinkat
#pragma weak sys_rename
#pragma weak sys_renameat
#pragma weak sys_renameat2
#pragma weak sys_link
#pragma weak sys_linkat
#pragma weak sys_symlink
#pragma weak sys_symlinkat
#pragma weak sys_readlink
#pragma weak sys_readlinkat
#pragma weak sys_getdents64
#pragma weak sys_truncate
#pragma weak sys_ftruncate
#pragma weak sys_fallocate
#pragma weak sys_fsync
#pragma weak sys_sync
#pragma weak sys_chdir
#pragma weak sys_fchdir
#pragma weak sys_getcwd
#pragma weak sys_umask
#pragma weak sys_chmod
#pragma weak sys_fchmod
#pragma weak sys_fchmodat
#pragma weak sys_chown
#pragma weak sys_fchown
#pragma weak sys_lchown
#pragma weak sys_fchownat
#pragma weak sys_utimensat
#pragma weak sys_statfs
#pragma weak sys_fstatfs

/* And the events (sys_poll.c, sys_pipe.c: poll, select, epoll, pipes,
 * eventfds), left out of an image whose program makes none of these. */
#pragma weak sys_poll
#pragma weak sys_ppoll
#pragma weak sys_select
#pragma weak sys_pselect6
#pragma weak sys_epoll_create
#pragma weak sys_epoll_create1
#pragma weak sys_epoll_ctl
#pragma weak sys_epoll_wait
#pragma weak sys_epoll_pwait
#pragma weak sys_epoll_pwait2
#pragma weak sys_pipe
#pragma weak sys_pipe2
#pragma weak sys_eventfd
#pragma weak sys_eventfd2

/* And the timers that raise signals (sys_timer.c, kern/ptimer.c: alarm,
 * itimers, POSIX timers), left out of an image whose program sets none. */
#pragma weak sys_alarm
#pragma weak sys_setitimer
#pragma weak sys_getitimer
#pragma weak sys_timer_create
#pragma weak sys_timer_settime
#pragma weak sys_timer_gettime
#pragma weak sys_timer_getoverrun
#pragma weak sys_timer_delete

/* Entries have their own prototypes; gcc accepts a cast through
 * void (*)(void) as deliberate. Calls go through the six-argument type:
 * extra arguments in registers are harmless in the SysV ABI. */
typedef void (*syscall_fn)(void);
typedef long (*syscall_call)(long, long, long, long, long, long);
static const syscall_fn systab[] = {
	[SYS_read] = (syscall_fn)sys_read,
	[SYS_write] = (syscall_fn)sys_write,
	[SYS_readv] = (syscall_fn)sys_readv,
	[SYS_writev] = (syscall_fn)sys_writev,
	[SYS_close] = (syscall_fn)sys_close,
	[SYS_lseek] = (syscall_fn)sys_lseek,
	[SYS_fstat] = (syscall_fn)sys_fstat,
	[SYS_ioctl] = (syscall_fn)sys_ioctl,
	[SYS_dup] = (syscall_fn)sys_dup,
	[SYS_dup2] = (syscall_fn)sys_dup2,
	[SYS_dup3] = (syscall_fn)sys_dup3,
	[SYS_fcntl] = (syscall_fn)sys_fcntl,
	[SYS_brk] = (syscall_fn)sys_brk,
	[SYS_mmap] = (syscall_fn)sys_mmap,
	[SYS_munmap] = (syscall_fn)sys_munmap,
	[SYS_msync] = (syscall_fn)sys_msync,
	[SYS_mprotect] = (syscall_fn)sys_mprotect,
	[SYS_mremap] = (syscall_fn)sys_mremap,
	[SYS_madvise] = (syscall_fn)sys_madvise,
	[SYS_clock_gettime] = (syscall_fn)sys_clock_gettime,
	[SYS_clock_getres] = (syscall_fn)sys_clock_getres,
	[SYS_gettimeofday] = (syscall_fn)sys_gettimeofday,
	[SYS_time] = (syscall_fn)sys_time,
	[SYS_nanosleep] = (syscall_fn)sys_nanosleep,
	[SYS_clock_nanosleep] = (syscall_fn)sys_clock_nanosleep,
	[SYS_exit] = (syscall_fn)sys_exit,
	[SYS_exit_group] = (syscall_fn)sys_exit_group,
	[SYS_getpid] = (syscall_fn)sys_getpid,
	[SYS_getppid] = (syscall_fn)sys_getppid,
	[SYS_gettid] = (syscall_fn)sys_gettid,
	[SYS_getuid] = (syscall_fn)sys_getuid,
	[SYS_geteuid] = (syscall_fn)sys_getuid,
	[SYS_getgid] = (syscall_fn)sys_getuid,
	[SYS_getegid] = (syscall_fn)sys_getuid,
	[SYS_uname] = (syscall_fn)sys_uname,
	[SYS_sysinfo] = (syscall_fn)sys_sysinfo,
	[SYS_getrlimit] = (syscall_fn)sys_getrlimit,
	[SYS_setrlimit] = (syscall_fn)sys_setrlimit,
	[SYS_prlimit64] = (syscall_fn)sys_prlimit64,
	[SYS_rseq] = (syscall_fn)sys_rseq,
	[SYS_getrandom] = (syscall_fn)sys_getrandom,
	[SYS_rt_sigaction] = (syscall_fn)sys_rt_sigaction,
	[SYS_rt_sigprocmask] = (syscall_fn)sys_rt_sigprocmask,
	[SYS_rt_sigpending] = (syscall_fn)sys_rt_sigpending,
	[SYS_rt_sigsuspend] = (syscall_fn)sys_rt_sigsuspend,
	[SYS_rt_sigtimedwait] = (syscall_fn)sys_rt_sigtimedwait,
	[SYS_rt_sigqueueinfo] = (syscall_fn)sys_rt_sigqueueinfo,
	[SYS_rt_tgsigqueueinfo] = (syscall_fn)sys_rt_tgsigqueueinfo,
	[SYS_rt_sigreturn] = (syscall_fn)sys_rt_sigreturn,
	[SYS_sigaltstack] = (syscall_fn)sys_sigaltstack,
	[SYS_signalfd] = (syscall_fn)sys_signalfd,
	[SYS_signalfd4] = (syscall_fn)sys_signalfd4,
	[SYS_pause] = (syscall_fn)sys_pause,
	[SYS_kill] = (syscall_fn)sys_kill,
	[SYS_alarm] = (syscall_fn)sys_alarm,
	[SYS_setitimer] = (syscall_fn)sys_setitimer,
	[SYS_getitimer] = (syscall_fn)sys_getitimer,
	[SYS_timer_create] = (syscall_fn)sys_timer_create,
	[SYS_timer_settime] = (syscall_fn)sys_timer_settime,
	[SYS_timer_gettime] = (syscall_fn)sys_timer_gettime,
	[SYS_timer_getoverrun] = (syscall_fn)sys_timer_getoverrun,
	[SYS_timer_delete] = (syscall_fn)sys_timer_delete,
	[SYS_sched_yield] = (syscall_fn)sys_sched_yield,
	[SYS_set_tid_address] = (syscall_fn)sys_set_tid_address,
	[SYS_arch_prctl] = (syscall_fn)sys_arch_prctl,
	[SYS_prctl] = (syscall_fn)sys_prctl,
	[SYS_tkill] = (syscall_fn)sys_tkill,
	[SYS_tgkill] = (syscall_fn)sys_tgkill,
	[SYS_clone] = (syscall_fn)sys_clone,
	[SYS_futex] = (syscall_fn)sys_futex,
	[SYS_set_robust_list] = (syscall_fn)sys_set_robust_list,
	[SYS_sched_getaffinity] = (syscall_fn)sys_sched_getaffinity,
	[SYS_getrusage] = (syscall_fn)sys_getrusage,
	[SYS_times] = (syscall_fn)sys_times,
	[SYS_poll] = (syscall_fn)sys_poll,
	[SYS_ppoll] = (syscall_fn)sys_ppoll,
	[SYS_select] = (syscall_fn)sys_select,
	[SYS_pselect6] = (syscall_fn)sys_pselect6,
	[SYS_socket] = (syscall_fn)sys_socket,
	[SYS_socketpair] = (syscall_fn)sys_socketpair,
	[SYS_bind] = (syscall_fn)sys_bind,
	[SYS_listen] = (syscall_fn)sys_listen,
	[SYS_accept] = (syscall_fn)sys_accept,
	[SYS_accept4] = (syscall_fn)sys_accept4,
	[SYS_connect] = (syscall_fn)sys_connect,
	[SYS_getsockname] = (syscall_fn)sys_getsockname,
	[SYS_getpeername] = (syscall_fn)sys_getpeername,
	[SYS_sendto] = (syscall_fn)sys_sendto,
	[SYS_recvfrom] = (syscall_fn)sys_recvfrom,
	[SYS_sendmsg] = (syscall_fn)sys_sendmsg,
	[SYS_recvmsg] = (syscall_fn)sys_recvmsg,
	[SYS_sendmmsg] = (syscall_fn)sys_sendmmsg,
	[SYS_recvmmsg] = (syscall_fn)sys_recvmmsg,
	[SYS_shutdown] = (syscall_fn)sys_shutdown,
	[SYS_setsockopt] = (syscall_fn)sys_setsockopt,
	[SYS_getsockopt] = (syscall_fn)sys_getsockopt,
	[SYS_sendfile] = (syscall_fn)sys_sendfile,
	[SYS_close_range] = (syscall_fn)sys_close_range,
	[SYS_pipe] = (syscall_fn)sys_pipe,
	[SYS_pipe2] = (syscall_fn)sys_pipe2,
	[SYS_eventfd] = (syscall_fn)sys_eventfd,
	[SYS_eventfd2] = (syscall_fn)sys_eventfd2,
	[SYS_epoll_create] = (syscall_fn)sys_epoll_create,
	[SYS_epoll_create1] = (syscall_fn)sys_epoll_create1,
	[SYS_epoll_ctl] = (syscall_fn)sys_epoll_ctl,
	[SYS_epoll_wait] = (syscall_fn)sys_epoll_wait,
	[SYS_epoll_pwait] = (syscall_fn)sys_epoll_pwait,
	[SYS_epoll_pwait2] = (syscall_fn)sys_epoll_pwait2,
	[SYS_pread64] = (syscall_fn)sys_pread64,
	[SYS_pwrite64] = (syscall_fn)sys_pwrite64,
	[SYS_preadv] = (syscall_fn)sys_preadv,
	[SYS_pwritev] = (syscall_fn)sys_pwritev,
	[SYS_flock] = (syscall_fn)sys_flock,
	[SYS_open] = (syscall_fn)sys_open,
	[SYS_openat] = (syscall_fn)sys_openat,
	[SYS_creat] = (syscall_fn)sys_creat,
	[SYS_stat] = (syscall_fn)sys_stat,
	[SYS_lstat] = (syscall_fn)sys_lstat,
	[SYS_newfstatat] = (syscall_fn)sys_newfstatat,
	[SYS_statx] = (syscall_fn)sys_statx,
	[SYS_access] = (syscall_fn)sys_access,
	[SYS_faccessat] = (syscall_fn)sys_faccessat,
	[SYS_faccessat2] = (syscall_fn)sys_faccessat2,
	[SYS_mkdir] = (syscall_fn)sys_mkdir,
	[SYS_mkdirat] = (syscall_fn)sys_mkdirat,
	[SYS_rmdir] = (syscall_fn)sys_rmdir,
	[SYS_unlink] = (syscall_fn)sys_unlink,
	[SYS_unlinkat] = (syscall_fn)sys_unlinkat,
	[SYS_rename] = (syscall_fn)sys_rename,
	[SYS_renameat] = (syscall_fn)sys_renameat,
	[SYS_renameat2] = (syscall_fn)sys_renameat2,
	[SYS_link] = (syscall_fn)sys_link,
	[SYS_linkat] = (syscall_fn)sys_linkat,
	[SYS_symlink] = (syscall_fn)sys_symlink,
	[SYS_symlinkat] = (syscall_fn)sys_symlinkat,
	[SYS_readlink] = (syscall_fn)sys_readlink,
	[SYS_readlinkat] = (syscall_fn)sys_readlinkat,
	[SYS_getdents64] = (syscall_fn)sys_getdents64,
	[SYS_truncate] = (syscall_fn)sys_truncate,
	[SYS_ftruncate] = (syscall_fn)sys_ftruncate,
	[SYS_fallocate] = (syscall_fn)sys_fallocate,
	[SYS_fsync] = (syscall_fn)sys_fsync,
	[SYS_fdatasync] = (syscall_fn)sys_fsync,
	[SYS_syncfs] = (syscall_fn)sys_fsync,
	[SYS_sync] = (syscall_fn)sys_sync,
	[SYS_chdir] = (syscall_fn)sys_chdir,
	[SYS_fchdir] = (syscall_fn)sys_fchdir,
	[SYS_getcwd] = (syscall_fn)sys_getcwd,
	[SYS_umask] = (syscall_fn)sys_umask,
	[SYS_chmod] = (syscall_fn)sys_chmod,
	[SYS_fchmod] = (syscall_fn)sys_fchmod,
	[SYS_fchmodat] = (syscall_fn)sys_fchmodat,
	[SYS_chown] = (syscall_fn)sys_chown,
	[SYS_fchown] = (syscall_fn)sys_fchown,
	[SYS_lchown] = (syscall_fn)sys_lchown,
	[SYS_fchownat] = (syscall_fn)sys_fchownat,
	[SYS_utimensat] = (syscall_fn)sys_utimensat,
	[SYS_statfs] = (syscall_fn)sys_statfs,
	[SYS_fstatfs] = (syscall_fn)sys_fstatfs,
};

#define NSYSCALLS ARRAY_SIZE(systab)
static uint8_t reported[512 / 8];

/* The name of a syscall number, or NULL: walk the generated string. */
const char *syscall_name(unsigned long nr)
{
	if (nr >= (unsigned long)syscall_names_count)
		return NULL;
	const char *p = syscall_names;
	while (nr--)
		p += strlen(p) + 1;
	return *p ? p : NULL;
}

void syscall_dispatch(struct regs *r)
{
	uint64_t nr = r->rax;
	syscall_fn fn = nr < NSYSCALLS ? systab[nr] : NULL;
	if (!fn) {
		/* Once per number (numbers past 511 every time: they are
		 * not Linux's anyway). */
		bool first = nr >= 512 || !(reported[nr / 8] & (1 << nr % 8));
		if (nr < 512)
			reported[nr / 8] |= 1 << nr % 8;
		if (first) {
			const char *name = syscall_name(nr);
			printk("atman: unsupported syscall %s (%ld)\n",
			       name ? name : "unknown", (long)nr);
		}
		r->rax = -ENOSYS;
		return;
	}
	current->uregs = r;
	current->syscall_nr = nr;
	r->rax = ((syscall_call)fn)(r->rdi, r->rsi, r->rdx, r->r10, r->r8,
				    r->r9);
	/* Back to the program: its signals first (handlers, restarts). */
	if (unlikely(signal_any(current) || (long)r->rax <= -ERESTARTSYS))
		signal_deliver(r);
}
