/*
 * Mappings of files (mmap with an fd). There is no page cache to share:
 * a mapping is anonymous memory filled from the file at mmap time
 * (file_pread; past the end of the file: zeros). MAP_PRIVATE is then
 * simply the program's copy. MAP_SHARED keeps a record here (the file,
 * the offset, the range), and the mapping's bytes are written back to
 * the file (file_pwrite, never past the file's size) on msync, on
 * munmap, on fsync of the file, at mremap (which makes the mapping a
 * private one from then on) and at exit. Between two write-backs the
 * file and the mapping do not see each other's changes.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kern.h"

struct fmap {
	uintptr_t start, end;
	uint64_t off; /* of start in the file */
	struct file *file;
	struct fmap *next;
};

static struct fmap *fmaps;

/* Move [a, b) of the mapping m to (write) or from the file. */
static long fmap_io(struct fmap *m, uintptr_t a, uintptr_t b, bool write)
{
	uint64_t off = m->off + (a - m->start);
	size_t len = b - a;
	if (write) {
		struct stat st;
		if (file_stat(m->file, &st) || (uint64_t)st.st_size <= off)
			return 0; /* nothing of the file here */
		len = MIN(len, (uint64_t)st.st_size - off);
	}
	struct iovec v = { (void *)a, len };
	struct uio u;
	uio_init(&u, &v, 1, len, !write);
	return write ? file_pwrite(m->file, &u, off)
		     : file_pread(m->file, &u, off);
}

long fmap_map(uintptr_t addr, size_t len, int prot, int flags, struct file *f,
	      uint64_t off)
{
	unsigned acc = f->flags & 3; /* O_ACCMODE */
	if (!f->ops->pread)
		return -ENODEV;
	if (acc == 1 /* O_WRONLY */)
		return -EACCES;
	bool shared = (flags & MAP_TYPE) == MAP_SHARED;
	if (shared && (prot & PROT_WRITE) && acc != 2 /* O_RDWR */)
		return -EACCES;
	struct fmap *m = NULL;
	if (shared && !(m = kmalloc(sizeof(*m))))
		return -ENOMEM;
	long a = vm_mmap(addr, len, PROT_READ | PROT_WRITE,
			 (flags & ~MAP_TYPE) | MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_POPULATE); /* filled at once */
	if (a < 0) {
		kfree(m);
		return a;
	}
	struct fmap tmp = { (uintptr_t)a, (uintptr_t)a + len, off, f, NULL };
	long r = fmap_io(&tmp, tmp.start, tmp.end, false);
	if (r >= 0 && prot != (PROT_READ | PROT_WRITE))
		r = vm_mprotect((uintptr_t)a, len, prot);
	if (r < 0) {
		vm_munmap((uintptr_t)a, len);
		kfree(m);
		return r;
	}
	if (m) {
		*m = tmp;
		m->end = ALIGN_UP(m->end, KPAGE_SIZE);
		m->file = file_get(f);
		m->next = fmaps;
		fmaps = m;
	}
	return a;
}

/* Write back what of [a, b) the shared mappings cover (those of file f
 * only, if f is given); the first error. */
static int flush_range(uintptr_t a, uintptr_t b, struct file *f)
{
	int err = 0;
	for (struct fmap *m = fmaps; m; m = m->next) {
		if (f && m->file != f)
			continue;
		uintptr_t s = MAX(a, m->start), e = MIN(b, m->end);
		if (s >= e)
			continue;
		long r = fmap_io(m, s, e, true);
		if (r < 0 && !err)
			err = (int)r;
	}
	return err;
}

int fmap_msync(uintptr_t a, size_t len)
{
	return flush_range(a, a + ALIGN_UP(len, KPAGE_SIZE), NULL);
}

/* The range goes (munmap, mremap): written back, then no longer a
 * shared mapping's. A record the range cuts in two becomes two. */
int fmap_forget(uintptr_t a, size_t len)
{
	uintptr_t b = a + ALIGN_UP(len, KPAGE_SIZE);
	int err = flush_range(a, b, NULL);
	for (struct fmap **pp = &fmaps; *pp;) {
		struct fmap *m = *pp;
		if (b <= m->start || a >= m->end) {
			pp = &m->next;
			continue;
		}
		if (a > m->start && b < m->end) { /* the middle: split */
			struct fmap *t = kmalloc(sizeof(*t));
			if (t) {
				*t = (struct fmap){ b, m->end,
						    m->off + (b - m->start),
						    file_get(m->file),
						    m->next };
				m->next = t;
			}
			m->end = a;
			pp = &m->next;
			continue;
		}
		if (a > m->start) { /* the tail */
			m->end = a;
			pp = &m->next;
			continue;
		}
		if (b < m->end) { /* the head */
			m->off += b - m->start;
			m->start = b;
			pp = &m->next;
			continue;
		}
		*pp = m->next; /* all of it */
		file_put(m->file);
		kfree(m);
	}
	return err;
}

/* fsync of f: its shared mappings first (f's open file description, or
 * any with the same stat identity). */
int fmap_fsync(struct file *f)
{
	struct stat a, b;
	int err = 0;
	if (file_stat(f, &a))
		return flush_range(0, UINTPTR_MAX, f);
	for (struct fmap *m = fmaps; m; m = m->next) {
		if (m->file != f &&
		    (file_stat(m->file, &b) || a.st_dev != b.st_dev ||
		     a.st_ino != b.st_ino))
			continue;
		long r = fmap_io(m, m->start, m->end, true);
		if (r < 0 && !err)
			err = (int)r;
	}
	return err;
}

void fmap_exit(void)
{
	flush_range(0, UINTPTR_MAX, NULL);
}
