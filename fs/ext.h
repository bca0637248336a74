/*
 * fs/ext*.c: ext2/3/4 through libext2fs. Only these files see
 * libext2fs's headers; the rest of fs/ knows ext_mount and
 * ext_unmount (fs.h).
 */
#ifndef ATMAN_FS_EXT_H
#define ATMAN_FS_EXT_H

#include <sys/types.h>
#include <ext2fs/ext2fs.h>

#include "fs.h"

struct extfs {
	struct fs fs; /* priv is this extfs */
	ext2_filsys e2;
	struct blkdev *dev;
	bool ro;
	bool last_held;	    /* the last block, held (ext.c: last_hold) */
	bool busy;	    /* the lock (ext.c) */
	struct waitq lockq; /* who waits for it */
	struct dlist live;  /* struct ext_inode: the VFS inodes out */
	char *buf;	    /* ext_data.c's big transfers, under the lock */
	uint64_t names;	    /* changes of names so far (ext_dir.c) */
	struct {	    /* the last name found missing (ext.c) */
		uint64_t dir, names;
		size_t len;
		char name[EXT2_NAME_LEN];
	} miss;
};

struct ext_inode {
	struct dlist link;
	struct inode *vi;
};

/* The file system an inode is on. */
static inline struct extfs *ext_of(struct inode *i)
{
	return i->fs->priv;
}

/* ext.c: the core. ext_lock and ext_unlock: the file system's lock,
 * held around every call into libext2fs. ext_read_di and ext_write_di
 * move a whole disk inode; ext_fill copies what the VFS shows from one,
 * ext_refresh reads the VFS inode's again; ext_stamp sets mtime and/or
 * ctime to now; ext_iget gives the VFS inode of an ext inode (the one
 * out, or a new one); ext_do_lookup finds a name in a directory;
 * ext_miss_known: lookup found this name missing and no name has
 * changed since (ext_create need not look again). */
int ext_errno(errcode_t e);
void ext_lock(struct extfs *x);
void ext_unlock(struct extfs *x);
int ext_read_di(struct extfs *x, ext2_ino_t ino, struct ext2_inode_large *di);
int ext_write_di(struct extfs *x, ext2_ino_t ino, struct ext2_inode_large *di);
void ext_fill(struct inode *i, const struct ext2_inode_large *di);
int ext_refresh(struct inode *i);
void ext_stamp(struct ext2_inode_large *di, bool m, bool c);
int ext_iget(struct extfs *x, ext2_ino_t ino, struct inode **out);
int ext_do_lookup(struct extfs *x, struct inode *dir, const char *name,
		  size_t len, ext2_ino_t *ino);
bool ext_miss_known(struct extfs *x, struct inode *dir, const char *name,
		    size_t len);

/* ext_dir.c: the names, as inode_ops (fs.h); ext_release frees an
 * inode's blocks and the inode itself (under the lock). */
int ext_create(struct inode *dir, const char *name, size_t len, unsigned mode,
	       const char *target, struct inode **out);
int ext_link(struct inode *dir, const char *name, size_t len,
	     struct inode *ino);
int ext_unlink(struct inode *dir, const char *name, size_t len, bool dir_only);
int ext_rename(struct inode *odir, const char *oname, size_t olen,
	       struct inode *ndir, const char *nname, size_t nlen,
	       bool noreplace);
int ext_readdir(struct inode *dir, uint64_t *off, readdir_fn fn, void *ctx);
int ext_release(struct extfs *x, ext2_ino_t ino);

/* ext_data.c: the contents of files, as inode_ops (fs.h). */
long ext_read(struct inode *i, struct uio *u, uint64_t off);
long ext_write(struct inode *i, struct uio *u, uint64_t off);
int ext_truncate(struct inode *i, uint64_t size);
long ext_readlink(struct inode *i, char *buf, size_t n);

/* ext_io.c: libext2fs's I/O manager on a blkdev, named by the blkdev's
 * name; a small write-back cache of blocks. */
extern io_manager ext_io_manager;

#endif
