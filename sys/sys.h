/*
 * sys/: the Linux x86_64 system call ABI. Declarations grouped by the file
 * that implements them. Every sys_* returns a result or -errno, exactly
 * what the program's syscall instruction gets back in rax.
 */
#ifndef ATMAN_SYS_H
#define ATMAN_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <signal.h>
#include <time.h>

struct regs;

/* systab.c */
void syscall_dispatch(struct regs *r);
extern const char syscall_names[]; /* generated from musl: "read\0..." */
extern const int syscall_names_count;
const char *syscall_name(unsigned long nr);

/* sys_fd.c: descriptors and what reads and writes them; the files
 * themselves are kern/'s (file.c, pipe.c, eventfd.c) */
long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
long sys_readv(int fd, const struct iovec *iov, int iovcnt);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);
long sys_ioctl(int fd, unsigned long cmd, unsigned long arg);
long sys_close(int fd);
long sys_close_range(unsigned first, unsigned last, unsigned flags);
long sys_lseek(int fd, long off, int whence);
long sys_fstat(int fd, struct stat *st);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, int cmd, unsigned long arg);
long sys_pread64(int fd, void *buf, size_t len, long off);
long sys_pwrite64(int fd, const void *buf, size_t len, long off);
long sys_preadv(int fd, const struct iovec *iov, int iovcnt, long off);
long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, long off);
long sys_flock(int fd, int op);
long sys_sendfile(int out_fd, int in_fd, long *off, size_t count);

/* sys_pipe.c: pipes and eventfds (the events part, like sys_poll.c:
 * systab.c's entries are weak) */
long sys_pipe(int *fds);
long sys_pipe2(int *fds, int flags);
long sys_eventfd(unsigned count);
long sys_eventfd2(unsigned count, int flags);

/* sys_fs.c: the file tree (fs/): paths, directories, metadata. Part of
 * the file system part (systab.c's entries are weak, like the sockets'). */
struct statx_k;
struct statfs;
long sys_open(const char *path, int flags, unsigned mode);
long sys_openat(int dirfd, const char *path, int flags, unsigned mode);
long sys_creat(const char *path, unsigned mode);
long sys_stat(const char *path, struct stat *st);
long sys_lstat(const char *path, struct stat *st);
long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags);
long sys_statx(int dirfd, const char *path, int flags, unsigned mask,
	       struct statx_k *sx);
long sys_access(const char *path, int mode);
long sys_faccessat(int dirfd, const char *path, int mode);
long sys_faccessat2(int dirfd, const char *path, int mode, int flags);
long sys_mkdir(const char *path, unsigned mode);
long sys_mkdirat(int dirfd, const char *path, unsigned mode);
long sys_rmdir(const char *path);
long sys_unlink(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_rename(const char *opath, const char *npath);
long sys_renameat(int odirfd, const char *opath, int ndirfd, const char *npath);
long sys_renameat2(int odirfd, const char *opath, int ndirfd, const char *npath,
		   unsigned flags);
long sys_link(const char *opath, const char *npath);
long sys_linkat(int odirfd, const char *opath, int ndirfd, const char *npath,
		int flags);
long sys_symlink(const char *target, const char *path);
long sys_symlinkat(const char *target, int dirfd, const char *path);
long sys_readlink(const char *path, char *buf, int len);
long sys_readlinkat(int dirfd, const char *path, char *buf, int len);
long sys_getdents64(int fd, void *buf, unsigned len);
long sys_truncate(const char *path, long len);
long sys_ftruncate(int fd, long len);
long sys_fallocate(int fd, int mode, long off, long len);
long sys_fsync(int fd);
long sys_sync(void);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_getcwd(char *buf, size_t len);
long sys_umask(unsigned mask);
long sys_chmod(const char *path, unsigned mode);
long sys_fchmod(int fd, unsigned mode);
long sys_fchmodat(int dirfd, const char *path, unsigned mode);
long sys_chown(const char *path, int uid, int gid);
long sys_fchown(int fd, int uid, int gid);
long sys_lchown(const char *path, int uid, int gid);
long sys_fchownat(int dirfd, const char *path, int uid, int gid, int flags);
long sys_utimensat(int dirfd, const char *path, const struct timespec *ts,
		   int flags);
long sys_statfs(const char *path, struct statfs *s);
long sys_fstatfs(int fd, struct statfs *s);

/* sys_mem.c */
long sys_brk(unsigned long brk);
long sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
	      long off);
long sys_munmap(unsigned long addr, size_t len);
long sys_msync(unsigned long addr, size_t len, int flags);
long sys_mprotect(unsigned long addr, size_t len, int prot);
long sys_mremap(unsigned long old, size_t old_len, size_t new_len, int flags,
		unsigned long new_addr);
long sys_madvise(unsigned long addr, size_t len, int advice);

/* sys_time.c */
/* A struct timespec from the program, checked, in ns (long ones
 * saturate at "forever"). */
long timespec_from_user(const struct timespec *uts, uint64_t *ns);
/* Monotonic deadlines: ns from now, or an absolute time on the monotonic
 * or the wall clock. */
uint64_t deadline_after(uint64_t ns);
uint64_t deadline_at(uint64_t ns, bool realtime);
/* A timeout argument: NULL gives no deadline (0), else a monotonic one,
 * relative or absolute on the monotonic or the wall clock. */
long timeout_from_user(const struct timespec *uts, bool absolute, bool realtime,
		       uint64_t *deadline);
long sys_clock_gettime(int clk, struct timespec *ts);
long sys_clock_getres(int clk, struct timespec *ts);
long sys_gettimeofday(struct timeval *tv, void *tz);
long sys_time(long *t);
long sys_nanosleep(const struct timespec *req, struct timespec *rem);
long sys_clock_nanosleep(int clk, int flags, const struct timespec *req,
			 struct timespec *rem);

/* sys_proc.c: identity, exit, signals as far as we have them */
long sys_exit(int status);
long sys_exit_group(int status);
long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_getuid(void);
long sys_uname(struct utsname *u);
struct sysinfo;
long sys_sysinfo(struct sysinfo *si);
long sys_getrandom(void *buf, size_t len, unsigned flags);
struct rlimit;
long sys_prlimit64(int pid, unsigned res, const struct rlimit *nl,
		   struct rlimit *ol);
long sys_getrlimit(unsigned res, struct rlimit *l);
long sys_rseq(void);
long sys_setrlimit(unsigned res, const struct rlimit *l);
long sys_sched_yield(void);
long sys_set_tid_address(int *tidptr);
long sys_arch_prctl(int code, unsigned long addr);
long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5);

/* sys_signal.c: actions, masks, sending, waiting, the frame's return */
struct ksigaction;
long sys_rt_sigaction(int sig, const struct ksigaction *act,
		      struct ksigaction *old, size_t sz);
long sys_rt_sigprocmask(int how, const void *set, void *old, size_t sz);
long sys_rt_sigpending(void *set, size_t sz);
long sys_rt_sigsuspend(const void *set, size_t sz);
long sys_rt_sigtimedwait(const void *set, siginfo_t *info,
			 const struct timespec *ts, size_t sz);
long sys_rt_sigqueueinfo(int pid, int sig, const siginfo_t *info);
long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const siginfo_t *info);
long sys_rt_sigreturn(void);
long sys_sigaltstack(const stack_t *ss, stack_t *old);
long sys_pause(void);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);
long sys_signalfd4(int fd, const void *set, size_t sz, int flags);
long sys_signalfd(int fd, const void *set, size_t sz);

/* sys_timer.c: setitimer, alarm, timer_create and friends (the timers
 * part: systab.c's entries are weak) */
struct itimerval;
struct itimerspec;
struct ksigevent;
long sys_setitimer(int which, const struct itimerval *nv, struct itimerval *ov);
long sys_getitimer(int which, struct itimerval *v);
long sys_alarm(unsigned seconds);
long sys_timer_create(clockid_t clk, const struct ksigevent *sev, int *idp);
long sys_timer_settime(int id, int flags, const struct itimerspec *nv,
		       struct itimerspec *ov);
long sys_timer_gettime(int id, struct itimerspec *v);
long sys_timer_getoverrun(int id);
long sys_timer_delete(int id);

/* sys_thread.c */
long sys_clone(unsigned long flags, unsigned long newsp, int *ptid, int *ctid,
	       unsigned long tls);
long sys_futex(int *uaddr, int op, int val, const struct timespec *ts,
	       int *uaddr2, int val3);
long sys_set_robust_list(void *head, size_t len);
long sys_sched_getaffinity(int pid, size_t len, unsigned long *mask);
long sys_getrusage(int who, struct rusage *ru);
long sys_times(struct tms *buf);

/* sys_poll.c: poll, select and epoll; with no descriptors, poll and
 * select are pure timeouts. The events part, with sys_pipe.c. */
long sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms);
long sys_ppoll(struct pollfd *fds, unsigned long n, const struct timespec *ts,
	       const void *sigmask, size_t sigsz);
long sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv);
struct pselect_mask;
long sys_pselect6(int n, fd_set *r, fd_set *w, fd_set *e,
		  const struct timespec *ts, const struct pselect_mask *sig);
struct epoll_event;
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
long sys_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout);
long sys_epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
		     const void *sigmask, size_t sigsz);
long sys_epoll_pwait2(int epfd, struct epoll_event *ev, int max,
		      const struct timespec *ts, const void *sigmask,
		      size_t sigsz);

/* sys_net.c: sockets (lengths are socklen_t: unsigned). The network
 * part: an image without it has none of these (systab.c's entries are
 * weak, and NULL then: -ENOSYS). */
struct sockaddr;
struct msghdr;
struct mmsghdr;
long sys_socket(int family, int type, int protocol);
long sys_socketpair(int family, int type, int protocol, int *sv);
long sys_bind(int fd, const struct sockaddr *a, unsigned len);
long sys_listen(int fd, int backlog);
long sys_accept(int fd, struct sockaddr *a, unsigned *len);
long sys_accept4(int fd, struct sockaddr *a, unsigned *len, int flags);
long sys_connect(int fd, const struct sockaddr *a, unsigned len);
long sys_getsockname(int fd, struct sockaddr *a, unsigned *len);
long sys_getpeername(int fd, struct sockaddr *a, unsigned *len);
long sys_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *a, unsigned alen);
long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
		  unsigned *alen);
long sys_sendmsg(int fd, const struct msghdr *m, int flags);
long sys_recvmsg(int fd, struct msghdr *m, int flags);
long sys_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags);
long sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags,
		  struct timespec *ts);
long sys_shutdown(int fd, int how);
long sys_setsockopt(int fd, int level, int name, const void *val, unsigned len);
long sys_getsockopt(int fd, int level, int name, void *val, unsigned *len);
#endif
