/*
 * ext2, ext3 and ext4 on a block device, read-write, through libext2fs
 * (Debian's e2fsprogs, built into the kernel: see the Makefile) and an
 * I/O manager of our own over the blkdev (ext_io.c). Each VFS inode
 * stands for one ext inode (same number); the disk is the truth, and
 * the VFS inode's size, mode, links and times are read from it whenever
 * an operation changed it.
 *
 * This file is the core: the lock, inodes in and out of the disk,
 * lookup, attributes, sync, mount and unmount, and the ops table; the
 * names in directories are ext_dir.c's, the contents of files
 * ext_data.c's.
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
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs.h"
#include "ext.h"

#define EXT_MAGIC 0xEF53

/* The lock: a thread that finds it held sleeps until it is let go. */
void ext_lock(struct extfs *x)
{
	while (x->busy) {
		waitq_add(&x->lockq, current);
		current->state = T_BLOCKED;
		schedule();
	}
	x->busy = true;
}

void ext_unlock(struct extfs *x)
{
	x->busy = false;
	wake_one(&x->lockq);
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
void ext_fill(struct inode *i, const struct ext2_inode_large *di)
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

int ext_read_di(struct extfs *x, ext2_ino_t ino, struct ext2_inode_large *di)
{
	memset(di, 0, sizeof(*di));
	return ext_errno(ext2fs_read_inode_full(
		x->e2, ino, (struct ext2_inode *)di, sizeof(*di)));
}

int ext_write_di(struct extfs *x, ext2_ino_t ino, struct ext2_inode_large *di)
{
	return ext_errno(ext2fs_write_inode_full(
		x->e2, ino, (struct ext2_inode *)di, sizeof(*di)));
}

void ext_stamp(struct ext2_inode_large *di, bool m, bool c)
{
	uint32_t now = (uint32_t)(plat->wallclock_ns() / 1000000000ULL);
	if (m)
		di->i_mtime = now;
	if (c)
		di->i_ctime = now;
}

/* The VFS inode of ino: the one already out, or a new one. */
int ext_iget(struct extfs *x, ext2_ino_t ino, struct inode **out)
{
	for (struct dlist *l = x->live.next; l != &x->live; l = l->next) {
		struct ext_inode *e = container_of(l, struct ext_inode, link);
		if (e->vi->ino == ino) {
			*out = inode_get(e->vi);
			return 0;
		}
	}
	struct ext2_inode_large di;
	int r = ext_read_di(x, ino, &di);
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
	ext_fill(i, &di);
	dlist_push(&x->live, &e->link);
	*out = i;
	return 0;
}

int ext_refresh(struct inode *i)
{
	struct ext2_inode_large di;
	int r = ext_read_di(ext_of(i), (ext2_ino_t)i->ino, &di);
	if (!r)
		ext_fill(i, &di);
	return r;
}

int ext_do_lookup(struct extfs *x, struct inode *dir, const char *name,
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

bool ext_miss_known(struct extfs *x, struct inode *dir, const char *name,
		    size_t len)
{
	return x->miss.names == x->names && x->miss.dir == dir->ino &&
	       x->miss.len == len && !memcmp(x->miss.name, name, len);
}

static int ext_lookup(struct inode *dir, const char *name, size_t len,
		      struct inode **out)
{
	struct extfs *x = ext_of(dir);
	ext2_ino_t ino;
	ext_lock(x);
	int r = ext_do_lookup(x, dir, name, len, &ino);
	if (!r)
		r = ext_iget(x, ino, out);
	else if (r == -ENOENT && len <= EXT2_NAME_LEN)
		miss_note(x, dir, name, len);
	ext_unlock(x);
	return r;
}

static void ext_evict(struct inode *i)
{
	struct extfs *x = ext_of(i);
	struct ext_inode *e = i->priv;
	ext_lock(x);
	dlist_remove(&e->link);
	if (!x->ro && x->e2) {
		struct ext2_inode_large di;
		if (!ext_read_di(x, (ext2_ino_t)i->ino, &di) &&
		    !di.i_links_count && di.i_mode)
			ext_release(x, (ext2_ino_t)i->ino);
	}
	ext_unlock(x);
	kfree(e);
}

static int ext_setattr(struct inode *i)
{
	struct extfs *x = ext_of(i);
	if (x->ro)
		return -EROFS;
	struct ext2_inode_large di;
	ext_lock(x);
	int r = ext_read_di(x, (ext2_ino_t)i->ino, &di);
	if (!r) {
		di.i_mode = (uint16_t)i->mode;
		di.i_uid = (uint16_t)i->uid;
		ext2fs_set_i_uid_high(di, i->uid >> 16);
		di.i_gid = (uint16_t)i->gid;
		ext2fs_set_i_gid_high(di, i->gid >> 16);
		di.i_atime = (uint32_t)i->atime.sec;
		di.i_mtime = (uint32_t)i->mtime.sec;
		di.i_ctime = (uint32_t)i->ctime.sec;
		r = ext_write_di(x, (ext2_ino_t)i->ino, &di);
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
	r = ext_iget(x, EXT2_ROOT_INO, &x->fs.root);
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
