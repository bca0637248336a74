/*
 * ext2, ext3 and ext4 on a block device, read-write, through libext2fs
 * (Debian's e2fsprogs, built into the kernel: see the Makefile) and an
 * I/O manager of our own over the blkdev (ext_io.c). Each VFS inode
 * stands for one ext inode (same number); the disk is the truth, and
 * the VFS inode's size, mode, links and times are read from it whenever
 * an operation changed it.
 *
 * One lock per file system: libext2fs is not reentrant, and its calls
 * sleep in the block I/O; a second thread waits for the first.
 *
 * Writes are not journaled (libext2fs has no journal of its own, as
 * fuse2fs has none): a file system whose journal needs recovery is
 * refused (e2fsck it on the host first); a clean journal is left alone
 * and never replayed into. What reaches the disk: everything at fsync
 * (the file's data and inode, and all of libext2fs's metadata: bitmaps,
 * group descriptors, the superblock), at sync and at unmount (exit). A
 * stop in between loses what was not synced; e2fsck -fy repairs the
 * rest, which is why the file system is marked "not clean" while
 * mounted read-write, as Linux and fuse2fs do.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs.h"
#include "ext.h"

#define EXT_MAGIC 0xEF53
#define XFER	  (64 * 1024) /* bytes a write moves at a time */
#define BIG_XFER                                                               \
	(512 * 1024) /* blocks read or written at a time: blkfront's pool */

/* The lock: a thread that finds it held sleeps until it is let go. */
static void ext_lock(struct extfs *x)
{
	while (x->busy) {
		waitq_add(&x->lockq, current);
		current->state = T_BLOCKED;
		schedule();
	}
	x->busy = true;
}

static void ext_unlock(struct extfs *x)
{
	x->busy = false;
	wake_one(&x->lockq);
}

static struct extfs *X(struct inode *i)
{
	return i->fs->priv;
}

/* libext2fs's errcode_t as -errno. */
int ext_errno(errcode_t e)
{
	if (!e)
		return 0;
	if (e > 0 && e < 4096)
		return (int)-e; /* a plain errno */
	switch (e) {
	case EXT2_ET_FILE_NOT_FOUND:
		return -ENOENT;
	case EXT2_ET_DIR_EXISTS:
		return -EEXIST;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE_FOR_CSUM:
	case EXT2_ET_EA_NO_SPACE:
		return -ENOSPC;
	case EXT2_ET_NO_MEMORY:
		return -ENOMEM;
	case EXT2_ET_RO_FILSYS:
		return -EROFS;
	case EXT2_ET_FILE_TOO_BIG:
		return -EFBIG;
	case EXT2_ET_NO_DIRECTORY:
		return -ENOTDIR;
	case EXT2_ET_INVALID_ARGUMENT:
		return -EINVAL;
	}
	return -EIO;
}

static const struct inode_ops ext_iops;

/* Copy what the VFS shows from the disk inode. */
static void fill(struct inode *i, const struct ext2_inode_large *di)
{
	i->mode = di->i_mode;
	i->nlink = di->i_links_count;
	i->uid = inode_uid(*di);
	i->gid = inode_gid(*di);
	i->size = EXT2_I_SIZE(di);
	i->atime = (struct ktimespec){ di->i_atime, 0 };
	i->mtime = (struct ktimespec){ di->i_mtime, 0 };
	i->ctime = (struct ktimespec){ di->i_ctime, 0 };
	if (S_ISCHR(i->mode) || S_ISBLK(i->mode))
		i->rdev = di->i_block[0];
}

static int read_di(struct extfs *x, ext2_ino_t ino, struct ext2_inode_large *di)
{
	memset(di, 0, sizeof(*di));
	return ext_errno(ext2fs_read_inode_full(
		x->e2, ino, (struct ext2_inode *)di, sizeof(*di)));
}

static int write_di(struct extfs *x, ext2_ino_t ino,
		    struct ext2_inode_large *di)
{
	return ext_errno(ext2fs_write_inode_full(
		x->e2, ino, (struct ext2_inode *)di, sizeof(*di)));
}

/* The VFS inode of ino: the one already out, or a new one. */
static int iget(struct extfs *x, ext2_ino_t ino, struct inode **out)
{
	for (struct dlist *l = x->live.next; l != &x->live; l = l->next) {
		struct ext_inode *e = container_of(l, struct ext_inode, link);
		if (e->vi->ino == ino) {
			*out = inode_get(e->vi);
			return 0;
		}
	}
	struct ext2_inode_large di;
	int r = read_di(x, ino, &di);
	if (r)
		return r;
	struct ext_inode *e = kmalloc(sizeof(*e));
	struct inode *i = e ? inode_new(&x->fs, di.i_mode) : NULL;
	if (!i) {
		kfree(e);
		return -ENOMEM;
	}
	i->ops = &ext_iops;
	i->ino = ino;
	i->priv = e;
	e->vi = i;
	fill(i, &di);
	dlist_push(&x->live, &e->link);
	*out = i;
	return 0;
}

static int refresh(struct inode *i)
{
	struct ext2_inode_large di;
	int r = read_di(X(i), (ext2_ino_t)i->ino, &di);
	if (!r)
		fill(i, &di);
	return r;
}

static int name_z(char *buf, const char *name, size_t len)
{
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(buf, name, len);
	buf[len] = 0;
	return 0;
}

static int do_lookup(struct extfs *x, struct inode *dir, const char *name,
		     size_t len, ext2_ino_t *ino)
{
	return ext_errno(ext2fs_lookup(x->e2, (ext2_ino_t)dir->ino, name,
				       (int)len, NULL, ino));
}

/* The last name lookup found missing, while no name has changed since
 * (x->names counts the changes): open(O_CREAT) looks a name up, then
 * creates it, and the create need not scan the directory again to know
 * the name is free (each scan reads every block of the directory and
 * checks its checksum). Under the lock. */
static void miss_note(struct extfs *x, struct inode *dir, const char *name,
		      size_t len)
{
	x->miss.dir = dir->ino;
	x->miss.names = x->names;
	x->miss.len = len;
	memcpy(x->miss.name, name, len);
}

static bool miss_known(struct extfs *x, struct inode *dir, const char *name,
		       size_t len)
{
	return x->miss.names == x->names && x->miss.dir == dir->ino &&
	       x->miss.len == len && !memcmp(x->miss.name, name, len);
}

static int ext_lookup(struct inode *dir, const char *name, size_t len,
		      struct inode **out)
{
	struct extfs *x = X(dir);
	ext2_ino_t ino;
	ext_lock(x);
	int r = do_lookup(x, dir, name, len, &ino);
	if (!r)
		r = iget(x, ino, out);
	else if (r == -ENOENT && len <= EXT2_NAME_LEN)
		miss_note(x, dir, name, len);
	ext_unlock(x);
	return r;
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

static void stamp(struct ext2_inode_large *di, bool m, bool c)
{
	uint32_t now = (uint32_t)(plat->wallclock_ns() / 1000000000ULL);
	if (m)
		di->i_mtime = now;
	if (c)
		di->i_ctime = now;
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
	stamp(&di, true, true);
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

static int ext_create(struct inode *dir, const char *name, size_t len,
		      unsigned mode, const char *target, struct inode **out)
{
	struct extfs *x = X(dir);
	char nm[EXT2_NAME_LEN + 1];
	int r = name_z(nm, name, len);
	if (r)
		return r;
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	ext2_ino_t parent = (ext2_ino_t)dir->ino, ino;
	bool free_name = miss_known(x, dir, name, len);
	x->names++;
	if (!free_name && !do_lookup(x, dir, name, len, &ino)) {
		r = -EEXIST;
		goto out;
	}
	if (S_ISDIR(mode)) {
		errcode_t e = ext2fs_mkdir(x->e2, parent, 0, nm);
		if (e == EXT2_ET_DIR_NO_SPACE &&
		    !(e = ext2fs_expand_dir(x->e2, parent)))
			e = ext2fs_mkdir(x->e2, parent, 0, nm);
		if ((r = ext_errno(e)) ||
		    (r = do_lookup(x, dir, name, len, &ino)))
			goto out;
	} else if (S_ISLNK(mode)) {
		errcode_t e = ext2fs_symlink(x->e2, parent, 0, nm, target);
		if (e == EXT2_ET_DIR_NO_SPACE &&
		    !(e = ext2fs_expand_dir(x->e2, parent)))
			e = ext2fs_symlink(x->e2, parent, 0, nm, target);
		if ((r = ext_errno(e)) ||
		    (r = do_lookup(x, dir, name, len, &ino)))
			goto out;
	} else if ((r = new_file(x, parent, nm, mode, &ino))) {
		goto out;
	}
	/* mkdir and symlink chose their own mode bits: ours win (new_file
	 * wrote ours). */
	struct ext2_inode_large di;
	if ((S_ISDIR(mode) || S_ISLNK(mode)) && !(r = read_di(x, ino, &di))) {
		di.i_mode = (uint16_t)((di.i_mode & S_IFMT) | (mode & 07777));
		r = write_di(x, ino, &di);
	}
	if (!r)
		r = iget(x, ino, out);
	refresh(dir);
out:
	ext_unlock(x);
	return r;
}

static int ext_link(struct inode *dir, const char *name, size_t len,
		    struct inode *ino)
{
	struct extfs *x = X(dir);
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
	if (!do_lookup(x, dir, name, len, &t))
		r = -EEXIST;
	else if (!(r = read_di(x, (ext2_ino_t)ino->ino, &di)) &&
		 !(r = add_link(x, (ext2_ino_t)dir->ino, nm,
				(ext2_ino_t)ino->ino, di.i_mode))) {
		di.i_links_count++;
		stamp(&di, false, true);
		r = write_di(x, (ext2_ino_t)ino->ino, &di);
		refresh(ino);
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
	    (r = do_lookup(x, dir, name, len, &ino)) ||
	    (r = read_di(x, ino, &di)))
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
		if (!read_di(x, (ext2_ino_t)dir->ino, &pd)) {
			if (pd.i_links_count > 1)
				pd.i_links_count--;
			stamp(&pd, true, true);
			write_di(x, (ext2_ino_t)dir->ino, &pd);
		}
	}
	r = drop_link(x, ino, isdir);
	refresh(dir);
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
static int release(struct extfs *x, ext2_ino_t ino)
{
	struct ext2_inode_large di;
	int r = read_di(x, ino, &di);
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
	if ((r = write_di(x, ino, &di)))
		return r;
	ext2fs_inode_alloc_stats2(x->e2, ino, -1, S_ISDIR(di.i_mode));
	return 0;
}

static int drop_link(struct extfs *x, ext2_ino_t ino, bool dir)
{
	struct ext2_inode_large di;
	int r = read_di(x, ino, &di);
	if (r)
		return r;
	/* A directory's own "." went with it. */
	di.i_links_count =
		dir || di.i_links_count <= 1 ? 0 : di.i_links_count - 1;
	stamp(&di, false, true);
	if ((r = write_di(x, ino, &di)))
		return r;
	struct inode *vi = live(x, ino);
	if (vi) {
		fill(vi, &di);
		return 0; /* freed when the last reference goes (evict) */
	}
	return di.i_links_count ? 0 : release(x, ino);
}

static int ext_unlink(struct inode *dir, const char *name, size_t len,
		      bool dir_only)
{
	struct extfs *x = X(dir);
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

static int ext_rename(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen,
		      bool noreplace)
{
	struct extfs *x = X(odir);
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
	if ((r = do_lookup(x, odir, oname, olen, &ino)) ||
	    (r = read_di(x, ino, &di)))
		goto out;
	bool isdir = S_ISDIR(di.i_mode);
	if (!do_lookup(x, ndir, nname, nlen, &old)) {
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
		if (!read_di(x, (ext2_ino_t)odir->ino, &pd)) {
			pd.i_links_count--;
			write_di(x, (ext2_ino_t)odir->ino, &pd);
		}
		if (!read_di(x, (ext2_ino_t)ndir->ino, &pd)) {
			pd.i_links_count++;
			write_di(x, (ext2_ino_t)ndir->ino, &pd);
		}
	}
	if (!read_di(x, ino, &di)) {
		stamp(&di, false, true);
		write_di(x, ino, &di);
	}
	refresh(odir);
	refresh(ndir);
out:
	ext_unlock(x);
	return r;
}

/* The file's blocks [lblk, lblk + n) into buf (n blocks) through its
 * extent tree: each extent's part in one transfer (io_channel_read_blk64
 * of several blocks goes to the device at once, the cache's dirty
 * blocks laid over what it read), holes and unwritten extents as
 * zeros. libext2fs's ext2fs_file_read maps and reads a block per call:
 * a 1 KiB round trip through the cache for every block, and a miss's
 * read-ahead of a window at a time. */
static int read_extents(struct extfs *x, ext2_ino_t ino,
			struct ext2_inode_large *di, blk64_t lblk, unsigned n,
			char *buf)
{
	ext2_filsys fs = x->e2;
	size_t bs = fs->blocksize;
	ext2_extent_handle_t h;
	errcode_t e = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)di, &h);
	if (e)
		return ext_errno(e);
	while (n && !e) {
		struct ext2fs_extent ex;
		unsigned run = 1;
		e = ext2fs_extent_goto2(h, 0, lblk);
		if (!e)
			e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
		if (e == EXT2_ET_EXTENT_NOT_FOUND) {
			memset(buf, 0, bs); /* a hole: a block at a time */
			e = 0;
		} else if (!e) {
			run = (unsigned)MIN(n, ex.e_lblk + ex.e_len - lblk);
			if (ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT)
				memset(buf, 0, run * bs);
			else
				e = io_channel_read_blk64(
					fs->io, ex.e_pblk + (lblk - ex.e_lblk),
					(int)run, buf);
		}
		lblk += run;
		n -= run;
		buf += run * bs;
	}
	ext2fs_extent_free(h);
	return ext_errno(e);
}

/* A read of a file with extents, BIG_XFER at a time through the file
 * system's buffer (under the lock). Bytes read, or -errno. */
static long read_direct(struct extfs *x, struct inode *i,
			struct ext2_inode_large *di, struct uio *u,
			uint64_t off)
{
	uint64_t size = EXT2_I_SIZE(di);
	size_t bs = x->e2->blocksize;
	long done = 0;
	if (!x->buf && !(x->buf = malloc(BIG_XFER)))
		return -ENOMEM;
	while (u->resid && off + done < size) {
		uint64_t at = off + (uint64_t)done;
		size_t skip = at % bs, n = (size_t)MIN(u->resid, size - at);
		unsigned nblk =
			(unsigned)MIN((skip + n + bs - 1) / bs, BIG_XFER / bs);
		n = MIN(n, nblk * bs - skip);
		int r = read_extents(x, (ext2_ino_t)i->ino, di, at / bs, nblk,
				     x->buf);
		if (!r && uio_copy_to(u, x->buf + skip, n) < (long)n)
			r = -EFAULT;
		if (r)
			return done ? done : r;
		done += (long)n;
	}
	return done;
}

/* n blocks of buf to the file's blocks from lblk, extent by extent, as
 * long as they are written (initialized) extents: the blocks done, fewer
 * at a hole or an unwritten extent (libext2fs's file calls fill and
 * convert those), or -errno. */
static long write_extents(struct extfs *x, ext2_ino_t ino,
			  struct ext2_inode_large *di, blk64_t lblk, unsigned n,
			  const char *buf)
{
	ext2_filsys fs = x->e2;
	size_t bs = fs->blocksize;
	ext2_extent_handle_t h;
	errcode_t e = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)di, &h);
	long done = 0;
	if (e)
		return ext_errno(e);
	while ((unsigned)done < n) {
		struct ext2fs_extent ex;
		e = ext2fs_extent_goto2(h, 0, lblk + (blk64_t)done);
		if (!e)
			e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
		if (e || (ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT))
			break;
		blk64_t at = lblk + (blk64_t)done;
		unsigned run = (unsigned)MIN(n - (unsigned)done,
					     ex.e_lblk + ex.e_len - at);
		if ((e = io_channel_write_blk64(fs->io,
						ex.e_pblk + (at - ex.e_lblk),
						(int)run, buf + done * bs)))
			break;
		done += run;
	}
	ext2fs_extent_free(h);
	return e && e != EXT2_ET_EXTENT_NOT_FOUND ? ext_errno(e) : done;
}

/* n bytes of buf at byte at through libext2fs's file calls: the bytes
 * written, or -errno. */
static long api_write(struct extfs *x, ext2_ino_t ino, uint64_t at,
		      const char *buf, size_t n)
{
	ext2_file_t f;
	unsigned got = 0;
	errcode_t e = ext2fs_file_open(x->e2, ino, EXT2_FILE_WRITE, &f);
	if (e)
		return ext_errno(e);
	if (!(e = ext2fs_file_llseek(f, at, EXT2_SEEK_SET, NULL)))
		e = ext2fs_file_write(f, buf, (unsigned)n, &got);
	errcode_t c = ext2fs_file_close(f);
	e = e ? e : c;
	return got ? (long)got : ext_errno(e);
}

/* The whole blocks at the start of a write at a block boundary, to a
 * file with extents, BIG_XFER at a time straight to the device, where
 * they overwrite written blocks, or past the file's last block (there
 * allocated first, in one ext2fs_fallocate call, as written extents:
 * the data goes out now, the metadata that points at it sits in the
 * write-back cache, just used, so it goes out later, and a crash in
 * between loses the blocks rather than showing what they held
 * before). What is left (holes, unwritten extents, a partial block)
 * goes through libext2fs's file calls, which map, allocate and write
 * the inode for every block. The bytes written (the rest of the write
 * is the caller's), or -errno. */
static long write_direct(struct extfs *x, struct inode *i, struct uio *u,
			 uint64_t off, uint32_t now)
{
	ext2_filsys fs = x->e2;
	size_t bs = fs->blocksize;
	ext2_ino_t ino = (ext2_ino_t)i->ino;
	struct ext2_inode_large di;
	long done = 0, r = 0;
	if (off % bs || u->resid < bs || (r = read_di(x, ino, &di)))
		return r;
	if (!(di.i_flags & EXT4_EXTENTS_FL) ||
	    (di.i_flags & EXT4_INLINE_DATA_FL))
		return 0;
	if (!x->buf && !(x->buf = malloc(BIG_XFER)))
		return -ENOMEM;
	while (u->resid >= bs) {
		uint64_t at = off + (uint64_t)done, size = EXT2_I_SIZE(&di);
		unsigned nb = (unsigned)MIN(u->resid / bs, BIG_XFER / bs);
		long c = uio_copy_from(u, x->buf, nb * bs), k = 0;
		if (c <= 0) {
			r = c ? c : -EFAULT;
			break;
		}
		unsigned whole = (unsigned)((size_t)c / bs);
		if (whole && at >= ALIGN_UP(size, bs)) {
			errcode_t e = ext2fs_fallocate(
				fs,
				EXT2_FALLOCATE_FORCE_INIT |
					EXT2_FALLOCATE_INIT_BEYOND_EOF,
				ino, (struct ext2_inode *)&di, ~0ULL, at / bs,
				whole);
			if (e) {
				/* What it did allocate is past the end:
				 * given back. */
				ext2fs_punch(fs, ino, (struct ext2_inode *)&di,
					     NULL, ALIGN_UP(size, bs) / bs,
					     ~0ULL);
				r = ext_errno(e);
				break;
			}
		}
		if (whole && (k = write_extents(x, ino, &di, at / bs, whole,
						x->buf)) < 0) {
			ext2fs_punch(fs, ino, (struct ext2_inode *)&di, NULL,
				     ALIGN_UP(size, bs) / bs, ~0ULL);
			r = k;
			break;
		}
		size_t rest = (size_t)c - (size_t)k * bs;
		if (at + (size_t)k * bs > size)
			ext2fs_inode_size_set(fs, (struct ext2_inode *)&di,
					      at + (size_t)k * bs);
		di.i_mtime = di.i_ctime = now;
		if ((r = write_di(x, ino, &di)))
			break;
		if (rest) {
			long w = api_write(x, ino, at + (size_t)k * bs,
					   x->buf + k * bs, rest);
			if (w > 0)
				done += w;
			r = read_di(x, ino, &di);
			if (w < (long)rest || r) {
				r = r ? r : w < 0 ? w : 0;
				done += k * (long)bs;
				break;
			}
		}
		done += k * (long)bs;
		if (c < (long)(nb * bs))
			break; /* the program's memory ended */
	}
	return done ? done : r;
}

/* Move between the file and the program, XFER bytes at a time through a
 * kernel buffer (libext2fs's own reads and writes are kernel memory);
 * reads of files with extents go by read_direct. */
static long xfer(struct inode *i, struct uio *u, uint64_t off, bool write)
{
	struct extfs *x = X(i);
	if (write && x->ro)
		return -EROFS;
	if (!u->resid)
		return 0;
	if (!write) {
		struct ext2_inode_large di;
		ext_lock(x);
		long r = read_di(x, (ext2_ino_t)i->ino, &di);
		bool direct = !r && (di.i_flags & EXT4_EXTENTS_FL) &&
			      !(di.i_flags & EXT4_INLINE_DATA_FL);
		if (direct)
			r = read_direct(x, i, &di, u, off);
		ext_unlock(x);
		if (r || direct)
			return r;
	}
	size_t bufsz = MIN(u->resid, XFER); /* small writes, small buffers */
	char *buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	ext_lock(x);
	ext2_file_t f;
	long done = 0, r;
	/* The times go with the inode writes libext2fs makes anyway (a new
	 * size, a new block); only a write that made none writes them. */
	uint32_t now = (uint32_t)(plat->wallclock_ns() / 1000000000ULL);
	if (write && (done = write_direct(x, i, u, off, now)) < 0) {
		r = done;
		done = 0;
		goto out;
	}
	if (!u->resid) {
		r = 0;
		goto written;
	}
	if ((r = ext_errno(ext2fs_file_open(x->e2, (ext2_ino_t)i->ino,
					    write ? EXT2_FILE_WRITE : 0, &f))))
		goto written;
	if (write) {
		struct ext2_inode *fi = ext2fs_file_get_inode(f);
		fi->i_mtime = fi->i_ctime = now;
	}
	while (u->resid) {
		size_t n = MIN(u->resid, bufsz);
		unsigned got = 0;
		if ((r = ext_errno(ext2fs_file_llseek(f, off + done,
						      EXT2_SEEK_SET, NULL))))
			break;
		if (write) {
			long c = uio_copy_from(u, buf, n);
			if (c <= 0) {
				r = c ? c : -EFAULT;
				break;
			}
			r = ext_errno(
				ext2fs_file_write(f, buf, (unsigned)c, &got));
		} else {
			r = ext_errno(
				ext2fs_file_read(f, buf, (unsigned)n, &got));
			if (!r && got && uio_copy_to(u, buf, got) < (long)got)
				r = -EFAULT;
		}
		done += got;
		if (r || got < n)
			break;
	}
	long c = ext_errno(ext2fs_file_close(f));
	if (!r)
		r = c;
written:
	if (write && done) {
		struct ext2_inode_large di;
		if (!read_di(x, (ext2_ino_t)i->ino, &di) &&
		    (di.i_mtime != now || di.i_ctime != now)) {
			di.i_mtime = di.i_ctime = now;
			write_di(x, (ext2_ino_t)i->ino, &di);
		}
	}
	refresh(i);
out:
	ext_unlock(x);
	free(buf);
	return done ? done : r;
}

static long ext_read(struct inode *i, struct uio *u, uint64_t off)
{
	return xfer(i, u, off, false);
}

static long ext_write(struct inode *i, struct uio *u, uint64_t off)
{
	return xfer(i, u, off, true);
}

static int ext_truncate(struct inode *i, uint64_t size)
{
	struct extfs *x = X(i);
	if (x->ro)
		return -EROFS;
	ext_lock(x);
	ext2_file_t f;
	int r = ext_errno(ext2fs_file_open(x->e2, (ext2_ino_t)i->ino,
					   EXT2_FILE_WRITE, &f));
	if (!r) {
		r = ext_errno(ext2fs_file_set_size2(f, size));
		int c = ext_errno(ext2fs_file_close(f));
		r = r ? r : c;
	}
	struct ext2_inode_large di;
	if (!r && !read_di(x, (ext2_ino_t)i->ino, &di)) {
		stamp(&di, true, true);
		write_di(x, (ext2_ino_t)i->ino, &di);
	}
	refresh(i);
	ext_unlock(x);
	return r;
}

static long ext_readlink(struct inode *i, char *buf, size_t n)
{
	struct extfs *x = X(i);
	struct ext2_inode_large di;
	ext_lock(x);
	long r = read_di(x, (ext2_ino_t)i->ino, &di);
	if (r)
		goto out;
	size_t len = EXT2_I_SIZE(&di);
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&di)) {
		r = (long)MIN(len, n);
		memcpy(buf, di.i_block, (size_t)r);
	} else if (di.i_flags & EXT4_INLINE_DATA_FL) {
		char tmp[EXT4_MIN_INLINE_DATA_SIZE * 4];
		size_t sz = sizeof(tmp);
		if (!(r = ext_errno(ext2fs_inline_data_get(
			      x->e2, (ext2_ino_t)i->ino,
			      (struct ext2_inode *)&di, tmp, &sz)))) {
			r = (long)MIN(MIN(len, sz), n);
			memcpy(buf, tmp, (size_t)r);
		}
	} else {
		ext2_file_t f;
		unsigned got = 0;
		if (!(r = ext_errno(ext2fs_file_open(x->e2, (ext2_ino_t)i->ino,
						     0, &f)))) {
			r = ext_errno(ext2fs_file_read(
				f, buf, (unsigned)MIN(len, n), &got));
			ext2fs_file_close(f);
			if (!r)
				r = got;
		}
	}
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

static int ext_readdir(struct inode *dir, uint64_t *off, readdir_fn fn,
		       void *ctx)
{
	struct extfs *x = X(dir);
	struct rd c = { *off, 0, fn, ctx, false, off, dir };
	ext_lock(x);
	int r = ext_errno(ext2fs_dir_iterate2(x->e2, (ext2_ino_t)dir->ino, 0,
					      NULL, rd_entry, &c));
	ext_unlock(x);
	return r;
}

static void ext_evict(struct inode *i)
{
	struct extfs *x = X(i);
	struct ext_inode *e = i->priv;
	ext_lock(x);
	dlist_remove(&e->link);
	if (!x->ro && x->e2) {
		struct ext2_inode_large di;
		if (!read_di(x, (ext2_ino_t)i->ino, &di) && !di.i_links_count &&
		    di.i_mode)
			release(x, (ext2_ino_t)i->ino);
	}
	ext_unlock(x);
	kfree(e);
}

static int ext_setattr(struct inode *i)
{
	struct extfs *x = X(i);
	if (x->ro)
		return -EROFS;
	struct ext2_inode_large di;
	ext_lock(x);
	int r = read_di(x, (ext2_ino_t)i->ino, &di);
	if (!r) {
		di.i_mode = (uint16_t)i->mode;
		di.i_uid = (uint16_t)i->uid;
		ext2fs_set_i_uid_high(di, i->uid >> 16);
		di.i_gid = (uint16_t)i->gid;
		ext2fs_set_i_gid_high(di, i->gid >> 16);
		di.i_atime = (uint32_t)i->atime.sec;
		di.i_mtime = (uint32_t)i->mtime.sec;
		di.i_ctime = (uint32_t)i->ctime.sec;
		r = write_di(x, (ext2_ino_t)i->ino, &di);
	}
	ext_unlock(x);
	return r;
}

static int ext_fsync(struct inode *i)
{
	return ext_sync(i->fs);
}

static const struct inode_ops ext_iops = {
	.lookup = ext_lookup,
	.create = ext_create,
	.link = ext_link,
	.unlink = ext_unlink,
	.rename = ext_rename,
	.readlink = ext_readlink,
	.read = ext_read,
	.write = ext_write,
	.truncate = ext_truncate,
	.readdir = ext_readdir,
	.evict = ext_evict,
	.setattr = ext_setattr,
	.fsync = ext_fsync,
};

/* libext2fs 1.47.0's punch (punch_extent_blocks) refuses to free a run
 * that ends at the file system's last block (its bounds check is one
 * off): the run leaves the file but stays marked in use, and e2fsck
 * finds it leaked (a file that filled the disk, then deleted). So the
 * last block, if free at mount, is held in the bitmap in memory only
 * (nothing allocates it; the free counts are not touched) and let go
 * around every write of the bitmaps (ext2fs_flush), so that the disk
 * says what is true. */
static void last_hold(struct extfs *x, bool hold)
{
	if (!x->last_held)
		return;
	blk64_t last = ext2fs_blocks_count(x->e2->super) - 1;
	if (hold)
		ext2fs_mark_block_bitmap2(x->e2->block_map, last);
	else
		ext2fs_unmark_block_bitmap2(x->e2->block_map, last);
}

static int flush_fs(struct extfs *x)
{
	last_hold(x, false);
	errcode_t e = ext2fs_flush(x->e2);
	last_hold(x, true);
	return ext_errno(e);
}

int ext_sync(struct fs *fs)
{
	struct extfs *x = fs->priv;
	if (x->ro || !x->e2)
		return 0;
	ext_lock(x);
	int r = flush_fs(x);
	int f = x->dev->ops->flush(x->dev);
	ext_unlock(x);
	return r ? r : f;
}

static void ext_space(struct fs *fs, uint64_t *total, uint64_t *avail)
{
	struct extfs *x = fs->priv;
	uint64_t bs = x->e2->blocksize;
	*total = ext2fs_blocks_count(x->e2->super) * bs / KPAGE_SIZE;
	*avail = ext2fs_free_blocks_count(x->e2->super) * bs / KPAGE_SIZE;
}

int ext_mount(struct blkdev *dev, bool ro, struct fs **out)
{
	struct extfs *x = kmalloc(sizeof(*x));
	if (!x)
		return -ENOMEM;
	dlist_init(&x->live);
	x->dev = dev;
	x->buf = NULL;
	x->last_held = false;
	x->names = 1; /* the memo of misses (0) names nothing yet */
	x->miss.names = 0;
	x->ro = ro || dev->readonly;
	int flags = EXT2_FLAG_64BITS | (x->ro ? 0 : EXT2_FLAG_RW);
	ext_lock(x);
	errcode_t e = ext2fs_open2(dev->name, NULL, flags, 0, 0, ext_io_manager,
				   &x->e2);
	if (e == EXT2_ET_RO_UNSUPP_FEATURE && !x->ro) {
		printk("atman: ext: %s: features this libext2fs cannot write: "
		       "mounted read-only\n",
		       dev->name);
		x->ro = true;
		e = ext2fs_open2(dev->name, NULL, EXT2_FLAG_64BITS, 0, 0,
				 ext_io_manager, &x->e2);
	}
	int r = 0;
	if (e) {
		printk("atman: ext: %s: not an ext2/3/4 file system we can "
		       "open (error %ld)\n",
		       dev->name, (long)e);
		r = e == EXT2_ET_BAD_MAGIC ? -EINVAL : ext_errno(e);
		goto fail;
	}
	struct ext2_super_block *sb = x->e2->super;
	if (ext2fs_has_feature_journal_needs_recovery(sb)) {
		printk("atman: ext: %s: its journal needs recovery, which "
		       "AtmanOS does not do: run e2fsck on it first\n",
		       dev->name);
		r = -EUCLEAN;
		goto close;
	}
	if (ext2fs_has_feature_mmp(sb)) {
		printk("atman: ext: %s: multiple-mount protection is not "
		       "supported\n",
		       dev->name);
		r = -EOPNOTSUPP;
		goto close;
	}
	if ((r = ext_errno(ext2fs_read_bitmaps(x->e2))))
		goto close;
	if (!x->ro &&
	    !ext2fs_test_block_bitmap2(x->e2->block_map,
				       ext2fs_blocks_count(x->e2->super) - 1)) {
		x->last_held = true;
		last_hold(x, true);
	}
	if (!(sb->s_state & EXT2_VALID_FS))
		printk("atman: ext: %s: was not cleanly unmounted (e2fsck -fy "
		       "it on the host if in doubt)\n",
		       dev->name);
	if (!x->ro) {
		if (ext2fs_has_feature_journal(sb))
			printk("atman: ext: %s: writes are not journaled (the "
			       "journal is left as it is)\n",
			       dev->name);
		/* Not clean while mounted: a stop before the unmount
		 * leaves it for e2fsck, as Linux does. */
		sb->s_state &= ~EXT2_VALID_FS;
		sb->s_mtime = (uint32_t)(plat->wallclock_ns() / 1000000000ULL);
		ext2fs_mark_super_dirty(x->e2);
		if ((r = flush_fs(x)) || (r = dev->ops->flush(dev)))
			goto close;
	}
	x->fs = (struct fs){ .type = "ext4",
			     .magic = EXT_MAGIC,
			     .dev = makedev(dev->major, dev->minor),
			     .space = ext_space,
			     .sync = ext_sync,
			     .evict_unused = true,
			     .readonly = x->ro,
			     .priv = x };
	ext_unlock(x);
	r = iget(x, EXT2_ROOT_INO, &x->fs.root);
	if (r) {
		ext_lock(x);
		goto close;
	}
	*out = &x->fs;
	return 0;
close:
	last_hold(x, false);
	ext2fs_close2(x->e2, 0);
	x->e2 = NULL;
fail:
	ext_unlock(x);
	kfree(x);
	return r;
}

int ext_unmount(struct fs *fs)
{
	struct extfs *x = fs->priv;
	if (!x->e2)
		return 0;
	ext_lock(x);
	int r = 0;
	if (!x->ro) {
		x->e2->super->s_state |= EXT2_VALID_FS;
		ext2fs_mark_super_dirty(x->e2);
	}
	last_hold(x, false);
	r = ext_errno(ext2fs_close2(x->e2, 0)); /* flushes */
	x->e2 = NULL;
	free(x->buf);
	x->buf = NULL;
	if (!x->ro) {
		int f = x->dev->ops->flush(x->dev);
		r = r ? r : f;
	}
	x->ro = fs->readonly = true; /* nothing more to write */
	ext_unlock(x);
	return r;
}
