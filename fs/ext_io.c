/*
 * libext2fs's I/O manager on our block devices: the channel's name is
 * the blkdev's ("xvda"). Blocks of the channel's block size move
 * through the device in one call each way; a write-through cache of
 * CACHE_SLOTS blocks (direct-mapped by block number) saves reading the
 * inode tables, bitmaps and directories libext2fs reads again and
 * again, and a miss reads the READ_AHEAD blocks around it at once. Written is on the device when the call returns; flush asks the
 * device to make it stable.
 */
#include <errno.h>

#include "ext.h"

#define CACHE_SLOTS 256
#define READ_AHEAD  32 /* blocks read at a miss (<= CACHE_SLOTS) */
#define IO_MAGIC    EXT2_ET_MAGIC_IO_CHANNEL

struct slot {
	unsigned long long blk;
	bool valid;
	char *data; /* block_size bytes */
};

struct chan {
	struct blkdev *dev;
	struct slot slot[CACHE_SLOTS];
	unsigned cached_size; /* the block size the slots hold */
	uint64_t hits, misses;
};

static void cache_drop(struct chan *c)
{
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		free(c->slot[i].data);
		c->slot[i].data = NULL;
		c->slot[i].valid = false;
	}
	c->cached_size = 0;
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
	cache_drop(c);
	free(c);
	free(io->name);
	free(io);
	return 0;
}

static errcode_t io_set_blksize(io_channel io, int bs)
{
	struct chan *c = io->private_data;
	if (bs <= 0 || (unsigned)bs % c->dev->sector_size)
		return EXT2_ET_INVALID_ARGUMENT;
	if (io->block_size != bs)
		cache_drop(c);
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

static struct slot *slot_of(struct chan *c, unsigned long long blk)
{
	return &c->slot[blk % CACHE_SLOTS];
}

static errcode_t io_err(io_channel io, int r)
{
	(void)io;
	return r == -EROFS ? EXT2_ET_RO_FILSYS : r ? EIO : 0;
}

static void keep(io_channel io, unsigned long long blk, const void *data)
{
	struct chan *c = io->private_data;
	struct slot *s = slot_of(c, blk);
	if (c->cached_size != (unsigned)io->block_size) {
		cache_drop(c);
		c->cached_size = io->block_size;
	}
	if (!s->data)
		s->data = malloc(io->block_size);
	if (s->data) {
		memcpy(s->data, data, io->block_size);
		s->blk = blk;
		s->valid = true;
	}
}

/* A single block missed: read the READ_AHEAD-block window around it in
 * one transfer and keep every block of it (libext2fs reads files,
 * directories and tables block by block, mostly in order). 0, or -errno
 * if the window could not be read (then only the block is). */
static int read_ahead(io_channel io, unsigned long long blk)
{
	struct chan *c = io->private_data;
	uint64_t bs = io->block_size;
	unsigned long long first = blk - blk % READ_AHEAD;
	uint64_t end =
		MIN((first + READ_AHEAD) * bs, ALIGN_DOWN(c->dev->size, bs));
	if (end <= first * bs)
		return -EINVAL;
	size_t len = end - first * bs;
	char *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	int r = c->dev->ops->rw(c->dev, false, first * bs, buf, len);
	if (!r)
		for (size_t k = 0; k < len / bs; k++)
			keep(io, first + k, buf + k * bs);
	free(buf);
	return r;
}

static errcode_t io_read64(io_channel io, unsigned long long blk, int count,
			   void *data)
{
	struct chan *c = io->private_data;
	uint64_t off;
	size_t len;
	errcode_t e = span(io, blk, count, &off, &len);
	if (e)
		return e;
	if (count == 1) {
		struct slot *s = slot_of(c, blk);
		if (s->valid && s->blk == blk &&
		    c->cached_size == (unsigned)io->block_size) {
			memcpy(data, s->data, len);
			c->hits++;
			return 0;
		}
	}
	c->misses++;
	if (count == 1 && !read_ahead(io, blk)) {
		struct slot *s = slot_of(c, blk);
		if (s->valid && s->blk == blk) {
			memcpy(data, s->data, len);
			return 0;
		}
	}
	int r = c->dev->ops->rw(c->dev, false, off, data, len);
	if (r)
		return io_err(io, r);
	if (count == 1)
		keep(io, blk, data);
	return 0;
}

static errcode_t io_write64(io_channel io, unsigned long long blk, int count,
			    const void *data)
{
	struct chan *c = io->private_data;
	uint64_t off;
	size_t len;
	errcode_t e = span(io, blk, count, &off, &len);
	if (e)
		return e;
	int r = c->dev->ops->rw(c->dev, true, off, (void *)data, len);
	/* Whatever the cache held for these blocks is the old data. */
	size_t bs = io->block_size;
	for (size_t k = 0; k < (len + bs - 1) / bs && k < CACHE_SLOTS; k++) {
		struct slot *s = slot_of(c, blk + k);
		if (s->valid && s->blk == blk + k) {
			if (!r && (k + 1) * bs <= len &&
			    c->cached_size == (unsigned)bs)
				memcpy(s->data, (const char *)data + k * bs,
				       bs);
			else
				s->valid = false;
		}
	}
	if (len / bs >= CACHE_SLOTS)
		for (unsigned i = 0; i < CACHE_SLOTS; i++)
			if (c->slot[i].valid && c->slot[i].blk >= blk &&
			    c->slot[i].blk < blk + len / bs)
				c->slot[i].valid = false;
	return io_err(io, r);
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
	return io_err(io, c->dev->ops->flush(c->dev));
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
