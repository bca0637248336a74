/*
 * open and openat, for the few files the kernel makes itself:
 * /etc/resolv.conf and /etc/hosts (net/etc.c), read-only snapshots taken
 * at open. Every other path is ENOENT until there is a file system.
 */
#include <errno.h>
#include <fcntl.h>

#include "sys.h"
#include "kern/kern.h"
#include "net/net.h"

#define ETC_FILE_MAX 1024
#define PATH_MAX_LEN 4096

struct etc_file {
	size_t len, off;
	char data[ETC_FILE_MAX];
};

static long etc_read(struct file *f, struct uio *u)
{
	struct etc_file *e = f->priv;
	size_t n = MIN(u->resid, e->len - e->off);
	long r = n ? uio_copy_to(u, e->data + e->off, n) : 0;
	if (r > 0)
		e->off += r;
	return r;
}

static void etc_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops etc_ops = {
	.name = "etc",
	.read = etc_read,
	.release = etc_release,
	.mode = S_IFREG | 0444,
};

long sys_openat(int dirfd, const char *path, int flags, int mode)
{
	(void)dirfd; /* only absolute paths exist */
	(void)mode;
	size_t n = 0;
	while (vm_user_ok(path + n, 1, false) && path[n] && n < PATH_MAX_LEN)
		n++;
	if (!vm_user_ok(path + n, 1, false))
		return -EFAULT;
	if (n == PATH_MAX_LEN)
		return -ENAMETOOLONG;
	struct etc_file *e = kmalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	long len = net_etc_file(path, e->data, sizeof(e->data));
	if (len < 0) {
		kfree(e);
		return len;
	}
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC))) {
		kfree(e);
		return -EROFS;
	}
	e->len = len;
	e->off = 0;
	struct file *f = file_alloc(&etc_ops, O_RDONLY, e);
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	long fd = fd_install(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f); /* its release frees e */
	return fd;
}

long sys_open(const char *path, int flags, int mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}
