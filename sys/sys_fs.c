/*
 * File-tree syscalls: argument checking, then fs/ (vfs_ops.c). Paths are
 * copied out of the program's memory first (a page each), so the tree
 * never reads program memory that may change under it; a dirfd is
 * turned into its directory's inode, held for the call.
 */
#ifndef _GNU_SOURCE /* the kernel build sets it; host unit tests too */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sys.h"
#include "fs/fs.h"

#define RENAME_NOREPLACE_K (1 << 0)
#define RENAME_EXCHANGE_K  (1 << 1)
#define RENAME_WHITEOUT_K  (1 << 2)
#define OPEN_FLAGS                                                             \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECTORY | O_NOFOLLOW |            \
	 O_CLOEXEC | O_LARGEFILE | O_NOATIME | O_DIRECT | O_ASYNC)

/* The path at up, copied into a fresh page: 0, -EFAULT or -ENAMETOOLONG. */
static long path_in(const char *up, char **out)
{
	char *k = (char *)page_alloc();
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < PATH_MAX_K; i++) {
		/* A page at a time: check where each one starts. */
		if ((i == 0 || ((uintptr_t)(up + i) % KPAGE_SIZE) == 0) &&
		    !vm_user_ok(up + i, 1, false))
			break;
		k[i] = up[i];
		if (!k[i]) {
			*out = k;
			return 0;
		}
		if (i == PATH_MAX_K - 1) {
			page_free((uintptr_t)k);
			return -ENAMETOOLONG;
		}
	}
	page_free((uintptr_t)k);
	return -EFAULT;
}

static void path_out(char *k)
{
	page_free((uintptr_t)k);
}

/* The start of a relative path: the cwd or a directory fd, referenced. */
static long dir_of(int dirfd, struct inode **dir)
{
	if (dirfd == AT_FDCWD) {
		*dir = inode_get(vfs_cwd);
		return 0;
	}
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	struct inode *i = vfs_file_inode(f);
	long r = !i ? -ENOTDIR : !inode_isdir(i) ? -ENOTDIR : 0;
	if (!r)
		*dir = inode_get(i);
	file_put(f);
	return r;
}

/* A path and its dirfd, both in: the common first step. */
struct at {
	char *path;
	struct inode *dir;
};

static long at_in(int dirfd, const char *up, struct at *a)
{
	long r = path_in(up, &a->path);
	if (r)
		return r;
	/* An absolute path ignores dirfd, even a bad one (as Linux). */
	r = a->path[0] == '/' ? (a->dir = inode_get(vfs_root), 0)
			      : dir_of(dirfd, &a->dir);
	if (r)
		path_out(a->path);
	return r;
}

static void at_out(struct at *a)
{
	inode_put(a->dir);
	path_out(a->path);
}

/* The two paths of rename and link, both in or neither. */
static long at_in2(int odirfd, const char *opath, int ndirfd, const char *npath,
		   struct at *o, struct at *n)
{
	long r = at_in(odirfd, opath, o);
	if (r)
		return r;
	r = at_in(ndirfd, npath, n);
	if (r)
		at_out(o);
	return r;
}

static void at_out2(struct at *o, struct at *n)
{
	at_out(n);
	at_out(o);
}

long sys_openat(int dirfd, const char *path, int flags, unsigned mode)
{
	if (flags & ~OPEN_FLAGS)
		return -EINVAL; /* O_PATH, O_TMPFILE: not served */
	struct at a;
	long r = at_in(dirfd, path, &a);
	if (r)
		return r;
	struct file *f;
	r = vfs_open(a.dir, a.path, flags, mode, &f);
	at_out(&a);
	if (r)
		return r;
	r = fd_install(f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_open(const char *path, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

long sys_creat(const char *path, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* The inode an fd, or a path from dirfd, names: for stat and friends. */
static long inode_at(int dirfd, const char *path, int flags, struct inode **out)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && vm_user_ok(path, 1, false) && !*path) {
		if (dirfd == AT_FDCWD) {
			*out = inode_get(vfs_cwd);
			return 0;
		}
		struct file *f = fd_file(dirfd);
		if (!f)
			return -EBADF;
		struct inode *i = vfs_file_inode(f);
		if (i)
			*out = inode_get(i);
		file_put(f);
		return i ? 0 : -ENOTSUP; /* a pipe: fstat it instead */
	}
	struct at a;
	long r = at_in(dirfd, path, &a);
	if (r)
		return r;
	r = vfs_lookup(a.dir, a.path,
		       flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW, out,
		       NULL);
	at_out(&a);
	return r;
}

long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (!vm_user_ok(st, sizeof(*st), true))
		return -EFAULT;
	if ((flags & AT_EMPTY_PATH) && vm_user_ok(path, 1, false) && !*path &&
	    dirfd != AT_FDCWD)
		return sys_fstat(dirfd, st);
	struct inode *i;
	long r = inode_at(dirfd, path, flags, &i);
	if (r)
		return r;
	vfs_stat_fill(i, st);
	inode_put(i);
	return 0;
}

long sys_stat(const char *path, struct stat *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, 0);
}

long sys_lstat(const char *path, struct stat *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* Linux's struct statx (musl's headers lack it). */
struct statx_k {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct {
		int64_t sec;
		uint32_t nsec;
		int32_t pad;
	} atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS_K 0x7ff

long sys_statx(int dirfd, const char *path, int flags, unsigned mask,
	       struct statx_k *sx)
{
	(void)mask;
	if (!vm_user_ok(sx, sizeof(*sx), true))
		return -EFAULT;
	struct stat st;
	long r;
	if ((flags & AT_EMPTY_PATH) && vm_user_ok(path, 1, false) && !*path &&
	    dirfd != AT_FDCWD) {
		struct file *f = fd_file(dirfd);
		if (!f)
			return -EBADF;
		r = file_stat(f, &st);
		file_put(f);
	} else {
		struct inode *i;
		r = inode_at(dirfd, path, flags, &i);
		if (!r) {
			vfs_stat_fill(i, &st);
			inode_put(i);
		}
	}
	if (r)
		return r;
	memset(sx, 0, sizeof(*sx));
	sx->mask = STATX_BASIC_STATS_K;
	sx->blksize = st.st_blksize;
	sx->nlink = st.st_nlink;
	sx->uid = st.st_uid;
	sx->gid = st.st_gid;
	sx->mode = st.st_mode;
	sx->ino = st.st_ino;
	sx->size = st.st_size;
	sx->blocks = st.st_blocks;
	sx->atime.sec = st.st_atim.tv_sec;
	sx->atime.nsec = st.st_atim.tv_nsec;
	sx->mtime.sec = st.st_mtim.tv_sec;
	sx->mtime.nsec = st.st_mtim.tv_nsec;
	sx->ctime.sec = st.st_ctim.tv_sec;
	sx->ctime.nsec = st.st_ctim.tv_nsec;
	sx->rdev_major = major(st.st_rdev);
	sx->rdev_minor = minor(st.st_rdev);
	sx->dev_minor = st.st_dev;
	return 0;
}

/* The program is root: everything exists is allowed, but execute needs
 * an x bit somewhere (as for Linux's root). */
long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK) ||
	    flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *i;
	long r = inode_at(dirfd, path, flags & ~AT_EACCESS, &i);
	if (r)
		return r;
	if ((mode & X_OK) && !inode_isdir(i) && !(i->mode & 0111))
		r = -EACCES;
	inode_put(i);
	return r;
}

long sys_faccessat(int dirfd, const char *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

long sys_access(const char *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

long sys_mkdirat(int dirfd, const char *path, unsigned mode)
{
	struct at a;
	long r = at_in(dirfd, path, &a);
	if (r)
		return r;
	r = vfs_mkdir(a.dir, a.path, mode);
	at_out(&a);
	return r;
}

long sys_mkdir(const char *path, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct at a;
	long r = at_in(dirfd, path, &a);
	if (r)
		return r;
	r = vfs_unlink(a.dir, a.path, flags & AT_REMOVEDIR);
	at_out(&a);
	return r;
}

long sys_unlink(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

long sys_rmdir(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

long sys_renameat2(int odirfd, const char *opath, int ndirfd, const char *npath,
		   unsigned flags)
{
	if (flags & ~RENAME_NOREPLACE_K)
		return -EINVAL; /* EXCHANGE, WHITEOUT: not served */
	struct at o, n;
	long r = at_in2(odirfd, opath, ndirfd, npath, &o, &n);
	if (r)
		return r;
	r = vfs_rename(o.dir, o.path, n.dir, n.path,
		       flags & RENAME_NOREPLACE_K);
	at_out2(&o, &n);
	return r;
}

long sys_renameat(int odirfd, const char *opath, int ndirfd, const char *npath)
{
	return sys_renameat2(odirfd, opath, ndirfd, npath, 0);
}

long sys_rename(const char *opath, const char *npath)
{
	return sys_renameat2(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

long sys_linkat(int odirfd, const char *opath, int ndirfd, const char *npath,
		int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct at o, n;
	long r = at_in2(odirfd, opath, ndirfd, npath, &o, &n);
	if (r)
		return r;
	r = vfs_link(o.dir, o.path, n.dir, n.path, flags & AT_SYMLINK_FOLLOW);
	at_out2(&o, &n);
	return r;
}

long sys_link(const char *opath, const char *npath)
{
	return sys_linkat(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

long sys_symlinkat(const char *target, int dirfd, const char *path)
{
	char *t;
	long r = path_in(target, &t);
	if (r)
		return r;
	struct at a;
	r = at_in(dirfd, path, &a);
	if (!r) {
		r = vfs_symlink(t, a.dir, a.path);
		at_out(&a);
	}
	path_out(t);
	return r;
}

long sys_symlink(const char *target, const char *path)
{
	return sys_symlinkat(target, AT_FDCWD, path);
}

long sys_readlinkat(int dirfd, const char *path, char *buf, int len)
{
	if (len <= 0)
		return -EINVAL;
	if (!vm_user_ok(buf, len, true))
		return -EFAULT;
	struct at a;
	long r = at_in(dirfd, path, &a);
	if (r)
		return r;
	char *k = (char *)page_alloc();
	r = k ? vfs_readlink(a.dir, a.path, k, MIN(len, PATH_MAX_K)) : -ENOMEM;
	if (r > 0)
		memcpy(buf, k, r);
	if (k)
		page_free((uintptr_t)k);
	at_out(&a);
	return r;
}

long sys_readlink(const char *path, char *buf, int len)
{
	return sys_readlinkat(AT_FDCWD, path, buf, len);
}

long sys_getdents64(int fd, void *buf, unsigned len)
{
	if (!vm_user_ok(buf, len, true))
		return -EFAULT;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = vfs_getdents(f, buf, len);
	file_put(f);
	return r;
}

long sys_truncate(const char *path, long len)
{
	if (len < 0)
		return -EINVAL;
	struct inode *i;
	long r = inode_at(AT_FDCWD, path, 0, &i);
	if (r)
		return r;
	r = vfs_truncate(i, len);
	inode_put(i);
	return r;
}

/* The tree inode behind fd, referenced: -EBADF, or -EINVAL for a kind
 * that is not a file of the tree (a pipe). */
static long fd_inode(int fd, struct inode **out, bool write)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct inode *i = vfs_file_inode(f);
	long r = !i					       ? -EINVAL
		 : write && (f->flags & O_ACCMODE) == O_RDONLY ? -EBADF
							       : 0;
	if (!r)
		*out = inode_get(i);
	file_put(f);
	return r;
}

long sys_ftruncate(int fd, long len)
{
	if (len < 0)
		return -EINVAL;
	struct inode *i;
	long r = fd_inode(fd, &i, true);
	if (r)
		return r;
	r = vfs_truncate(i, len);
	inode_put(i);
	return r;
}

long sys_fallocate(int fd, int mode, long off, long len)
{
	if (mode)
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0 || off > LONG_MAX - len)
		return -EINVAL;
	struct inode *i;
	long r = fd_inode(fd, &i, true);
	if (r)
		return r;
	/* Memory is given on write; only the size grows. */
	if ((uint64_t)(off + len) > i->size)
		r = vfs_truncate(i, off + len);
	inode_put(i);
	return r;
}

/* Memory file systems have nothing to write back; disks do. */
long sys_fsync(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = fmap_fsync(f); /* its shared mappings into it first */
	long s = file_fsync(f);
	file_put(f);
	return r ? r : s;
}

long sys_sync(void)
{
	fmap_exit(); /* every shared mapping written back */
	vfs_sync();
	return 0;
}

long sys_chdir(const char *path)
{
	struct inode *i;
	long r = inode_at(AT_FDCWD, path, 0, &i);
	if (r)
		return r;
	r = vfs_chdir(i);
	inode_put(i);
	return r;
}

long sys_fchdir(int fd)
{
	struct inode *i;
	long r = fd_inode(fd, &i, false);
	if (r)
		return r == -EINVAL ? -ENOTDIR : r;
	r = vfs_chdir(i);
	inode_put(i);
	return r;
}

long sys_getcwd(char *buf, size_t len)
{
	if (!vm_user_ok(buf, len, true))
		return -EFAULT;
	char *k = (char *)page_alloc();
	if (!k)
		return -ENOMEM;
	long r = vfs_getcwd(k, PATH_MAX_K);
	if (r > 0 && (size_t)r > len)
		r = -ERANGE;
	if (r > 0)
		memcpy(buf, k, r);
	page_free((uintptr_t)k);
	return r;
}

long sys_umask(unsigned mask)
{
	unsigned old = vfs_umask;
	vfs_umask = mask & 0777;
	return old;
}

/* Owners and modes: stored, never enforced (the program is root). */
static long setattr(struct inode *i, int mode, long uid, long gid)
{
	if (mode >= 0)
		i->mode = (i->mode & S_IFMT) | (mode & 07777);
	if (uid != -1)
		i->uid = uid;
	if (gid != -1)
		i->gid = gid;
	inode_touch(i, false);
	return i->ops->setattr ? i->ops->setattr(i) : 0;
}

long sys_fchmodat(int dirfd, const char *path, unsigned mode)
{
	struct inode *i;
	long r = inode_at(dirfd, path, 0, &i);
	if (r)
		return r;
	r = setattr(i, mode, -1, -1);
	inode_put(i);
	return r;
}

long sys_chmod(const char *path, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
}

long sys_fchmod(int fd, unsigned mode)
{
	struct inode *i;
	long r = fd_inode(fd, &i, false);
	if (r)
		return r;
	r = setattr(i, mode, -1, -1);
	inode_put(i);
	return r;
}

long sys_fchownat(int dirfd, const char *path, int uid, int gid, int flags)
{
	struct inode *i;
	long r = inode_at(dirfd, path, flags, &i);
	if (r)
		return r;
	r = setattr(i, -1, uid, gid);
	inode_put(i);
	return r;
}

long sys_chown(const char *path, int uid, int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

long sys_lchown(const char *path, int uid, int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, int uid, int gid)
{
	struct inode *i;
	long r = fd_inode(fd, &i, false);
	if (r)
		return r;
	r = setattr(i, -1, uid, gid);
	inode_put(i);
	return r;
}

/* One time of utimensat: UTIME_NOW, UTIME_OMIT, or a checked value. */
static long utime_one(const struct timespec *t, struct ktimespec *to)
{
	if (t->tv_nsec == UTIME_OMIT)
		return 0;
	if (t->tv_nsec == UTIME_NOW) {
		uint64_t ns = plat->wallclock_ns();
		*to = (struct ktimespec){ ns / 1000000000, ns % 1000000000 };
		return 0;
	}
	if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
		return -EINVAL;
	*to = (struct ktimespec){ t->tv_sec, t->tv_nsec };
	return 0;
}

long sys_utimensat(int dirfd, const char *path, const struct timespec *ts,
		   int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	if (ts) {
		if (!vm_user_ok(ts, sizeof(t), false))
			return -EFAULT;
		t[0] = ts[0];
		t[1] = ts[1];
	}
	struct inode *i;
	long r = path ? inode_at(dirfd, path, flags, &i)
		      : fd_inode(dirfd, &i, false); /* futimens */
	if (r)
		return r;
	struct ktimespec a = i->atime, m = i->mtime;
	r = utime_one(&t[0], &a);
	if (!r)
		r = utime_one(&t[1], &m);
	if (!r) {
		i->atime = a;
		i->mtime = m;
		inode_touch(i, false);
		if (i->ops->setattr)
			r = i->ops->setattr(i);
	}
	inode_put(i);
	return r;
}

static void statfs_fill(struct inode *i, struct statfs *s)
{
	uint64_t total = 0, avail = 0;
	if (i->fs->space)
		i->fs->space(i->fs, &total, &avail);
	memset(s, 0, sizeof(*s));
	s->f_type = i->fs->magic;
	s->f_bsize = s->f_frsize = KPAGE_SIZE;
	s->f_blocks = total;
	s->f_bfree = s->f_bavail = avail;
	s->f_files = total;
	s->f_ffree = avail;
	s->f_namelen = NAME_MAX_K;
}

long sys_statfs(const char *path, struct statfs *s)
{
	if (!vm_user_ok(s, sizeof(*s), true))
		return -EFAULT;
	struct inode *i;
	long r = inode_at(AT_FDCWD, path, 0, &i);
	if (r)
		return r;
	statfs_fill(i, s);
	inode_put(i);
	return 0;
}

long sys_fstatfs(int fd, struct statfs *s)
{
	if (!vm_user_ok(s, sizeof(*s), true))
		return -EFAULT;
	struct inode *i;
	long r = fd_inode(fd, &i, false);
	if (r)
		return r;
	statfs_fill(i, s);
	inode_put(i);
	return 0;
}
