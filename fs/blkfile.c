/*
 * The raw block devices as files: /dev/xvda, ... for every registered
 * blkdev. read, write, pread and pwrite at any offset and of any length:
 * a transfer goes through a bounce buffer of whole sectors, and a write
 * that covers part of a sector reads the sector first. Reads at or past
 * the end give 0, writes there ENOSPC, as Linux's block devices do.
 * ioctl: BLKGETSIZE64, BLKGETSIZE, BLKSSZGET, BLKROGET,
 * BLKFLSBUF; fsync flushes the device's write cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs.h"

#define BOUNCE (128 * 1024) /* bytes a round trip at most */

static long bf_xfer(struct blkdev *d, struct uio *u, uint64_t off, bool write)
{
	if (write && d->readonly)
		return -EROFS;
	if (!u->resid)
		return 0;
	if (off >= d->size)
		return write ? -ENOSPC : 0;
	size_t want = MIN(u->resid, d->size - off), ss = d->sector_size;
	long a = vm_mmap(0, BOUNCE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	if (a < 0)
		return -ENOMEM;
	char *buf = (char *)a;
	size_t done = 0;
	long err = 0;
	while (done < want) {
		uint64_t pos = off + done, start = ALIGN_DOWN(pos, ss);
		size_t head = pos - start;
		size_t n = MIN(want - done, BOUNCE - head);
		size_t span = ALIGN_UP(head + n, ss); /* within the device */
		bool partial = head || n % ss;
		if ((!write || partial) &&
		    (err = d->ops->rw(d, false, start, buf, span)))
			break;
		long c;
		if (write) {
			c = uio_copy_from(u, buf + head, n);
			if (c > 0 && (size_t)c < n && !partial) {
				/* A fault part-way: write the whole sectors
				 * that did come (their sectors were not read). */
				c = ALIGN_DOWN(c, ss);
				span = c;
			} else if (c > 0 && (size_t)c < n) {
				span = ALIGN_UP(head + c, ss);
			}
			if (c > 0 &&
			    (err = d->ops->rw(d, true, start, buf, span)))
				break;
		} else {
			c = uio_copy_to(u, buf + head, n);
		}
		if (c <= 0) {
			err = c ? c : -EFAULT;
			break;
		}
		done += c;
		if ((size_t)c < n)
			break;
	}
	vm_munmap(a, BOUNCE);
	return done ? (long)done : err;
}

static long bf_pread(struct file *f, struct uio *u, uint64_t off)
{
	return bf_xfer(f->priv, u, off, false);
}

static long bf_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	return bf_xfer(f->priv, u, off, true);
}

static long bf_read(struct file *f, struct uio *u)
{
	long r = bf_pread(f, u, f->off);
	if (r > 0)
		f->off += r;
	return r;
}

static long bf_write(struct file *f, struct uio *u)
{
	long r = bf_pwrite(f, u, f->off);
	if (r > 0)
		f->off += r;
	return r;
}

static long bf_seek(struct file *f, int64_t off, int whence)
{
	struct blkdev *d = f->priv;
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)f->off
		       : whence == SEEK_END ? (int64_t)d->size
					    : -1;
	if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return f->off = base + off;
}

static int bf_stat(struct file *f, struct stat *st)
{
	struct blkdev *d = f->priv;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFBLK | 0660;
	st->st_nlink = 1;
	st->st_rdev = makedev(d->major, d->minor);
	st->st_blksize = KPAGE_SIZE;
	return 0;
}

static int bf_fsync(struct file *f)
{
	struct blkdev *d = f->priv;
	return d->ops->flush(d);
}

/* An answer into the program's memory. */
static long put_out(unsigned long arg, const void *v, size_t n)
{
	if (!vm_user_ok((void *)arg, n, true))
		return -EFAULT;
	memcpy((void *)arg, v, n);
	return 0;
}

static long bf_ioctl(struct file *f, unsigned long cmd, unsigned long arg)
{
	struct blkdev *d = f->priv;
	uint64_t size = d->size;
	unsigned long sectors = d->size >> 9;
	int ss = (int)d->sector_size, ro = d->readonly;
	switch ((unsigned)cmd) { /* musl passes an int */
	case BLKGETSIZE64:
		return put_out(arg, &size, sizeof(size));
	case BLKGETSIZE:
		return put_out(arg, &sectors, sizeof(sectors));
	case BLKSSZGET:
		return put_out(arg, &ss, sizeof(ss));
	case BLKROGET:
		return put_out(arg, &ro, sizeof(ro));
	case BLKFLSBUF:
		return d->ops->flush(d); /* no cache of ours to drop */
	}
	return -ENOTTY;
}

static const struct file_ops blk_fops = {
	.name = "block device",
	.read = bf_read,
	.write = bf_write,
	.pread = bf_pread,
	.pwrite = bf_pwrite,
	.seek = bf_seek,
	.stat = bf_stat,
	.fsync = bf_fsync,
	.ioctl = bf_ioctl,
	.mode = S_IFBLK,
};

static int blk_open(struct inode *i, unsigned flags, struct file **out)
{
	struct blkdev *d = (struct blkdev *)i->special;
	if ((flags & O_ACCMODE) != O_RDONLY && d->readonly)
		return -EROFS;
	*out = file_alloc(&blk_fops, flags, d);
	return *out ? 0 : -ENOMEM;
}

void blkfile_init(void)
{
	for (struct blkdev *d = blkdev_first(); d; d = d->next) {
		char path[16];
		ksnprintf(path, sizeof(path), "/dev/%s", d->name);
		if (vfs_mknod_special(path, S_IFBLK | 0660, blk_open, d))
			continue;
		struct inode *i;
		if (!vfs_lookup(vfs_root, path, 0, &i, NULL)) {
			i->rdev = makedev(d->major, d->minor);
			inode_put(i);
		}
	}
}
