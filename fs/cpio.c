/*
 * The newc ("070701") cpio format, parsed from an untrusted buffer: a
 * 110-byte header of hex fields, the name (NUL-terminated, padded to 4
 * bytes with the header), the data (padded to 4), until the entry named
 * TRAILER!!!. Every length is checked against what is left before it is
 * used; nothing here writes anywhere. Self-contained (no allocation, no
 * tree): the fuzz target links it alone.
 */
#include <errno.h>

#include "fs.h"

#define CPIO_HDR     110
#define CPIO_FIELDS  13
#define CPIO_TRAILER "TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_NAMESIZE = 11 };

static bool hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;
	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int cpio_parse(const uint8_t *buf, size_t len,
	       int (*fn)(void *ctx, const struct cpio_entry *e), void *ctx,
	       const char **why)
{
	size_t off = 0;
	for (;;) {
		if (len - off < CPIO_HDR) {
			*why = off == len ? "no TRAILER!!! entry (truncated?)"
					  : "a truncated header";
			return -EINVAL;
		}
		const uint8_t *h = buf + off;
		if (memcmp(h, "07070", 5) || (h[5] != '1' && h[5] != '2')) {
			*why = "not a newc cpio header (make it with cpio -H "
			       "newc)";
			return -EINVAL;
		}
		uint32_t f[CPIO_FIELDS];
		for (int i = 0; i < CPIO_FIELDS; i++)
			if (!hex8(h + 6 + 8 * i, &f[i])) {
				*why = "a header field that is not hex";
				return -EINVAL;
			}
		size_t nsize = f[F_NAMESIZE], size = f[F_SIZE];
		size_t name_off = off + CPIO_HDR;
		if (nsize < 2 || nsize > len - name_off) {
			*why = nsize < 2 ? "an empty name"
					 : "a name past the end";
			return -EINVAL;
		}
		const char *name = (const char *)buf + name_off;
		if (name[nsize - 1] || strnlen(name, nsize) != nsize - 1) {
			*why = "a name that is not one NUL-terminated string";
			return -EINVAL;
		}
		size_t data_off = pad4(name_off + nsize);
		if (data_off > len || size > len - data_off) {
			*why = "an entry's data past the end (truncated?)";
			return -EINVAL;
		}
		if (nsize - 1 == strlen(CPIO_TRAILER) &&
		    !memcmp(name, CPIO_TRAILER, nsize - 1))
			return 0;
		struct cpio_entry e = {
			.name = name,
			.namelen = nsize - 1,
			.mode = f[F_MODE],
			.uid = f[F_UID],
			.gid = f[F_GID],
			.mtime = f[F_MTIME],
			.data = buf + data_off,
			.size = size,
		};
		int r = fn(ctx, &e);
		if (r)
			return r;
		off = data_off + size;
		if (off < len)
			off = MIN(pad4(off), len);
	}
}

/* Safe under the root: relative ("./" prefixes allowed), no ".."
 * component, no empty name once "./" is gone. */
bool cpio_name_ok(const char *name, size_t len)
{
	if (!len || name[0] == '/')
		return false;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && name[j] != '/')
			j++;
		if (j - i == 2 && name[i] == '.' && name[i + 1] == '.')
			return false;
		if (j - i > NAME_MAX_K)
			return false;
		i = j + 1;
	}
	return len < PATH_MAX_K;
}
