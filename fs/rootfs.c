/*
 * The root's contents from a cpio archive (the boot module: xl's
 * ramdisk=, QEMU's -initrd), unpacked into the root ramfs before the
 * program starts. The archive is untrusted: an entry whose name is
 * absolute or has a ".." component is refused with a console line and
 * skipped (nothing is ever written outside the root: every entry is
 * made relative to it, and a link the archive made earlier is replaced,
 * never written through); a broken archive (a bad header, a truncated
 * entry, no trailer) stops the boot with status 2 and says why. Regular
 * files, directories and symlinks are made; other kinds are skipped with
 * a line (devices come from /dev). Hard links are not kept: each name
 * gets its own copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "fs.h"

struct unpack {
	char *path; /* a page: "/" + the entry's name */
	int files, dirs, links, skipped;
	int err;
};

static void entry_attrs(const char *path, const struct cpio_entry *e)
{
	struct inode *i;
	if (vfs_lookup(vfs_root, path, 0, &i, NULL))
		return;
	if (!inode_islnk(i))
		i->mode = (i->mode & S_IFMT) | (e->mode & 07777);
	i->uid = e->uid;
	i->gid = e->gid;
	i->mtime = i->ctime = i->atime = (struct ktimespec){ e->mtime, 0 };
	inode_put(i);
}

static int write_all(struct file *f, const uint8_t *data, size_t n)
{
	struct iovec v = { (void *)data, n };
	struct uio u;
	uio_init(&u, &v, 1, n, false);
	long r = n ? file_write(f, &u) : 0;
	return r < 0 ? (int)r : (size_t)r == n ? 0 : -ENOSPC;
}

static int make(const char *path, const struct cpio_entry *e)
{
	unsigned type = e->mode & S_IFMT;
	if (type == S_IFDIR) {
		int r = vfs_mkdir(vfs_root, path, 0700);
		return r == -EEXIST ? 0 : r;
	}
	/* Whatever is there goes first: a file, or a link we must not
	 * write through. */
	vfs_unlink(vfs_root, path, false);
	if (type == S_IFLNK) {
		if (!e->size || e->size >= PATH_MAX_K ||
		    strnlen((const char *)e->data, e->size) != e->size)
			return -EINVAL;
		char *t = (char *)page_alloc();
		if (!t)
			return -ENOMEM;
		memcpy(t, e->data, e->size);
		t[e->size] = 0;
		int r = vfs_symlink(t, vfs_root, path);
		page_free((uintptr_t)t);
		return r;
	}
	struct file *f;
	int r = vfs_open(vfs_root, path,
			 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600, &f);
	if (r)
		return r;
	r = write_all(f, e->data, e->size);
	file_put(f);
	return r;
}

static int unpack_one(void *ctx, const struct cpio_entry *e)
{
	struct unpack *u = ctx;
	const char *n = e->name;
	size_t len = e->namelen;
	if (!cpio_name_ok(n, len)) {
		printk("atman: rootfs: refusing \"%.*s\": absolute, \"..\" or "
		       "too long\n",
		       (int)MIN(len, 200), n);
		u->skipped++;
		return 0;
	}
	while (len >= 2 && n[0] == '.' && n[1] == '/') {
		n += 2;
		len -= 2;
		while (len && *n == '/')
			n++, len--;
	}
	if (!len || (len == 1 && n[0] == '.'))
		return 0; /* the root itself */
	unsigned type = e->mode & S_IFMT;
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK) {
		printk("atman: rootfs: skipping \"%.*s\": not a file, "
		       "directory or symlink\n",
		       (int)len, n);
		u->skipped++;
		return 0;
	}
	u->path[0] = '/';
	memcpy(u->path + 1, n, len);
	u->path[len + 1] = 0;
	int r = make(u->path, e);
	if (r == -ENOENT) { /* a parent the archive did not list first */
		char *slash = u->path + len; /* the last '/' */
		while (*slash != '/')
			slash--;
		*slash = 0;
		r = vfs_mkdir_p(u->path, 0755);
		*slash = '/';
		if (!r)
			r = make(u->path, e);
	}
	if (r) {
		printk("atman: rootfs: cannot make \"%s\": error %d\n", u->path,
		       -r);
		u->err = r;
		return r == -ENOSPC || r == -ENOMEM ? r : 0;
	}
	entry_attrs(u->path, e);
	if (type == S_IFDIR)
		u->dirs++;
	else if (type == S_IFLNK)
		u->links++;
	else
		u->files++;
	return 0;
}

int cpio_unpack(const void *buf, size_t len)
{
	struct unpack u = { .path = (char *)page_alloc() };
	if (!u.path)
		return -ENOMEM;
	const char *why = NULL;
	int r = cpio_parse(buf, len, unpack_one, &u, &why);
	page_free((uintptr_t)u.path);
	if (r == -EINVAL && why) {
		printk("atman: rootfs: bad archive: %s\n", why);
		return r;
	}
	if (r) {
		printk("atman: rootfs: out of memory unpacking the archive\n");
		return r;
	}
	if (!kquiet)
		printk("  rootfs: %d files, %d directories, %d symlinks, %d "
		       "skipped\n",
		       u.files, u.dirs, u.links, u.skipped);
	return 0;
}
