/*
 * The contents of ext2/3/4 files (the core is ext.c): read, write,
 * truncate and readlink, each under the file system's lock. A file
 * with extents is read, and written in whole blocks, through its
 * extent tree straight to and from the device, BIG_XFER at a time
 * (libext2fs's file calls map and move a block per call); the rest
 * goes through those calls, XFER bytes at a time.
 */
#include <errno.h>

#include "fs.h"
#include "ext.h"

#define XFER (64 * 1024) /* bytes a write moves at a time */
#define BIG_XFER                                                               \
	(512 * 1024) /* blocks read or written at a time: blkfront's pool */

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
	if (off % bs || u->resid < bs || (r = ext_read_di(x, ino, &di)))
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
		if ((r = ext_write_di(x, ino, &di)))
			break;
		if (rest) {
			long w = api_write(x, ino, at + (size_t)k * bs,
					   x->buf + k * bs, rest);
			if (w > 0)
				done += w;
			r = ext_read_di(x, ino, &di);
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
	struct extfs *x = ext_of(i);
	if (write && x->ro)
		return -EROFS;
	if (!u->resid)
		return 0;
	if (!write) {
		struct ext2_inode_large di;
		ext_lock(x);
		long r = ext_read_di(x, (ext2_ino_t)i->ino, &di);
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
		if (!ext_read_di(x, (ext2_ino_t)i->ino, &di) &&
		    (di.i_mtime != now || di.i_ctime != now)) {
			di.i_mtime = di.i_ctime = now;
			ext_write_di(x, (ext2_ino_t)i->ino, &di);
		}
	}
	ext_refresh(i);
out:
	ext_unlock(x);
	free(buf);
	return done ? done : r;
}

long ext_read(struct inode *i, struct uio *u, uint64_t off)
{
	return xfer(i, u, off, false);
}

long ext_write(struct inode *i, struct uio *u, uint64_t off)
{
	return xfer(i, u, off, true);
}

int ext_truncate(struct inode *i, uint64_t size)
{
	struct extfs *x = ext_of(i);
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
	if (!r && !ext_read_di(x, (ext2_ino_t)i->ino, &di)) {
		ext_stamp(&di, true, true);
		ext_write_di(x, (ext2_ino_t)i->ino, &di);
	}
	ext_refresh(i);
	ext_unlock(x);
	return r;
}

long ext_readlink(struct inode *i, char *buf, size_t n)
{
	struct extfs *x = ext_of(i);
	struct ext2_inode_large di;
	ext_lock(x);
	long r = ext_read_di(x, (ext2_ino_t)i->ino, &di);
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
