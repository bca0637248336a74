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
	char *buf;	    /* big reads' and writes' (ext.c), under the lock */
	uint64_t names;	    /* changes of names so far (ext.c) */
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

/* ext.c */
int ext_errno(errcode_t e);

/* ext_io.c: libext2fs's I/O manager on a blkdev, named by the blkdev's
 * name; a small write-through cache of blocks. */
extern io_manager ext_io_manager;

#endif
