/*
 * ext2/3/4's names (the core is ext.c): create (files, device nodes,
 * directories, symlinks), link, unlink and rmdir, rename, and readdir,
 * each under the file system's lock. Every change of names counts in
 * x->names, which voids ext.c's memo of the last name found missing;
 * an inode that loses its last name is freed here if no VFS inode
 * holds it, else when the last one goes (ext_evict).
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fs.h"
#include "ext.h"

static int name_z(char *buf, const char *name, size_t len)
{
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(buf, name, len);
	buf[len] = 0;
	return 0;
}

static int ftype(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFLNK:
		return EXT2_FT_SYMLINK;
	case S_IFCHR:
		return EXT2_FT_CHRDEV;
	case S_IFBLK:
		return EXT2_FT_BLKDEV;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	}
	return EXT2_FT_REG_FILE;
}

/* A name in dir for ino, the directory grown if it is full. */
static int add_link(struct extfs *x, ext2_ino_t dir, const char *name,
		    ext2_ino_t ino, unsigned mode)
{
	errcode_t e = ext2fs_link(x->e2, dir, name, ino, ftype(mode));
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(x->e2, dir);
		if (!e)
			e = ext2fs_link(x->e2, dir, name, ino, ftype(mode));
	}
	return ext_errno(e);
}

static int new_file(struct extfs *x, ext2_ino_t parent, const char *name,
		    unsigned mode, ext2_ino_t *out)
{
	ext2_ino_t ino;
	int r = ext_errno(ext2fs_new_inode(x->e2, parent, (int)mode, 0, &ino));
	if (r)
		return r;
	if ((r = add_link(x, parent, name, ino, mode)))
		return r;
	ext2fs_inode_alloc_stats2(x->e2, ino, +1, 0);
	struct ext2_inode_large di;
	memset(&di, 0, sizeof(di));
	di.i_mode = (uint16_t)mode;
	di.i_links_count = 1;
	di.i_extra_isize = sizeof(di) - EXT2_GOOD_OLD_INODE_SIZE;
	ext_stamp(&di, true, true);
	di.i_atime = di.i_mtime;
	if (ext2fs_has_feature_extents(x->e2->super)) {
		ext2_extent_handle_t h;
		/* An empty extent tree in i_block. */
		if (!ext2fs_extent_open2(x->e2, ino, (struct ext2_inode *)&di,
					 &h))
			ext2fs_extent_free(h);
	}
	r = ext_errno(
		ext2fs_write_new_inode(x->e2, ino, (struct ext2_inode *)&di));
	*out = ino;
	return r;
}

int ext_create(struct inode *dir, const char *name, size_t len, unsigned mode,
	       const char *target, struct inode **out)
{
	struct extfs *x = ext_of(dir);
	char nm[EXT2_NAME_LEN + 1];
	int r = name_z(nm, name, len);
	if (r)
		return r;
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	ext2_ino_t parent = (ext2_ino_t)dir->ino, ino;
	bool free_name = ext_miss_known(x, dir, name, len);
	x->names++;
	if (!free_name && !ext_do_lookup(x, dir, name, len, &ino)) {
		r = -EEXIST;
		goto out;
	}
	if (S_ISDIR(mode)) {
		errcode_t e = ext2fs_mkdir(x->e2, parent, 0, nm);
		if (e == EXT2_ET_DIR_NO_SPACE &&
		    !(e = ext2fs_expand_dir(x->e2, parent)))
			e = ext2fs_mkdir(x->e2, parent, 0, nm);
		if ((r = ext_errno(e)) ||
		    (r = ext_do_lookup(x, dir, name, len, &ino)))
			goto out;
	} else if (S_ISLNK(mode)) {
		errcode_t e = ext2fs_symlink(x->e2, parent, 0, nm, target);
		if (e == EXT2_ET_DIR_NO_SPACE &&
		    !(e = ext2fs_expand_dir(x->e2, parent)))
			e = ext2fs_symlink(x->e2, parent, 0, nm, target);
		if ((r = ext_errno(e)) ||
		    (r = ext_do_lookup(x, dir, name, len, &ino)))
			goto out;
	} else if ((r = new_file(x, parent, nm, mode, &ino))) {
		goto out;
	}
	/* mkdir and symlink chose their own mode bits: ours win (new_file
	 * wrote ours). */
	struct ext2_inode_large di;
	if ((S_ISDIR(mode) || S_ISLNK(mode)) &&
	    !(r = ext_read_di(x, ino, &di))) {
		di.i_mode = (uint16_t)((di.i_mode & S_IFMT) | (mode & 07777));
		r = ext_write_di(x, ino, &di);
	}
	if (!r)
		r = ext_iget(x, ino, out);
	ext_refresh(dir);
out:
	ext_unlock(x);
	return r;
}

int ext_link(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct extfs *x = ext_of(dir);
	char nm[EXT2_NAME_LEN + 1];
	int r = name_z(nm, name, len);
	if (r)
		return r;
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	x->names++;
	ext2_ino_t t;
	struct ext2_inode_large di;
	if (!ext_do_lookup(x, dir, name, len, &t))
		r = -EEXIST;
	else if (!(r = ext_read_di(x, (ext2_ino_t)ino->ino, &di)) &&
		 !(r = add_link(x, (ext2_ino_t)dir->ino, nm,
				(ext2_ino_t)ino->ino, di.i_mode))) {
		di.i_links_count++;
		ext_stamp(&di, false, true);
		r = ext_write_di(x, (ext2_ino_t)ino->ino, &di);
		ext_refresh(ino);
	}
	ext_unlock(x);
	return r;
}

static int count_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *d,
		       int offset, int blocksize, char *buf, void *priv)
{
	(void)dir;
	(void)d;
	(void)offset;
	(void)blocksize;
	(void)buf;
	if (entry == DIRENT_OTHER_FILE) {
		++*(int *)priv;
		return DIRENT_ABORT;
	}
	return 0;
}

static bool dir_empty(struct extfs *x, ext2_ino_t ino)
{
	int n = 0;
	ext2fs_dir_iterate2(x->e2, ino, 0, NULL, count_entry, &n);
	return n == 0;
}

/* The inode lost a name: its links down, freed now if nobody holds it
 * (else at evict). */
static int drop_link(struct extfs *x, ext2_ino_t ino, bool dir);

static int do_unlink(struct extfs *x, struct inode *dir, const char *name,
		     size_t len, int want_dir)
{
	char nm[EXT2_NAME_LEN + 1];
	ext2_ino_t ino;
	struct ext2_inode_large di;
	int r;
	if ((r = name_z(nm, name, len)) ||
	    (r = ext_do_lookup(x, dir, name, len, &ino)) ||
	    (r = ext_read_di(x, ino, &di)))
		return r;
	bool isdir = S_ISDIR(di.i_mode);
	if (want_dir >= 0 && isdir != (bool)want_dir)
		return isdir ? -EISDIR : -ENOTDIR;
	if (isdir && !dir_empty(x, ino))
		return -ENOTEMPTY;
	if ((r = ext_errno(
		     ext2fs_unlink(x->e2, (ext2_ino_t)dir->ino, nm, ino, 0))))
		return r;
	if (isdir) { /* its ".." no longer counts for the parent */
		struct ext2_inode_large pd;
		if (!ext_read_di(x, (ext2_ino_t)dir->ino, &pd)) {
			if (pd.i_links_count > 1)
				pd.i_links_count--;
			ext_stamp(&pd, true, true);
			ext_write_di(x, (ext2_ino_t)dir->ino, &pd);
		}
	}
	r = drop_link(x, ino, isdir);
	ext_refresh(dir);
	return r;
}

static struct inode *live(struct extfs *x, ext2_ino_t ino)
{
	for (struct dlist *l = x->live.next; l != &x->live; l = l->next) {
		struct ext_inode *e = container_of(l, struct ext_inode, link);
		if (e->vi->ino == ino)
			return e->vi;
	}
	return NULL;
}

/* Free the inode's blocks and the inode itself. */
int ext_release(struct extfs *x, ext2_ino_t ino)
{
	struct ext2_inode_large di;
	int r = ext_read_di(x, ino, &di);
	if (r)
		return r;
	if (ext2fs_inode_has_valid_blocks2(x->e2, (struct ext2_inode *)&di) ||
	    (di.i_flags & EXT4_INLINE_DATA_FL))
		ext2fs_punch(x->e2, ino, (struct ext2_inode *)&di, NULL, 0,
			     ~0ULL);
	if (ext2fs_file_acl_block(x->e2, (struct ext2_inode *)&di))
		ext2fs_free_ext_attr(x->e2, ino, &di);
	di.i_dtime = (uint32_t)(plat->wallclock_ns() / 1000000000ULL);
	di.i_links_count = 0;
	if ((r = ext_write_di(x, ino, &di)))
		return r;
	ext2fs_inode_alloc_stats2(x->e2, ino, -1, S_ISDIR(di.i_mode));
	return 0;
}

static int drop_link(struct extfs *x, ext2_ino_t ino, bool dir)
{
	struct ext2_inode_large di;
	int r = ext_read_di(x, ino, &di);
	if (r)
		return r;
	/* A directory's own "." went with it. */
	di.i_links_count =
		dir || di.i_links_count <= 1 ? 0 : di.i_links_count - 1;
	ext_stamp(&di, false, true);
	if ((r = ext_write_di(x, ino, &di)))
		return r;
	struct inode *vi = live(x, ino);
	if (vi) {
		ext_fill(vi, &di);
		return 0; /* freed when the last reference goes (evict) */
	}
	return di.i_links_count ? 0 : ext_release(x, ino);
}

int ext_unlink(struct inode *dir, const char *name, size_t len, bool dir_only)
{
	struct extfs *x = ext_of(dir);
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	x->names++;
	int r = do_unlink(x, dir, name, len, dir_only);
	ext_unlock(x);
	return r;
}

/* A moved directory's ".." names its new parent. */
struct dotdot {
	ext2_ino_t parent;
};

static int set_dotdot(ext2_ino_t dir, int entry, struct ext2_dir_entry *d,
		      int offset, int blocksize, char *buf, void *priv)
{
	(void)dir;
	(void)offset;
	(void)blocksize;
	(void)buf;
	if (entry != DIRENT_DOT_DOT_FILE)
		return 0;
	d->inode = ((struct dotdot *)priv)->parent;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

int ext_rename(struct inode *odir, const char *oname, size_t olen,
	       struct inode *ndir, const char *nname, size_t nlen,
	       bool noreplace)
{
	struct extfs *x = ext_of(odir);
	char on[EXT2_NAME_LEN + 1], nn[EXT2_NAME_LEN + 1];
	int r;
	if ((r = name_z(on, oname, olen)) || (r = name_z(nn, nname, nlen)))
		return r;
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	x->names++;
	ext2_ino_t ino, old;
	struct ext2_inode_large di;
	if ((r = ext_do_lookup(x, odir, oname, olen, &ino)) ||
	    (r = ext_read_di(x, ino, &di)))
		goto out;
	bool isdir = S_ISDIR(di.i_mode);
	if (!ext_do_lookup(x, ndir, nname, nlen, &old)) {
		if (old == ino)
			goto out; /* the same file: nothing to do */
		if (noreplace) {
			r = -EEXIST;
			goto out;
		}
		if ((r = do_unlink(x, ndir, nname, nlen, isdir)))
			goto out;
	}
	if ((r = add_link(x, (ext2_ino_t)ndir->ino, nn, ino, di.i_mode)) ||
	    (r = ext_errno(
		     ext2fs_unlink(x->e2, (ext2_ino_t)odir->ino, on, ino, 0))))
		goto out;
	if (isdir && odir != ndir) {
		struct dotdot dd = { (ext2_ino_t)ndir->ino };
		struct ext2_inode_large pd;
		ext2fs_dir_iterate2(x->e2, ino, DIRENT_FLAG_INCLUDE_EMPTY, NULL,
				    set_dotdot, &dd);
		if (!ext_read_di(x, (ext2_ino_t)odir->ino, &pd)) {
			pd.i_links_count--;
			ext_write_di(x, (ext2_ino_t)odir->ino, &pd);
		}
		if (!ext_read_di(x, (ext2_ino_t)ndir->ino, &pd)) {
			pd.i_links_count++;
			ext_write_di(x, (ext2_ino_t)ndir->ino, &pd);
		}
	}
	if (!ext_read_di(x, ino, &di)) {
		ext_stamp(&di, false, true);
		ext_write_di(x, ino, &di);
	}
	ext_refresh(odir);
	ext_refresh(ndir);
out:
	ext_unlock(x);
	return r;
}

/* readdir: the entries in the directory's order; the cookie counts
 * them (an entry's off is one past its index). */
struct rd {
	uint64_t skip, index;
	readdir_fn fn;
	void *ctx;
	bool stopped;
	uint64_t *off;
	struct inode *dir;
};

static unsigned dtype_of(int ft)
{
	static const unsigned t[] = {
		[EXT2_FT_REG_FILE] = DT_REG, [EXT2_FT_DIR] = DT_DIR,
		[EXT2_FT_CHRDEV] = DT_CHR,   [EXT2_FT_BLKDEV] = DT_BLK,
		[EXT2_FT_FIFO] = DT_FIFO,    [EXT2_FT_SOCK] = DT_SOCK,
		[EXT2_FT_SYMLINK] = DT_LNK,
	};
	return ft > 0 && ft < (int)ARRAY_SIZE(t) ? t[ft] : DT_UNKNOWN;
}

static int rd_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *d,
		    int offset, int blocksize, char *buf, void *priv)
{
	(void)dir;
	(void)offset;
	(void)blocksize;
	(void)buf;
	struct rd *c = priv;
	if (entry == DIRENT_CHECKSUM)
		return 0;
	uint64_t idx = c->index++;
	if (idx < c->skip)
		return 0;
	uint64_t ino = d->inode;
	if (entry == DIRENT_DOT_DOT_FILE && c->dir->covers)
		ino = c->dir->covers->ino; /* a mounted root: ".." is above */
	if (c->fn(c->ctx, d->name, (size_t)ext2fs_dirent_name_len(d), ino,
		  dtype_of(ext2fs_dirent_file_type(d)), idx + 1)) {
		c->stopped = true;
		return DIRENT_ABORT;
	}
	*c->off = idx + 1;
	return 0;
}

int ext_readdir(struct inode *dir, uint64_t *off, readdir_fn fn, void *ctx)
{
	struct extfs *x = ext_of(dir);
	struct rd c = { *off, 0, fn, ctx, false, off, dir };
	ext_lock(x);
	int r = ext_errno(ext2fs_dir_iterate2(x->e2, (ext2_ino_t)dir->ino, 0,
					      NULL, rd_entry, &c));
	ext_unlock(x);
	return r;
}
