/*
 * libext2fs's I/O manager on our block devices: the channel's name is
 * the blkdev's ("xvda"). A write-back cache of CACHE_SLOTS blocks
 * (WAYS-way set-associative, least recently used out first) sits in
 * front of the device:
 *
 * - a one-block write (how libext2fs writes inodes, directories, file
 *   data, extent blocks) only fills its slot and marks it dirty; a
 *   dirty slot goes to the device when another block needs the slot,
 *   at flush (ext2fs_flush: fsync, sync, unmount), or when the block
 *   size changes. A dirty block goes out with the dirty blocks that
 *   follow it on the disk in one transfer (up to RUN blocks);
 * - a one-block read that misses reads ahead: AHEAD_BYTES when it
 *   continues the last window (libext2fs reads files block by block),
 *   AHEAD_SMALL blocks elsewhere; what was read ahead takes only free
 *   slots, and a dirty slot is never overwritten by what the disk has;
 * - larger reads and writes (bitmaps, tables, the superblock) go to the
 *   device at once, the slots they cover brought up to date (a read
 *   gets the dirty slots' newer bytes laid over what the disk had).
 *
 * So nothing is on the device before a flush but what eviction wrote;
 * flush writes every dirty block, then asks the device to make it all
 * stable.
 */
#include <errno.h>

#include "ext.h"

#define CACHE_SLOTS 1024
#define WAYS	    8 /* set-associative: a block may sit in WAYS slots */
#define SETS	    (CACHE_SLOTS / WAYS)
#define AHEAD_BYTES (128 * 1024) /* read at a sequential miss */
#define AHEAD_SMALL 4		 /* blocks read at any other miss */
#define RUN_BYTES   (256 * 1024) /* dirty blocks written in one transfer */
#define STREAMS	    4		 /* recent windows remembered: reads in order */
#define IO_MAGIC    EXT2_ET_MAGIC_IO_CHANNEL

struct slot {
	unsigned long long blk;
	bool valid, dirty;
	uint64_t used; /* when last used: the least recent goes first */
	char *data;    /* block_size bytes */
};

struct chan {
	struct blkdev *dev;
	struct slot slot[CACHE_SLOTS]; /* SETS sets of WAYS */
	uint64_t clock;
	unsigned long long ahead_next[STREAMS]; /* after recent windows */
	unsigned ahead_i;
	uint64_t hits, misses, writebacks;
};

/* The slot holding blk, or NULL. */
static struct slot *find(struct chan *c, unsigned long long blk)
{
	struct slot *set = &c->slot[(blk % SETS) * WAYS];
	for (unsigned w = 0; w < WAYS; w++)
		if (set[w].valid && set[w].blk == blk) {
			set[w].used = ++c->clock;
			return &set[w];
		}
	return NULL;
}

/* The slot blk would take: a free one, else the least recently used. */
static struct slot *victim(struct chan *c, unsigned long long blk)
{
	struct slot *set = &c->slot[(blk % SETS) * WAYS], *v = &set[0];
	for (unsigned w = 0; w < WAYS; w++) {
		if (!set[w].valid)
			return &set[w];
		if (set[w].used < v->used)
			v = &set[w];
	}
	return v;
}

static errcode_t io_err(int r)
{
	return r == -EROFS ? EXT2_ET_RO_FILSYS : r ? EIO : 0;
}

/* The dirty slot s to the device, with the dirty blocks after it. */
static int writeback(io_channel io, struct slot *s)
{
	struct chan *c = io->private_data;
	size_t bs = io->block_size;
	unsigned n = 1, run = MIN(RUN_BYTES / bs, CACHE_SLOTS / 2);
	struct slot *t;
	while (n < run && (t = find(c, s->blk + n)) && t->dirty)
		n++;
	char *buf = n > 1 ? malloc(n * bs) : s->data;
	if (!buf) {
		buf = s->data;
		n = 1;
	}
	if (n > 1)
		for (unsigned k = 0; k < n; k++)
			memcpy(buf + k * bs, find(c, s->blk + k)->data, bs);
	int r = c->dev->ops->rw(c->dev, true, s->blk * bs, buf, n * bs);
	if (buf != s->data)
		free(buf);
	/* Clean either way: a block the disk refused stays refused (the
	 * error goes up; retrying for ever would hang). */
	for (unsigned k = 0; k < n; k++)
		find(c, s->blk + k)->dirty = false;
	c->writebacks++;
	return r;
}

static int flush_dirty(io_channel io)
{
	struct chan *c = io->private_data;
	int err = 0;
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct slot *s = &c->slot[i];
		if (s->valid && s->dirty) {
			int r = writeback(io, s);
			if (r && !err)
				err = r;
		}
	}
	return err;
}

static void cache_drop(struct chan *c)
{
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		free(c->slot[i].data);
		c->slot[i].data = NULL;
		c->slot[i].valid = c->slot[i].dirty = false;
	}
}

/* The slot for blk: the one holding it, or one made free (a dirty
 * block of another number written first). 0, or -errno (then no slot
 * is to be used). */
static int claim(io_channel io, unsigned long long blk, struct slot **out)
{
	struct chan *c = io->private_data;
	struct slot *s = find(c, blk);
	if (!s) {
		s = victim(c, blk);
		if (s->valid && s->dirty) {
			int r = writeback(io, s);
			if (r)
				return r;
		}
		s->valid = s->dirty = false;
	}
	if (!s->data && !(s->data = malloc(io->block_size)))
		return -ENOMEM;
	s->used = ++c->clock;
	*out = s;
	return 0;
}

/* What the disk has for blk, into a slot unless one holds newer bytes
 * of blk. Read ahead (speculative), it takes a clean slot and is the
 * least recent of its set until it is asked for: what libext2fs keeps
 * asking for (the directory, the inode table) is not pushed out by
 * windows it may never read. */
static void keep(io_channel io, unsigned long long blk, const void *data,
		 bool speculative)
{
	struct chan *c = io->private_data;
	struct slot *s = find(c, blk);
	if (s && s->dirty)
		return;
	if (!s && speculative) {
		/* Only a clean slot, and it stays the first to go until
		 * someone asks for it (find makes it recent). */
		s = victim(c, blk);
		if (s->valid && s->dirty)
			return;
		if (!s->data && !(s->data = malloc(io->block_size)))
			return;
		s->used = 0;
	} else if (!s && claim(io, blk, &s)) {
		return;
	}
	memcpy(s->data, data, io->block_size);
	s->blk = blk;
	s->valid = true;
	s->dirty = false;
}

static errcode_t io_open(const char *name, int flags, io_channel *out)
{
	struct blkdev *d = blkdev_find(name);
	if (!d)
		return ENODEV;
	if ((flags & IO_FLAG_RW) && d->readonly)
		return EROFS;
	io_channel io = calloc(1, sizeof(*io));
	struct chan *c = calloc(1, sizeof(*c));
	char *nm = malloc(strlen(name) + 1);
	if (!io || !c || !nm) {
		free(io);
		free(c);
		free(nm);
		return EXT2_ET_NO_MEMORY;
	}
	memcpy(nm, name, strlen(name) + 1);
	c->dev = d;
	io->magic = IO_MAGIC;
	io->manager = ext_io_manager;
	io->name = nm;
	io->block_size = 1024;
	io->refcount = 1;
	io->flags = flags;
	io->private_data = c;
	*out = io;
	return 0;
}

static errcode_t io_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	struct chan *c = io->private_data;
	int r = flush_dirty(io);
	cache_drop(c);
	free(c);
	free(io->name);
	free(io);
	return io_err(r);
}

static errcode_t io_set_blksize(io_channel io, int bs)
{
	struct chan *c = io->private_data;
	if (bs <= 0 || (unsigned)bs % c->dev->sector_size)
		return EXT2_ET_INVALID_ARGUMENT;
	if (io->block_size != bs) {
		int r = flush_dirty(io);
		cache_drop(c);
		if (r)
			return io_err(r);
	}
	io->block_size = bs;
	return 0;
}

/* count > 0: blocks; count < 0: -count bytes (libext2fs's rule). */
static errcode_t span(io_channel io, unsigned long long blk, int count,
		      uint64_t *off, size_t *len)
{
	struct chan *c = io->private_data;
	*off = blk * (uint64_t)io->block_size;
	*len = count < 0 ? (size_t)-count : (size_t)count * io->block_size;
	if (*len % c->dev->sector_size)
		return EXT2_ET_INVALID_ARGUMENT;
	if (*off > c->dev->size || *len > c->dev->size - *off)
		return EXT2_ET_LLSEEK_FAILED; /* past the device */
	return 0;
}

/* A single block missed: read the AHEAD_BYTES window around it in
 * one transfer and keep every block of it. 0, or -errno. */
static int read_ahead(io_channel io, unsigned long long blk)
{
	struct chan *c = io->private_data;
	uint64_t bs = io->block_size;
	/* A miss right after a recent window's end: reading in order (the
	 * metadata's misses in between are other streams), a big window;
	 * anywhere else, a few blocks. */
	unsigned i = 0;
	while (i < STREAMS && c->ahead_next[i] != blk)
		i++;
	bool seq = i < STREAMS;
	unsigned ahead = seq ? MAX(1, MIN(AHEAD_BYTES / bs, CACHE_SLOTS / 2))
			     : AHEAD_SMALL;
	unsigned long long first = seq ? blk : blk - blk % ahead;
	if (!seq)
		i = c->ahead_i++ % STREAMS;
	c->ahead_next[i] = first + ahead;
	uint64_t end = MIN((first + ahead) * bs, ALIGN_DOWN(c->dev->size, bs));
	if (end <= first * bs)
		return -EINVAL;
	size_t len = end - first * bs;
	char *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	int r = c->dev->ops->rw(c->dev, false, first * bs, buf, len);
	if (!r)
		for (size_t k = 0; k < len / bs; k++)
			keep(io, first + k, buf + k * bs, first + k != blk);
	free(buf);
	return r;
}

static errcode_t io_read64(io_channel io, unsigned long long blk, int count,
			   void *data)
{
	struct chan *c = io->private_data;
	uint64_t off;
	size_t len, bs = io->block_size;
	errcode_t e = span(io, blk, count, &off, &len);
	if (e)
		return e;
	if (count == 1) {
		struct slot *s = find(c, blk);
		if (!s) {
			c->misses++;
			read_ahead(io, blk);
			s = find(c, blk);
		} else {
			c->hits++;
		}
		if (s) {
			memcpy(data, s->data, bs);
			return 0;
		}
	}
	int r = c->dev->ops->rw(c->dev, false, off, data, len);
	if (r)
		return io_err(r);
	/* The cache's newer bytes over what the disk had. */
	for (size_t k = 0; k < len / bs; k++) {
		struct slot *s = find(c, blk + k);
		if (s && s->dirty)
			memcpy((char *)data + k * bs, s->data, bs);
	}
	return 0;
}

static errcode_t io_write64(io_channel io, unsigned long long blk, int count,
			    const void *data)
{
	struct chan *c = io->private_data;
	uint64_t off;
	size_t len, bs = io->block_size;
	errcode_t e = span(io, blk, count, &off, &len);
	if (e)
		return e;
	if (c->dev->readonly)
		return EXT2_ET_RO_FILSYS;
	struct slot *s;
	if (count == 1 && !claim(io, blk, &s)) {
		memcpy(s->data, data, bs);
		s->blk = blk;
		s->valid = s->dirty = true;
		return 0;
	}
	int r = c->dev->ops->rw(c->dev, true, off, (void *)data, len);
	/* The slots of these blocks: what was just written, or nothing. */
	for (size_t k = 0; k < (len + bs - 1) / bs; k++) {
		if (!(s = find(c, blk + k)))
			continue;
		if (!r && (k + 1) * bs <= len) {
			memcpy(s->data, (const char *)data + k * bs, bs);
			s->dirty = false;
		} else if (!s->dirty || !r) {
			s->valid = s->dirty = false;
		}
	}
	return io_err(r);
}

/* Bytes at an offset (closefs.c writes the superblock's changed bytes
 * this way, 2 at a time): the sectors around them read, patched and
 * written back, and the slot that holds them patched too. */
static errcode_t io_write_byte(io_channel io, unsigned long offset, int count,
			       const void *data)
{
	struct chan *c = io->private_data;
	size_t bs = io->block_size, ss = c->dev->sector_size, n = (size_t)count;
	if (count <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	if (offset > c->dev->size || n > c->dev->size - offset)
		return EXT2_ET_LLSEEK_FAILED;
	if (c->dev->readonly)
		return EXT2_ET_RO_FILSYS;
	uint64_t lo = ALIGN_DOWN(offset, ss), hi = ALIGN_UP(offset + n, ss);
	char *buf = malloc(hi - lo);
	if (!buf)
		return EXT2_ET_NO_MEMORY;
	int r = c->dev->ops->rw(c->dev, false, lo, buf, hi - lo);
	if (!r) {
		memcpy(buf + (offset - lo), data, n);
		r = c->dev->ops->rw(c->dev, true, lo, buf, hi - lo);
	}
	free(buf);
	for (uint64_t b = offset / bs; b * bs < offset + n; b++) {
		struct slot *s = find(c, b);
		if (!s)
			continue;
		uint64_t a = MAX(offset, b * bs),
			 e = MIN(offset + n, (b + 1) * bs);
		if (!r)
			memcpy(s->data + (a - b * bs),
			       (const char *)data + (a - offset), e - a);
		else if (!s->dirty)
			s->valid = false;
	}
	return io_err(r);
}

static errcode_t io_read(io_channel io, unsigned long blk, int count,
			 void *data)
{
	return io_read64(io, blk, count, data);
}

static errcode_t io_write(io_channel io, unsigned long blk, int count,
			  const void *data)
{
	return io_write64(io, blk, count, data);
}

static errcode_t io_flush(io_channel io)
{
	struct chan *c = io->private_data;
	int r = flush_dirty(io);
	int f = c->dev->ops->flush(c->dev);
	return io_err(r ? r : f);
}

static errcode_t io_set_option(io_channel io, const char *opt, const char *arg)
{
	(void)io;
	(void)opt;
	(void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager ext_io = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "atman blkdev",
	.open = io_open,
	.close = io_close,
	.set_blksize = io_set_blksize,
	.read_blk = io_read,
	.write_blk = io_write,
	.flush = io_flush,
	.write_byte = io_write_byte,
	.set_option = io_set_option,
	.read_blk64 = io_read64,
	.write_blk64 = io_write64,
};

io_manager ext_io_manager = &ext_io;

/* What mmp.c wants of the device it opens itself (it never does: ext.c
 * refuses MMP). */
ext2_loff_t ext2fs_llseek(int fd, ext2_loff_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	return -1;
}

int ext2fs_get_dio_alignment(int fd)
{
	(void)fd;
	return 512;
}

/* Zero num blocks from blk (what mkjournal.c gives e2fsprogs' tools,
 * here without the journal code around it): a zeroed buffer of up to
 * ZERO_RUN blocks written until done; where it failed in *ret_blk and
 * *ret_count. fs NULL: nothing to free, we keep no buffer. */
#define ZERO_RUN 16
errcode_t ext2fs_zero_blocks2(ext2_filsys fs, blk64_t blk, int num,
			      blk64_t *ret_blk, int *ret_count)
{
	if (!fs || num <= 0)
		return 0;
	int run = MIN(num, ZERO_RUN);
	char *z = calloc((size_t)run, fs->blocksize);
	if (!z)
		return EXT2_ET_NO_MEMORY;
	errcode_t e = 0;
	while (num > 0) {
		int n = MIN(num, run);
		if ((e = io_channel_write_blk64(fs->io, blk, n, z))) {
			if (ret_blk)
				*ret_blk = blk;
			if (ret_count)
				*ret_count = n;
			break;
		}
		blk += (blk64_t)n;
		num -= n;
	}
	free(z);
	return e;
}
