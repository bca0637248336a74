/*
 * The VFS: inodes with a reference count, path lookup (".", "..",
 * symlinks, mounts), the mount table and the current directory. An
 * inode lives while someone holds a reference (an open file, the cwd, a
 * lookup in progress) or a directory names it (nlink); when both are
 * gone its file system frees it (evict).
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs.h"

struct inode *vfs_root, *vfs_cwd;

#define MOUNT_MAX 16
static struct mount {
	struct inode *point; /* the covered directory */
	struct fs *fs;
} mounts[MOUNT_MAX];

static struct ktimespec vfs_now(void)
{
	uint64_t ns = plat ? plat->wallclock_ns() : 0;
	return (struct ktimespec){ ns / 1000000000, ns % 1000000000 };
}

struct inode *inode_new(struct fs *fs, unsigned mode)
{
	struct inode *i = kmalloc(sizeof(*i));
	if (!i)
		return NULL;
	i->fs = fs;
	i->refs = 1;
	i->mode = mode;
	i->ino = ++fs->next_ino;
	i->atime = i->mtime = i->ctime = vfs_now();
	return i;
}

struct inode *inode_get(struct inode *ino)
{
	kassert(ino->refs > 0 || ino->nlink > 0);
	ino->refs++;
	return ino;
}

void inode_put(struct inode *ino)
{
	kassert(ino->refs > 0);
	if (--ino->refs || (ino->nlink && !ino->fs->evict_unused))
		return;
	if (ino->ops && ino->ops->evict)
		ino->ops->evict(ino);
	kfree(ino);
}

void inode_touch(struct inode *ino, bool data)
{
	ino->ctime = vfs_now();
	if (data)
		ino->mtime = ino->ctime;
}

/* One step from dir (a directory) to name in it: ".", "..", mounts. */
static int step(struct inode *dir, const char *name, size_t len,
		struct inode **out)
{
	if (len == 1 && name[0] == '.') {
		*out = inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir == vfs_root) { /* ".." at the root is the root */
			*out = inode_get(dir);
			return 0;
		}
		while (dir->covers) /* a mounted root: up from its mount point */
			dir = dir->covers;
	}
	struct inode *n;
	int r = dir->ops->lookup(dir, name, len, &n);
	if (r)
		return r;
	while (n->mounted) {
		struct inode *m = inode_get(n->mounted);
		inode_put(n);
		n = m;
	}
	*out = n;
	return 0;
}

static int walk(struct inode *dir, const char *p, unsigned flags, int *links,
		int depth, struct inode **out, struct lastname *last);

/* What the symlink ln in dir names. A link inside the target nests (a
 * recursive walk, NEST_MAX deep); a link the target ends in is followed
 * here, in a loop, as Linux does, so a chain of links costs no depth. */
static int follow(struct inode *dir, struct inode *ln, int *links, int depth,
		  struct inode **out)
{
	char *t = (char *)page_alloc();
	if (!t)
		return -ENOMEM;
	struct lastname *last = kmalloc(sizeof(*last));
	if (!last) {
		page_free((uintptr_t)t);
		return -ENOMEM;
	}
	dir = inode_get(dir);
	ln = inode_get(ln);
	int r;
	for (;;) {
		if (++*links > SYMLINK_MAX || depth >= NEST_MAX) {
			r = -ELOOP;
			break;
		}
		if (ln->ops->get_link) {
			r = ln->ops->get_link(ln, out);
			break;
		}
		long n = ln->ops->readlink
				 ? ln->ops->readlink(ln, t, PATH_MAX_K - 1)
				 : -EINVAL;
		r = n < 0 ? (int)n : n ? 0 : -ENOENT;
		if (r)
			break;
		t[n] = 0;
		struct inode *d, *next;
		r = walk(dir, t, LOOKUP_PARENT, links, depth + 1, &d, last);
		if (r)
			break;
		inode_put(dir);
		dir = d;
		if (!last->len) { /* "/" or "dir/": the directory itself */
			inode_put(ln);
			*out = inode_get(d);
			break;
		}
		r = step(d, last->name, last->len, &next);
		if (r)
			break;
		inode_put(ln);
		ln = next;
		if (!inode_islnk(next)) {
			if (last->slash && !inode_isdir(next))
				r = -ENOTDIR;
			else
				*out = inode_get(next);
			break;
		}
	}
	inode_put(ln);
	inode_put(dir);
	kfree(last);
	page_free((uintptr_t)t);
	return r;
}

static int walk(struct inode *dir, const char *p, unsigned flags, int *links,
		int depth, struct inode **out, struct lastname *last)
{
	if (!*p)
		return -ENOENT;
	struct inode *cur = inode_get(*p == '/' ? vfs_root : dir);
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) { /* "/", or a path ending in slashes */
			if (last)
				last->len = 0;
			*out = cur;
			return 0;
		}
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = p - name;
		bool slash = *p == '/';
		while (*p == '/')
			p++;
		bool final = !*p;
		int r = 0;
		if (len > NAME_MAX_K)
			r = -ENAMETOOLONG;
		else if (!inode_isdir(cur))
			r = -ENOTDIR;
		if (!r && final && (flags & LOOKUP_PARENT)) {
			memcpy(last->name, name, len);
			last->name[len] = 0;
			last->len = len;
			last->slash = slash;
			*out = cur;
			return 0;
		}
		struct inode *next = NULL;
		if (!r)
			r = step(cur, name, len, &next);
		if (!r && inode_islnk(next) &&
		    (!final || slash || (flags & LOOKUP_FOLLOW))) {
			struct inode *t = NULL;
			r = follow(cur, next, links, depth, &t);
			inode_put(next);
			next = r ? NULL : t;
		}
		inode_put(cur);
		if (r)
			return r;
		cur = next;
		if (final) {
			if (slash && !inode_isdir(cur)) {
				inode_put(cur);
				return -ENOTDIR;
			}
			*out = cur;
			return 0;
		}
	}
}

int vfs_lookup(struct inode *dir, const char *path, unsigned flags,
	       struct inode **out, struct lastname *last)
{
	int links = 0;
	kassert(!(flags & LOOKUP_PARENT) || last);
	return walk(dir ? dir : vfs_cwd, path, flags, &links, 0, out, last);
}

int vfs_mount(const char *path, struct fs *fs)
{
	if (!vfs_root) { /* the first mount is the root */
		vfs_root = inode_get(fs->root);
		vfs_cwd = inode_get(fs->root);
		mounts[0] = (struct mount){ NULL, fs };
		return 0;
	}
	struct inode *d;
	int r = vfs_lookup(vfs_root, path, LOOKUP_FOLLOW, &d, NULL);
	if (r)
		return r;
	for (int i = 0; i < MOUNT_MAX; i++) {
		if (mounts[i].fs)
			continue;
		if (!inode_isdir(d) || d->mounted) {
			inode_put(d);
			return inode_isdir(d) ? -EBUSY : -ENOTDIR;
		}
		mounts[i] = (struct mount){ d, fs }; /* keeps d's reference */
		d->mounted = inode_get(fs->root);
		fs->root->covers = d;
		return 0;
	}
	inode_put(d);
	return -ENOMEM;
}

int vfs_sync(void)
{
	int err = 0, r;
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].fs && mounts[i].fs->sync &&
		    (r = mounts[i].fs->sync(mounts[i].fs)) && !err)
			err = r;
	for (struct blkdev *d = blkdev_first(); d; d = d->next)
		if ((r = d->ops->flush(d)) && !err)
			err = r;
	return err;
}

int vfs_chdir(struct inode *dir)
{
	if (!inode_isdir(dir))
		return -ENOTDIR;
	struct inode *old = vfs_cwd;
	vfs_cwd = inode_get(dir);
	inode_put(old);
	return 0;
}

/* getcwd: up through "..", finding each directory's name in its parent
 * by its inode number. */
struct findname {
	uint64_t ino;
	char *name;
	size_t len;
};

static int findname_fn(void *ctx, const char *name, size_t len, uint64_t ino,
		       unsigned type, uint64_t off)
{
	(void)type;
	(void)off;
	struct findname *f = ctx;
	if (ino != f->ino || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	memcpy(f->name, name, len);
	f->len = len;
	return 1;
}

long vfs_getcwd(char *buf, size_t n)
{
	char *tmp = (char *)page_alloc();
	if (!tmp)
		return -ENOMEM;
	size_t pos = PATH_MAX_K; /* built backwards in tmp */
	struct inode *cur = inode_get(vfs_cwd);
	long r = 0;
	while (cur != vfs_root && !r) {
		struct inode *d = cur;
		while (d->covers)
			d = d->covers;
		struct inode *up;
		r = step(d, "..", 2, &up);
		if (r)
			break;
		char name[NAME_MAX_K + 1];
		struct findname f = { d->ino, name, 0 };
		uint64_t off = 0;
		struct inode *ud = up;
		while (ud->mounted) /* up is a mounted root: list it */
			ud = ud->mounted;
		if (ud->ops->readdir)
			ud->ops->readdir(ud, &off, findname_fn, &f);
		if (!f.len || f.len + 1 > pos) {
			r = f.len ? -ENAMETOOLONG : -ENOENT; /* unlinked */
			inode_put(up);
			break;
		}
		pos -= f.len;
		memcpy(tmp + pos, name, f.len);
		tmp[--pos] = '/';
		inode_put(cur);
		cur = up;
	}
	inode_put(cur);
	if (!r) {
		if (pos == PATH_MAX_K)
			tmp[--pos] = '/';
		size_t len = PATH_MAX_K - pos;
		if (len + 1 > n)
			r = -ERANGE;
		else {
			memcpy(buf, tmp + pos, len);
			buf[len] = 0;
			r = len + 1;
		}
	}
	page_free((uintptr_t)tmp);
	return r;
}

int vfs_mkdir_p(const char *path, unsigned mode)
{
	char p[256];
	size_t n = strnlen(path, sizeof(p));
	if (n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		char c = p[i];
		p[i] = 0;
		int r = vfs_mkdir(vfs_root, p, mode);
		p[i] = c;
		if (r && r != -EEXIST)
			return r;
	}
	return 0;
}

void vfs_init(void)
{
	struct fs *root = ramfs_new(), *tmp = ramfs_new();
	if (!root || !tmp)
		panic("no memory for the root file system");
	vfs_mount("/", root);
	vfs_mkdir(vfs_root, "/tmp", 01777);
	int r = vfs_mount("/tmp", tmp);
	if (r)
		panic("mounting /tmp: %d", r);
}
