/*
 * The calls on the tree, on paths in kernel memory: open, mkdir, unlink
 * and rmdir, rename, link, symlink, readlink, truncate. Each finds what
 * it works on with vfs_lookup, checks what every file system would check
 * the same way (Linux's errors for ".", "..", mounts, types), and leaves
 * the rest to the file system's inode_ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fs.h"

unsigned vfs_umask = 022;

static bool is_dots(const struct lastname *ln)
{
	return (ln->len == 1 && ln->name[0] == '.') ||
	       (ln->len == 2 && ln->name[0] == '.' && ln->name[1] == '.');
}

static int child(struct inode *d, const struct lastname *ln, struct inode **out)
{
	return vfs_lookup(d, ln->name, 0, out, NULL);
}

/* The last component of path, in its directory; -ENOENT-free: the
 * caller sees whether the name is there through child(). */
static int parent(struct inode *dir, const char *path, struct inode **d,
		  struct lastname *ln)
{
	return vfs_lookup(dir, path, LOOKUP_PARENT, d, ln);
}

static int open_create(struct inode *dir, const char *path, unsigned flags,
		       unsigned mode, struct inode **out)
{
	struct inode *d, *i;
	struct lastname ln;
	int r = parent(dir, path, &d, &ln);
	if (r)
		return r;
	if (!ln.len || is_dots(&ln)) {
		inode_put(d);
		return -EISDIR;
	}
	r = child(d, &ln, &i);
	if (r == -ENOENT) {
		if (ln.slash)
			r = -EISDIR;
		else
			r = d->ops->create(d, ln.name, ln.len,
					   S_IFREG |
						   (mode & ~vfs_umask & 07777),
					   NULL, &i);
		if (!r)
			inode_touch(d, true);
	} else if (!r && (flags & O_EXCL)) {
		inode_put(i);
		r = -EEXIST;
	} else if (!r && inode_islnk(i)) {
		inode_put(i);
		/* A dangling link is ENOENT here: its target is not made
		 * (Linux would create it). */
		r = flags & O_NOFOLLOW
			    ? -ELOOP
			    : vfs_lookup(d, ln.name, LOOKUP_FOLLOW, &i, NULL);
	}
	inode_put(d);
	if (!r)
		*out = i;
	return r;
}

int vfs_open(struct inode *dir, const char *path, unsigned flags, unsigned mode,
	     struct file **out)
{
	struct inode *i;
	int r = flags & O_CREAT
			? open_create(dir, path, flags, mode, &i)
			: vfs_lookup(dir, path,
				     flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW, &i,
				     NULL);
	if (r)
		return r;
	unsigned acc = flags & O_ACCMODE;
	if (inode_islnk(i))
		r = -ELOOP; /* O_NOFOLLOW on a link */
	else if ((flags & O_DIRECTORY) && !inode_isdir(i))
		r = -ENOTDIR;
	else if (inode_isdir(i) && (acc != O_RDONLY || (flags & O_TRUNC)))
		r = -EISDIR;
	else if (acc == 3)
		r = -EINVAL;
	else if (i->fs->readonly && !i->open &&
		 (acc != O_RDONLY || (flags & O_TRUNC)))
		r = -EROFS; /* a device node's own open decides for it */
	else if ((flags & O_TRUNC) && acc != O_RDONLY && S_ISREG(i->mode) &&
		 i->size)
		r = vfs_truncate(i, 0);
	if (!r) {
		unsigned keep = O_ACCMODE | O_APPEND | O_NONBLOCK;
		if (i->open)
			r = i->open(i, flags & keep, out);
		else if (!(*out = vfs_file_open(i, flags & keep)))
			r = -ENOMEM;
	}
	inode_put(i);
	return r;
}

int vfs_mkdir(struct inode *dir, const char *path, unsigned mode)
{
	struct inode *d;
	struct lastname ln;
	int r = parent(dir, path, &d, &ln);
	if (r)
		return r;
	if (!ln.len || is_dots(&ln))
		r = -EEXIST;
	else {
		struct inode *i;
		r = d->ops->create(d, ln.name, ln.len,
				   S_IFDIR | (mode & ~vfs_umask & 07777), NULL,
				   &i);
		if (!r) {
			inode_touch(d, true);
			inode_put(i);
		}
	}
	inode_put(d);
	return r;
}

int vfs_mknod_special(const char *path, unsigned mode,
		      int (*open)(struct inode *, unsigned, struct file **),
		      const void *special)
{
	struct inode *d, *i;
	struct lastname ln;
	int r = parent(vfs_root, path, &d, &ln);
	if (r)
		return r;
	r = !ln.len || is_dots(&ln)
		    ? -EEXIST
		    : d->ops->create(d, ln.name, ln.len, mode, NULL, &i);
	inode_put(d);
	if (r)
		return r;
	i->open = open;
	i->special = special;
	inode_put(i);
	return 0;
}

int vfs_unlink(struct inode *dir, const char *path, bool dir_only)
{
	struct inode *d, *i;
	struct lastname ln;
	int r = parent(dir, path, &d, &ln);
	if (r)
		return r;
	if (!ln.len)
		r = dir_only ? -EBUSY : -EISDIR;
	else if (is_dots(&ln))
		r = !dir_only ? -EISDIR : ln.len == 1 ? -EINVAL : -ENOTEMPTY;
	else if (!(r = child(d, &ln, &i))) {
		if (i->covers || i->mounted)
			r = -EBUSY;
		else if (!dir_only && inode_isdir(i))
			r = -EISDIR;
		else if (dir_only && !inode_isdir(i))
			r = -ENOTDIR;
		else if (!dir_only && ln.slash)
			r = -ENOTDIR;
		inode_put(i);
		if (!r)
			r = d->ops->unlink(d, ln.name, ln.len, dir_only);
		if (!r)
			inode_touch(d, true);
	}
	inode_put(d);
	return r;
}

/* Is a an ancestor of (or the same as) b? Walks b's ".." to the root. */
static bool ancestor(struct inode *a, struct inode *b)
{
	struct inode *cur = inode_get(b);
	bool found = false;
	for (int n = 0; n < 4096; n++) {
		if (cur == a) {
			found = true;
			break;
		}
		if (cur == vfs_root || cur->fs != a->fs)
			break;
		struct inode *up;
		if (vfs_lookup(cur, "..", 0, &up, NULL))
			break;
		inode_put(cur);
		cur = up;
	}
	inode_put(cur);
	return found;
}

int vfs_rename(struct inode *odir, const char *opath, struct inode *ndir,
	       const char *npath, bool noreplace)
{
	struct inode *od, *nd = NULL, *oi = NULL, *ni = NULL;
	struct lastname oln, nln;
	int r = parent(odir, opath, &od, &oln);
	if (r)
		return r;
	r = parent(ndir, npath, &nd, &nln);
	if (!r && (!oln.len || !nln.len || is_dots(&oln) || is_dots(&nln)))
		r = -EBUSY;
	if (!r)
		r = child(od, &oln, &oi);
	if (!r && od->fs != nd->fs)
		r = -EXDEV;
	if (!r && (oi->covers || oi->mounted))
		r = -EBUSY;
	if (!r && (oln.slash || nln.slash) && !inode_isdir(oi))
		r = -ENOTDIR;
	if (!r && inode_isdir(oi) && ancestor(oi, nd))
		r = -EINVAL; /* into itself */
	if (!r) {
		int e = child(nd, &nln, &ni);
		if (!e && ni == oi)
			goto out; /* the same file: nothing to do */
		if (!e && noreplace)
			r = -EEXIST;
		else if (!e && (ni->covers || ni->mounted))
			r = -EBUSY;
		else if (!e && inode_isdir(ni) && !inode_isdir(oi))
			r = -EISDIR;
		else if (!e && !inode_isdir(ni) && inode_isdir(oi))
			r = -ENOTDIR;
		else if (e && e != -ENOENT)
			r = e;
	}
	if (!r)
		r = od->ops->rename(od, oln.name, oln.len, nd, nln.name,
				    nln.len, noreplace);
	if (!r) {
		inode_touch(od, true);
		inode_touch(nd, true);
		inode_touch(oi, false);
	}
out:
	if (ni)
		inode_put(ni);
	if (oi)
		inode_put(oi);
	if (nd)
		inode_put(nd);
	inode_put(od);
	return r;
}

int vfs_link(struct inode *odir, const char *opath, struct inode *ndir,
	     const char *npath, bool follow)
{
	struct inode *oi, *d;
	struct lastname ln;
	int r = vfs_lookup(odir, opath, follow ? LOOKUP_FOLLOW : 0, &oi, NULL);
	if (r)
		return r;
	if (inode_isdir(oi)) {
		inode_put(oi);
		return -EPERM;
	}
	r = parent(ndir, npath, &d, &ln);
	if (!r) {
		if (!ln.len || is_dots(&ln))
			r = -EEXIST;
		else if (ln.slash)
			r = -ENOENT;
		else if (d->fs != oi->fs)
			r = -EXDEV;
		else if (!d->ops->link)
			r = -EPERM;
		else
			r = d->ops->link(d, ln.name, ln.len, oi);
		if (!r) {
			inode_touch(d, true);
			inode_touch(oi, false);
		}
		inode_put(d);
	}
	inode_put(oi);
	return r;
}

int vfs_symlink(const char *target, struct inode *dir, const char *path)
{
	struct inode *d, *i;
	struct lastname ln;
	if (!*target)
		return -ENOENT;
	int r = parent(dir, path, &d, &ln);
	if (r)
		return r;
	if (!ln.len || is_dots(&ln))
		r = -EEXIST;
	else if (ln.slash)
		r = -ENOENT;
	else
		r = d->ops->create(d, ln.name, ln.len, S_IFLNK | 0777, target,
				   &i);
	if (!r) {
		inode_touch(d, true);
		inode_put(i);
	}
	inode_put(d);
	return r;
}

long vfs_readlink(struct inode *dir, const char *path, char *buf, size_t n)
{
	struct inode *i;
	int r = vfs_lookup(dir, path, 0, &i, NULL);
	if (r)
		return r;
	long len = inode_islnk(i) && i->ops->readlink
			   ? i->ops->readlink(i, buf, n)
			   : -EINVAL;
	inode_put(i);
	return len;
}

int vfs_truncate(struct inode *i, uint64_t size)
{
	if (inode_isdir(i))
		return -EISDIR;
	if (!S_ISREG(i->mode) || !i->ops->truncate)
		return -EINVAL;
	int r = i->ops->truncate(i, size);
	if (!r)
		inode_touch(i, true);
	return r;
}
