/*
 * Open files of the tree, as a kind of kern/'s file layer: the struct
 * file holds the offset (shared by every fd dup made of it), the inode
 * is f->priv. Regular files read and write at the offset; O_APPEND
 * writes go to the end in the same step as they advance the size, so
 * two appenders never overwrite each other (big_lock: one at a time).
 * Directories are read with getdents64 only, their offset a cookie of
 * the file system's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"

static long vf_pread(struct file *f, struct uio *u, uint64_t off)
{
	struct inode *i = f->priv;
	if (inode_isdir(i))
		return -EISDIR;
	if (!i->ops->read)
		return -EINVAL;
	return i->ops->read(i, u, off);
}

static long vf_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	struct inode *i = f->priv;
	if (!i->ops->write)
		return -EINVAL;
	if (f->flags & O_APPEND)
		off = i->size;
	long r = i->ops->write(i, u, off);
	if (r > 0)
		inode_touch(i, true);
	return r;
}

static long vf_read(struct file *f, struct uio *u)
{
	long r = vf_pread(f, u, f->off);
	if (r > 0)
		f->off += r;
	return r;
}

static long vf_write(struct file *f, struct uio *u)
{
	struct inode *i = f->priv;
	long r = vf_pwrite(f, u, f->off);
	if (r > 0)
		f->off = (f->flags & O_APPEND ? i->size : f->off + r);
	return r;
}

static long vf_seek(struct file *f, int64_t off, int whence)
{
	struct inode *i = f->priv;
	int64_t base;
	if (whence == SEEK_SET)
		base = 0;
	else if (whence == SEEK_CUR)
		base = f->off;
	else if (whence == SEEK_END)
		base = i->size;
	else
		return -EINVAL;
	if (inode_isdir(i) && whence != SEEK_SET)
		return -EINVAL; /* a cookie, not a byte count */
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = base + off;
	return f->off;
}

void vfs_stat_fill(struct inode *i, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = i->fs->dev;
	st->st_ino = i->ino;
	st->st_mode = i->mode;
	st->st_nlink = i->nlink;
	st->st_uid = i->uid;
	st->st_gid = i->gid;
	st->st_rdev = i->rdev;
	st->st_size = i->size;
	st->st_blksize = KPAGE_SIZE;
	st->st_blocks = ALIGN_UP(i->size, KPAGE_SIZE) / 512;
	st->st_atim.tv_sec = i->atime.sec;
	st->st_atim.tv_nsec = i->atime.nsec;
	st->st_mtim.tv_sec = i->mtime.sec;
	st->st_mtim.tv_nsec = i->mtime.nsec;
	st->st_ctim.tv_sec = i->ctime.sec;
	st->st_ctim.tv_nsec = i->ctime.nsec;
}

static int vf_stat(struct file *f, struct stat *st)
{
	vfs_stat_fill(f->priv, st);
	return 0;
}

static int vf_fsync(struct file *f)
{
	struct inode *i = f->priv;
	return i->ops->fsync ? i->ops->fsync(i) : 0;
}

static void vf_release(struct file *f)
{
	inode_put(f->priv);
}

static const struct file_ops vfs_fops = {
	.name = "file",
	.read = vf_read,
	.write = vf_write,
	.pread = vf_pread,
	.pwrite = vf_pwrite,
	.seek = vf_seek,
	.stat = vf_stat,
	.fsync = vf_fsync,
	.release = vf_release,
	.mode = S_IFREG,
};

struct file *vfs_file_open(struct inode *ino, unsigned flags)
{
	struct file *f = file_alloc(&vfs_fops, flags, ino);
	if (f)
		inode_get(ino);
	return f;
}

struct inode *vfs_file_inode(struct file *f)
{
	return f->ops == &vfs_fops ? f->priv : NULL;
}

/* getdents64: records of struct linux_dirent64 until the buffer is full. */
struct dents {
	uint8_t *buf; /* the program's, checked writable */
	size_t n, pos;
	bool full;
};

struct dirent64_k {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static int dents_fn(void *ctx, const char *name, size_t len, uint64_t ino,
		    unsigned type, uint64_t off)
{
	struct dents *d = ctx;
	size_t rec = ALIGN_UP(offsetof(struct dirent64_k, d_name) + len + 1, 8);
	if (d->pos + rec > d->n) {
		d->full = true;
		return 1;
	}
	struct dirent64_k *e = (void *)(d->buf + d->pos);
	e->d_ino = ino;
	e->d_off = off;
	e->d_reclen = rec;
	e->d_type = type;
	memcpy(e->d_name, name, len);
	memset(e->d_name + len, 0,
	       rec - offsetof(struct dirent64_k, d_name) - len);
	d->pos += rec;
	return 0;
}

long vfs_getdents(struct file *f, void *buf, size_t n)
{
	struct inode *i = vfs_file_inode(f);
	if (!i)
		return -ENOTDIR;
	if (!inode_isdir(i))
		return -ENOTDIR;
	struct dents d = { buf, n, 0, false };
	uint64_t off = f->off;
	int r = i->ops->readdir(i, &off, dents_fn, &d);
	if (r < 0)
		return r;
	if (!d.pos && d.full)
		return -EINVAL; /* not even one entry fits */
	f->off = off;
	return d.pos;
}
