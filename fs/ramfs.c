/*
 * ramfs: files in memory, for / and /tmp. A file's data are whole pages
 * from the page pool, found as ext2 finds blocks: 16 direct slots, one
 * page of 512 slots, one page of 512 such pages (1 GiB and a bit); a
 * slot never written is a hole and reads as zeros. Truncating and
 * deleting give pages back at once. A write that would leave fewer than
 * RAMFS_RESERVE free pages gets ENOSPC (a short write if some went in),
 * so a full file system never starves the kernel. Directories are lists
 * of entries, each with a cookie for getdents64's offset: 0 is ".", 1
 * "..", then increasing, so a listing survives entries going away.
 * Symlink targets are stored as file data.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "fs.h"

#define NDIRECT	       16
#define NPTRS	       (KPAGE_SIZE / sizeof(uintptr_t))
#define IND_BASE       NDIRECT
#define DIND_BASE      (IND_BASE + NPTRS)
#define NSLOTS	       (DIND_BASE + NPTRS * NPTRS)
#define RAMFS_MAX_SIZE ((uint64_t)NSLOTS * KPAGE_SIZE)
#define COOKIE_FIRST   2 /* after "." and ".." */

struct rnode {
	/* directories */
	struct dlist entries;
	uint64_t next_cookie;
	struct inode *parent; /* NULL once removed; the root: itself */
	/* files and symlinks */
	uintptr_t direct[NDIRECT];
	uintptr_t ind, dind;
};

struct rdent {
	struct dlist link;
	struct inode *ino;
	uint64_t cookie;
	size_t len;
	char name[];
};

static const struct inode_ops ramfs_ops;
static const uint8_t zeros[KPAGE_SIZE];
static uint64_t ramfs_devs;

static uintptr_t ram_page(void)
{
	if (page_avail() < RAMFS_RESERVE)
		return 0;
	return page_alloc();
}

static void drop(uintptr_t *slot)
{
	if (*slot) {
		page_free(*slot);
		*slot = 0;
	}
}

/* The slot of page idx; with alloc, index pages are made on the way.
 * NULL: past the largest file, or no memory for an index page. */
static uintptr_t *slot(struct rnode *n, uint64_t idx, bool alloc)
{
	if (idx < IND_BASE)
		return &n->direct[idx];
	uintptr_t *top;
	if (idx < DIND_BASE) {
		top = &n->ind;
		idx -= IND_BASE;
	} else if (idx < NSLOTS) {
		idx -= DIND_BASE;
		if (!n->dind && !(alloc && (n->dind = ram_page())))
			return NULL;
		top = &((uintptr_t *)n->dind)[idx / NPTRS];
		idx %= NPTRS;
	} else
		return NULL;
	if (!*top && !(alloc && (*top = ram_page())))
		return NULL;
	return &((uintptr_t *)*top)[idx];
}

/* Give back every page from index first on, and index pages left empty. */
static void free_from(struct rnode *n, uint64_t first)
{
	for (uint64_t i = first; i < NDIRECT; i++)
		drop(&n->direct[i]);
	if (n->ind) {
		uintptr_t *t = (uintptr_t *)n->ind;
		for (uint64_t i = first > IND_BASE ? first - IND_BASE : 0;
		     i < NPTRS; i++)
			drop(&t[i]);
		if (first <= IND_BASE)
			drop(&n->ind);
	}
	if (n->dind) {
		uintptr_t *t = (uintptr_t *)n->dind;
		for (uint64_t j = 0; j < NPTRS; j++) {
			uint64_t lo = DIND_BASE + j * NPTRS;
			if (!t[j] || first >= lo + NPTRS)
				continue;
			uintptr_t *l2 = (uintptr_t *)t[j];
			for (uint64_t i = first > lo ? first - lo : 0;
			     i < NPTRS; i++)
				drop(&l2[i]);
			if (first <= lo)
				drop(&t[j]);
		}
		if (first <= DIND_BASE)
			drop(&n->dind);
	}
}

static long ramfs_read(struct inode *ino, struct uio *u, uint64_t off)
{
	struct rnode *n = ino->priv;
	if (off >= ino->size)
		return 0;
	size_t want = MIN(u->resid, ino->size - off), done = 0;
	while (done < want) {
		uintptr_t *s = slot(n, off / KPAGE_SIZE, false);
		size_t po = off % KPAGE_SIZE;
		size_t k = MIN(KPAGE_SIZE - po, want - done);
		const uint8_t *src = s && *s ? (uint8_t *)*s + po : zeros;
		long c = uio_copy_to(u, src, k);
		if (c < 0)
			return done ? (long)done : c;
		done += c;
		off += c;
		if ((size_t)c < k)
			break;
	}
	return done;
}

static long ramfs_write(struct inode *ino, struct uio *u, uint64_t off)
{
	struct rnode *n = ino->priv;
	if (off >= RAMFS_MAX_SIZE)
		return u->resid ? -EFBIG : 0;
	size_t want = MIN(u->resid, RAMFS_MAX_SIZE - off), done = 0;
	long err = 0;
	while (done < want) {
		uintptr_t *s = slot(n, off / KPAGE_SIZE, true);
		if (!s || (!*s && !(*s = ram_page()))) {
			err = -ENOSPC;
			break;
		}
		size_t po = off % KPAGE_SIZE;
		size_t k = MIN(KPAGE_SIZE - po, want - done);
		long c = uio_copy_from(u, (uint8_t *)*s + po, k);
		if (c < 0) {
			err = c;
			break;
		}
		done += c;
		off += c;
		if (off > ino->size)
			ino->size = off;
		if ((size_t)c < k)
			break;
	}
	return done ? (long)done : err;
}

static int ramfs_truncate(struct inode *ino, uint64_t size)
{
	struct rnode *n = ino->priv;
	if (size > RAMFS_MAX_SIZE)
		return -EFBIG;
	if (size < ino->size) {
		free_from(n, ALIGN_UP(size, KPAGE_SIZE) / KPAGE_SIZE);
		uintptr_t *s = slot(n, size / KPAGE_SIZE, false);
		if (size % KPAGE_SIZE && s && *s) /* what a regrow reads */
			memset((uint8_t *)*s + size % KPAGE_SIZE, 0,
			       KPAGE_SIZE - size % KPAGE_SIZE);
	}
	ino->size = size;
	return 0;
}

static long ramfs_readlink(struct inode *ino, char *buf, size_t len)
{
	struct iovec v = { buf, MIN(len, ino->size) };
	struct uio u;
	uio_init(&u, &v, 1, v.iov_len, true);
	return ramfs_read(ino, &u, 0);
}

static struct rdent *find(struct inode *dir, const char *name, size_t len)
{
	struct rnode *n = dir->priv;
	for (struct dlist *l = n->entries.next; l != &n->entries; l = l->next) {
		struct rdent *e = container_of(l, struct rdent, link);
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static int ramfs_lookup(struct inode *dir, const char *name, size_t len,
			struct inode **out)
{
	struct rnode *n = dir->priv;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (!n->parent)
			return -ENOENT; /* a removed directory */
		*out = inode_get(n->parent);
		return 0;
	}
	struct rdent *e = find(dir, name, len);
	if (!e)
		return -ENOENT;
	*out = inode_get(e->ino);
	return 0;
}

static struct rdent *dent_new(struct inode *dir, const char *name, size_t len,
			      struct inode *ino)
{
	struct rdent *e = kmalloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	struct rnode *n = dir->priv;
	e->ino = ino;
	e->len = len;
	memcpy(e->name, name, len);
	e->cookie = n->next_cookie++;
	dlist_init(&e->link);
	return e;
}

static void dent_add(struct inode *dir, struct rdent *e)
{
	struct rnode *n = dir->priv;
	dlist_push(&n->entries, &e->link);
	dir->size += 1;
}

static void dent_remove(struct inode *dir, struct rdent *e)
{
	dlist_remove(&e->link);
	dir->size -= 1;
	kfree(e);
}

static struct inode *ramfs_inode(struct fs *fs, unsigned mode)
{
	struct inode *i = inode_new(fs, mode);
	struct rnode *n = kmalloc(sizeof(*n));
	if (!i || !n) {
		kfree(i);
		kfree(n);
		return NULL;
	}
	dlist_init(&n->entries);
	n->next_cookie = COOKIE_FIRST;
	i->priv = n;
	i->ops = &ramfs_ops;
	return i;
}

static int ramfs_create(struct inode *dir, const char *name, size_t len,
			unsigned mode, const char *target, struct inode **out)
{
	if (!((struct rnode *)dir->priv)->parent)
		return -ENOENT; /* the directory was removed */
	if (find(dir, name, len))
		return -EEXIST;
	struct inode *i = ramfs_inode(dir->fs, mode);
	if (!i)
		return -ENOSPC;
	struct rdent *e = dent_new(dir, name, len, i);
	if (!e)
		goto nospace;
	if (target) {
		struct iovec v = { (void *)target, strlen(target) };
		struct uio u;
		uio_init(&u, &v, 1, v.iov_len, false);
		if (ramfs_write(i, &u, 0) != (long)v.iov_len) {
			kfree(e);
			goto nospace;
		}
	}
	if (inode_isdir(i)) {
		((struct rnode *)i->priv)->parent = dir;
		i->nlink = 2;
		dir->nlink++;
	} else
		i->nlink = 1;
	dent_add(dir, e);
	*out = i;
	return 0;
nospace:
	inode_put(i); /* nlink 0: evicted */
	return -ENOSPC;
}

static int ramfs_link(struct inode *dir, const char *name, size_t len,
		      struct inode *ino)
{
	if (!((struct rnode *)dir->priv)->parent)
		return -ENOENT;
	if (find(dir, name, len))
		return -EEXIST;
	struct rdent *e = dent_new(dir, name, len, ino);
	if (!e)
		return -ENOSPC;
	ino->nlink++;
	dent_add(dir, e);
	return 0;
}

/* Take e out of dir: the inode goes when nobody holds it either. */
static int rm_entry(struct inode *dir, struct rdent *e)
{
	struct inode *i = e->ino;
	if (inode_isdir(i) && !dlist_empty(&((struct rnode *)i->priv)->entries))
		return -ENOTEMPTY;
	inode_get(i); /* until the entry is gone */
	if (inode_isdir(i)) {
		((struct rnode *)i->priv)->parent = NULL;
		dir->nlink--;
		i->nlink = 0;
	} else
		i->nlink--;
	dent_remove(dir, e);
	inode_put(i);
	return 0;
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len,
			bool dir_only)
{
	struct rdent *e = find(dir, name, len);
	if (!e)
		return -ENOENT;
	if (inode_isdir(e->ino) != dir_only)
		return dir_only ? -ENOTDIR : -EISDIR;
	return rm_entry(dir, e);
}

static int ramfs_rename(struct inode *od, const char *on, size_t ol,
			struct inode *nd, const char *nn, size_t nl,
			bool noreplace)
{
	struct rdent *e = find(od, on, ol), *old = find(nd, nn, nl);
	if (!e || !((struct rnode *)nd->priv)->parent)
		return -ENOENT;
	if (old && noreplace)
		return -EEXIST;
	struct rdent *ne = dent_new(nd, nn, nl, e->ino);
	if (!ne)
		return -ENOSPC;
	if (old) {
		int r = rm_entry(nd, old);
		if (r) {
			kfree(ne);
			return r;
		}
	}
	struct inode *i = e->ino;
	dent_remove(od, e);
	dent_add(nd, ne);
	if (inode_isdir(i) && od != nd) {
		((struct rnode *)i->priv)->parent = nd;
		od->nlink--;
		nd->nlink++;
	}
	return 0;
}

static unsigned dtype(unsigned mode)
{
	return (mode >> 12) & 017; /* DT_* is S_IFMT >> 12 */
}

static int ramfs_readdir(struct inode *dir, uint64_t *off, readdir_fn fn,
			 void *ctx)
{
	struct rnode *n = dir->priv;
	if (*off == 0) {
		if (fn(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*off = 1;
	}
	if (*off == 1) {
		struct inode *p = n->parent ? n->parent : dir;
		if (dir->covers) /* a mounted root: ".." is above the mount */
			p = dir->covers;
		if (fn(ctx, "..", 2, p->ino, DT_DIR, 2))
			return 0;
		*off = 2;
	}
	for (struct dlist *l = n->entries.next; l != &n->entries; l = l->next) {
		struct rdent *e = container_of(l, struct rdent, link);
		if (e->cookie < *off)
			continue;
		if (fn(ctx, e->name, e->len, e->ino->ino, dtype(e->ino->mode),
		       e->cookie + 1))
			return 0;
		*off = e->cookie + 1;
	}
	return 0;
}

static void ramfs_evict(struct inode *ino)
{
	struct rnode *n = ino->priv;
	kassert(dlist_empty(&n->entries));
	free_from(n, 0);
	kfree(n);
}

static const struct inode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.readlink = ramfs_readlink,
	.read = ramfs_read,
	.write = ramfs_write,
	.truncate = ramfs_truncate,
	.readdir = ramfs_readdir,
	.evict = ramfs_evict,
};

static void ramfs_space(struct fs *fs, uint64_t *total, uint64_t *avail)
{
	(void)fs;
	*total = pages.total_pages;
	size_t free = page_avail();
	*avail = free > RAMFS_RESERVE ? free - RAMFS_RESERVE : 0;
}

struct fs *ramfs_new(void)
{
	struct fs *fs = kmalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	fs->type = "ramfs";
	fs->magic = RAMFS_MAGIC;
	fs->dev = ++ramfs_devs;
	fs->space = ramfs_space;
	fs->root = ramfs_inode(fs, S_IFDIR | 0755);
	if (!fs->root) {
		kfree(fs);
		return NULL;
	}
	struct rnode *n = fs->root->priv;
	n->parent = fs->root;
	fs->root->nlink = 2;
	return fs;
}
