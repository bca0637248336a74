/*
 * fs/: the file tree. A VFS (inodes, path lookup, mounts, the current
 * directory, open files as a file kind of kern/'s file layer), ramfs
 * for / and /tmp, the root's contents from a cpio archive, /dev, /proc
 * and generated files. Declarations grouped by the implementing file.
 * Everything runs under big_lock, as the file layer does: no file
 * system here sleeps.
 */
#ifndef ATMAN_FS_H
#define ATMAN_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kern/kern.h"

#define NAME_MAX_K  255
#define PATH_MAX_K  4096
#define SYMLINK_MAX 40 /* links followed in one lookup (Linux's) */
#define NEST_MAX    8  /* links inside links inside links... */

struct inode;
struct stat;
struct statx;
struct statfs;

/* A directory entry as readdir hands it out; off is the cookie of the
 * next entry (getdents64's d_off). Returns nonzero to stop. */
typedef int (*readdir_fn)(void *ctx, const char *name, size_t len, uint64_t ino,
			  unsigned type, uint64_t off);

/* What a file system does; NULL where it does not. Every call returns 0
 * (or a count) or -errno; an inode handed out carries a reference. */
struct inode_ops {
	int (*lookup)(struct inode *dir, const char *name, size_t len,
		      struct inode **out);
	/* A new regular file, directory (S_IFDIR) or symlink (S_IFLNK,
	 * target given) named name in dir; -EEXIST if the name is there. */
	int (*create)(struct inode *dir, const char *name, size_t len,
		      unsigned mode, const char *target, struct inode **out);
	int (*link)(struct inode *dir, const char *name, size_t len,
		    struct inode *ino);
	/* Remove name: a directory (rmdir) only if dir_only, then only
	 * empty; a non-directory only if !dir_only. */
	int (*unlink)(struct inode *dir, const char *name, size_t len,
		      bool dir_only);
	int (*rename)(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen,
		      bool noreplace);
	long (*readlink)(struct inode *ino, char *buf, size_t n);
	long (*read)(struct inode *ino, struct uio *u, uint64_t off);
	long (*write)(struct inode *ino, struct uio *u, uint64_t off);
	int (*truncate)(struct inode *ino, uint64_t size);
	int (*readdir)(struct inode *dir, uint64_t *off, readdir_fn fn,
		       void *ctx);
	/* refs and nlink both reached 0: free what the inode holds. */
	void (*evict)(struct inode *ino);
	/* A "magic" link (/proc/self/fd/N): what it stands for, with no
	 * path in between. NULL: follow readlink's target. */
	int (*get_link)(struct inode *ln, struct inode **out);
	/* mode, uid, gid or the times changed in the inode: store them.
	 * NULL: the inode is all there is (memory). */
	int (*setattr)(struct inode *ino);
	/* fsync: the file's data and metadata on stable storage. NULL:
	 * nothing to write back. */
	int (*fsync)(struct inode *ino);
};

/* One mounted file system. */
struct fs {
	const char *type;
	uint64_t magic; /* statfs's f_type */
	uint64_t dev;
	uint64_t next_ino;
	struct inode *root;
	/* statfs: blocks (of 4 KiB) in all and free */
	void (*space)(struct fs *fs, uint64_t *total, uint64_t *avail);
	/* sync, syncfs, and at exit: everything to stable storage. NULL:
	 * nothing to write back (memory). */
	int (*sync)(struct fs *fs);
	/* Evict an inode when its last reference goes, links or not: the
	 * disk keeps it (ext); false: memory is all there is (ramfs). */
	bool evict_unused;
	bool readonly; /* opens for writing: EROFS */
	void *priv;
};

struct ktimespec {
	int64_t sec;
	long nsec;
};

struct inode {
	const struct inode_ops *ops;
	struct fs *fs;
	int refs;
	unsigned nlink;
	unsigned mode; /* S_IFMT | permission bits */
	unsigned uid, gid;
	uint64_t ino, size, rdev;
	struct ktimespec atime, mtime, ctime;
	/* Mounts: the root of what is mounted here; on a mounted root, the
	 * directory it covers (".." goes through it). */
	struct inode *mounted, *covers;
	/* Special files (devices, generated files): open makes this file
	 * rather than a plain one. */
	int (*open)(struct inode *ino, unsigned flags, struct file **out);
	const void *special; /* the opener's */
	void *priv;	     /* the file system's */
};

/* vfs.c: inodes, lookup, mounts, the current directory */
extern struct inode *vfs_root, *vfs_cwd;
struct inode *inode_new(struct fs *fs, unsigned mode); /* refs 1, nlink 0 */
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void inode_touch(struct inode *ino, bool data); /* mtime (data) and ctime */
static inline bool inode_isdir(const struct inode *i)
{
	return (i->mode & 0170000) == 0040000;
}
static inline bool inode_islnk(const struct inode *i)
{
	return (i->mode & 0170000) == 0120000;
}
#define LOOKUP_FOLLOW 1 /* follow a symlink in the last component */
#define LOOKUP_PARENT 2 /* stop at the last component's directory */
struct lastname {
	char name[NAME_MAX_K + 1];
	size_t len; /* 0: the path had no last component ("/") */
	bool slash; /* a slash followed it: it must be a directory */
};
/* Walk path from dir (absolute paths from the root). With
 * LOOKUP_PARENT, *out is the directory and last names what is in it. */
int vfs_lookup(struct inode *dir, const char *path, unsigned flags,
	       struct inode **out, struct lastname *last);
int vfs_mount(const char *path, struct fs *fs);
int vfs_chdir(struct inode *dir);
long vfs_getcwd(char *buf, size_t n);
int vfs_mkdir_p(const char *path, unsigned mode); /* for setup code */
/* Every mounted file system's sync, then every block device's flush;
 * the first error. */
int vfs_sync(void);

/* vfs_file.c: open files of the tree as a file kind */
struct file *vfs_file_open(struct inode *ino, unsigned flags);
struct inode *vfs_file_inode(struct file *f); /* NULL: not a tree file */
void vfs_stat_fill(struct inode *ino, struct stat *st);
long vfs_getdents(struct file *f, void *buf, size_t n);

/* vfs_ops.c: the calls, on kernel-memory paths; dir is the start of
 * relative paths (a directory fd's inode, or the cwd) */
int vfs_open(struct inode *dir, const char *path, unsigned flags, unsigned mode,
	     struct file **out);
int vfs_mkdir(struct inode *dir, const char *path, unsigned mode);
int vfs_mknod_special(const char *path, unsigned mode,
		      int (*open)(struct inode *, unsigned, struct file **),
		      const void *special);
int vfs_unlink(struct inode *dir, const char *path, bool dir_only);
int vfs_rename(struct inode *odir, const char *opath, struct inode *ndir,
	       const char *npath, bool noreplace);
int vfs_link(struct inode *odir, const char *opath, struct inode *ndir,
	     const char *npath, bool follow);
int vfs_symlink(const char *target, struct inode *dir, const char *path);
long vfs_readlink(struct inode *dir, const char *path, char *buf, size_t n);
int vfs_truncate(struct inode *ino, uint64_t size);
extern unsigned vfs_umask;

/* ramfs.c: files in memory (pages from the page pool) */
#define RAMFS_MAGIC   0x858458f6 /* Linux's RAMFS_MAGIC */
#define RAMFS_RESERVE 256	 /* pages kept back for the kernel */
struct fs *ramfs_new(void);

/* synth.c: files whose contents a function makes at open (/proc,
 * generated /etc files, another layer's: net/'s /etc/resolv.conf). fill
 * writes at most cap bytes (one page) into buf and returns how many; it
 * runs under big_lock, at each open, and must not sleep. Registering
 * makes the parent directories; a file the root already has at that
 * path wins (-EEXIST, nothing registered). synth_printf appends to a
 * synth_buf over buf, cutting at cap, for fill functions that print. */
struct synth_buf {
	char *buf;
	size_t len, cap;
};
void synth_printf(struct synth_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vfs_synth_register(const char *path, size_t (*fill)(char *buf, size_t cap));

/* cpio.c: a newc archive into the tree */
struct cpio_entry {
	const char *name; /* not NUL-terminated: namelen bytes */
	size_t namelen;
	unsigned mode;
	unsigned uid, gid;
	uint64_t mtime;
	const uint8_t *data;
	size_t size;
};
/* Walk an archive, calling fn for each entry before the trailer.
 * Returns 0, or -EINVAL with *why saying what was wrong; entries before
 * the bad one have been handed out. */
int cpio_parse(const uint8_t *buf, size_t len,
	       int (*fn)(void *ctx, const struct cpio_entry *e), void *ctx,
	       const char **why);
/* Is the name safe to create under the root (no "..", not absolute)? */
bool cpio_name_ok(const char *name, size_t len);
/* Unpack into the tree; prints what went wrong; 0 or -errno. */
int cpio_unpack(const void *buf, size_t len);

/* dev.c: /dev; procfs.c: /proc and the /etc defaults. Both after the
 * root's archive is unpacked: a file the user's root has wins. */
void dev_init(void);
/* blkfile.c: /dev/xvdX for every block device (dev_init calls it) */
void blkfile_init(void);
void procfs_init(void);
/* A read-only file kind over a filled buffer (synth.c), for /proc. */
int synth_open_buf(struct synth_buf *b, unsigned flags, struct file **out);

/* ext.c: ext2/3/4 on a block device (through libext2fs). ext_mount
 * opens it (read-only if ro, the device is, or its features need it);
 * the root is out->root. ext_unmount writes everything back and marks
 * it clean; the fs stays, read-only, for the inodes still held. */
int ext_mount(struct blkdev *dev, bool ro, struct fs **out);
int ext_unmount(struct fs *fs);
int ext_sync(struct fs *fs);

/* mounts.c: the disks' mounts at boot, from atman.mount=DEV:PATH[:ro]
 * options and /etc/fstab; all unmounted at exit. */
void mounts_boot(const struct cmdline *c);
void mounts_exit(void);

/* vfs_init (vfs.c): ramfs at / and /tmp */
void vfs_init(void);

#endif
