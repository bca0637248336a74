/*
 * Generated files: a path and a function that fills the file's contents
 * when it is opened (/proc's files, the /etc defaults; another layer's
 * too: the start code registers net/'s /etc/resolv.conf this way, fill
 * being a plain function of net/ that includes nothing of fs/). What an
 * open sees is a snapshot made at that open, read-only, up to one page.
 * A file already at the path when it is registered wins: the user's
 * root (unpacked first), then whoever registered first (so net/'s
 * /etc/hosts, registered before procfs_init, beats the default).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fs.h"

void synth_printf(struct synth_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = MIN(b->len + n, b->cap - 1); /* cut at a page */
}

static long sy_pread(struct file *f, struct uio *u, uint64_t off)
{
	struct synth_buf *b = f->priv;
	if (off >= b->len)
		return 0;
	return uio_copy_to(u, b->buf + off, MIN(u->resid, b->len - off));
}

static long sy_read(struct file *f, struct uio *u)
{
	long r = sy_pread(f, u, f->off);
	if (r > 0)
		f->off += r;
	return r;
}

static long sy_seek(struct file *f, int64_t off, int whence)
{
	struct synth_buf *b = f->priv;
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)f->off
		       : whence == SEEK_END ? (int64_t)b->len
					    : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	return f->off = base + off;
}

static int sy_stat(struct file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_blksize = KPAGE_SIZE;
	st->st_size = 0; /* as /proc's: the size is what a read finds */
	return 0;
}

static void sy_release(struct file *f)
{
	struct synth_buf *b = f->priv;
	page_free((uintptr_t)b->buf);
	kfree(b);
}

static const struct file_ops synth_fops = {
	.name = "generated file",
	.read = sy_read,
	.pread = sy_pread,
	.seek = sy_seek,
	.stat = sy_stat,
	.release = sy_release,
	.mode = S_IFREG,
};

int synth_open_buf(struct synth_buf *b, unsigned flags, struct file **out)
{
	struct synth_buf *k = kmalloc(sizeof(*k));
	struct file *f = k ? file_alloc(&synth_fops, flags, k) : NULL;
	if (!f) {
		kfree(k);
		page_free((uintptr_t)b->buf);
		return -ENOMEM;
	}
	*k = *b;
	*out = f;
	return 0;
}

static int synth_open(struct inode *i, unsigned flags, struct file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	struct synth_buf b = { (char *)page_alloc(), 0, KPAGE_SIZE };
	if (!b.buf)
		return -ENOMEM;
	size_t (*fill)(char *, size_t) = (size_t(*)(char *, size_t))i->special;
	b.len = MIN(fill(b.buf, b.cap), b.cap);
	return synth_open_buf(&b, flags, out);
}

int vfs_synth_register(const char *path, size_t (*fill)(char *buf, size_t cap))
{
	char dir[256];
	size_t n = strnlen(path, sizeof(dir));
	if (n >= sizeof(dir) || path[0] != '/')
		return -EINVAL;
	memcpy(dir, path, n + 1);
	while (n && dir[n] != '/')
		n--;
	dir[n] = 0;
	int r = n ? vfs_mkdir_p(dir, 0755) : 0;
	if (r)
		return r;
	return vfs_mknod_special(path, S_IFREG | 0444, synth_open,
				 (const void *)fill);
}
