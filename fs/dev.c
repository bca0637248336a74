/*
 * /dev: the character devices every program may open (null, zero, full,
 * random and urandom from the kernel's generator, console and tty: the
 * console file), and the links into /proc/self/fd (stdin, stdout,
 * stderr, fd). Each device is a ramfs inode whose open makes the
 * device's file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs.h"

enum { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM };

static long dev_read(struct file *f, struct uio *u)
{
	int kind = (int)(uintptr_t)f->priv;
	if (kind == DEV_NULL)
		return 0;
	uint8_t buf[256];
	long done = 0;
	while (u->resid) {
		size_t n = MIN(u->resid, sizeof(buf));
		if (kind == DEV_RANDOM)
			random_bytes(buf, n);
		else
			memset(buf, 0, n);
		long c = uio_copy_to(u, buf, n);
		if (c < 0)
			return done ? done : c;
		done += c;
		if ((size_t)c < n)
			break;
	}
	return done;
}

static long dev_write(struct file *f, struct uio *u)
{
	if ((int)(uintptr_t)f->priv == DEV_FULL)
		return -ENOSPC;
	return u->resid; /* the rest swallow it, unread (as Linux's) */
}

static long dev_pread(struct file *f, struct uio *u, uint64_t off)
{
	(void)off;
	return dev_read(f, u);
}

static long dev_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	(void)off;
	return dev_write(f, u);
}

static long dev_seek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	return f->off = 0; /* as Linux's: always at 0 */
}

static int dev_stat(struct file *f, struct stat *st)
{
	static const unsigned minors[] = { 3, 5, 7, 9 };
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = makedev(1, minors[(int)(uintptr_t)f->priv]);
	st->st_blksize = KPAGE_SIZE;
	return 0;
}

static const struct file_ops dev_fops = {
	.name = "device",
	.read = dev_read,
	.write = dev_write,
	.pread = dev_pread,
	.pwrite = dev_pwrite,
	.seek = dev_seek,
	.stat = dev_stat,
	.mode = S_IFCHR,
};

static int dev_open(struct inode *i, unsigned flags, struct file **out)
{
	*out = file_alloc(&dev_fops, flags, (void *)(uintptr_t)i->special);
	return *out ? 0 : -ENOMEM;
}

static int console_open(struct inode *i, unsigned flags, struct file **out)
{
	(void)i;
	(void)flags;
	*out = file_get(&console_file); /* one console, shared flags */
	return 0;
}

static const struct {
	const char *name;
	int kind, minor;
} devs[] = {
	{ "/dev/null", DEV_NULL, 3 },	   { "/dev/zero", DEV_ZERO, 5 },
	{ "/dev/full", DEV_FULL, 7 },	   { "/dev/random", DEV_RANDOM, 8 },
	{ "/dev/urandom", DEV_RANDOM, 9 },
};

static void dev_node(const char *path, unsigned rdev,
		     int (*open)(struct inode *, unsigned, struct file **),
		     uintptr_t special)
{
	int r = vfs_mknod_special(path, S_IFCHR | 0666, open,
				  (const void *)special);
	struct inode *i;
	if (!r && !vfs_lookup(vfs_root, path, 0, &i, NULL)) {
		i->rdev = rdev;
		inode_put(i);
	}
}

void dev_init(void)
{
	vfs_mkdir_p("/dev", 0755);
	for (unsigned k = 0; k < ARRAY_SIZE(devs); k++)
		dev_node(devs[k].name, makedev(1, devs[k].minor), dev_open,
			 devs[k].kind);
	dev_node("/dev/console", makedev(5, 1), console_open, 0);
	dev_node("/dev/tty", makedev(5, 0), console_open, 0);
	vfs_symlink("/proc/self/fd/0", vfs_root, "/dev/stdin");
	vfs_symlink("/proc/self/fd/1", vfs_root, "/dev/stdout");
	vfs_symlink("/proc/self/fd/2", vfs_root, "/dev/stderr");
	vfs_symlink("/proc/self/fd", vfs_root, "/dev/fd");
	blkfile_init();
}
