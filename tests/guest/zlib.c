/* zlib from the guest SDK (Debian's source package, built by
 * tools/atman-build-lib, linked with -lz): 10 MiB of text-like data
 * deflated into memory and inflated back, 64 KiB at a time, with the
 * CRC-32 of what went in and what came out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TOTAL (10u << 20)
#define CHUNK (64u << 10)

/* Words of a small vocabulary picked by an LCG: compressible, not trivially. */
static void fill(unsigned char *buf, unsigned len, unsigned *seed)
{
	static const char *const words[] = {
		"xen ",	   "guest ",   "musl ",	 "kernel ", "page ",
		"thread ", "channel ", "atman ", "ring ",   "grant ",
		"event ",  "vcpu ",    "timer ", "futex ",
	};
	unsigned n = 0;
	while (n < len) {
		*seed = *seed * 1103515245u + 12345u;
		const char *w =
			words[(*seed >> 16) % (sizeof words / sizeof words[0])];
		while (*w && n < len)
			buf[n++] = (unsigned char)*w++;
		if (((*seed >> 8) & 0xff) == 0 && n < len)
			buf[n++] = (unsigned char)('0' + (*seed >> 24) % 10);
	}
}

int main(void)
{
	static unsigned char in[CHUNK], out[CHUNK];
	uLong bound = compressBound(TOTAL);
	unsigned char *packed = malloc(bound);
	if (!packed) {
		printf("FAIL: no memory for %lu bytes\n", bound);
		return 1;
	}
	printf("zlib %s\n", zlibVersion());

	z_stream d;
	memset(&d, 0, sizeof d);
	if (deflateInit(&d, Z_DEFAULT_COMPRESSION) != Z_OK)
		return printf("FAIL: deflateInit\n"), 1;
	d.next_out = packed;
	d.avail_out = (uInt)bound;
	uLong crc_in = crc32(0, Z_NULL, 0);
	unsigned seed = 2024, done = 0;
	int rc;
	do {
		unsigned n = TOTAL - done < CHUNK ? TOTAL - done : CHUNK;
		fill(in, n, &seed);
		crc_in = crc32(crc_in, in, n);
		done += n;
		d.next_in = in;
		d.avail_in = n;
		rc = deflate(&d, done == TOTAL ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR || d.avail_in != 0)
			return printf("FAIL: deflate %d\n", rc), 1;
	} while (rc != Z_STREAM_END);
	uLong packed_len = d.total_out;
	deflateEnd(&d);

	z_stream i;
	memset(&i, 0, sizeof i);
	if (inflateInit(&i) != Z_OK)
		return printf("FAIL: inflateInit\n"), 1;
	i.next_in = packed;
	i.avail_in = (uInt)packed_len;
	uLong crc_out = crc32(0, Z_NULL, 0);
	do {
		i.next_out = out;
		i.avail_out = CHUNK;
		rc = inflate(&i, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			return printf("FAIL: inflate %d\n", rc), 1;
		crc_out = crc32(crc_out, out, CHUNK - i.avail_out);
	} while (rc != Z_STREAM_END);
	uLong unpacked = i.total_out;
	inflateEnd(&i);

	printf("deflated %u bytes to %lu (%s than half)\n", TOTAL, packed_len,
	       packed_len < TOTAL / 2 ? "less" : "MORE");
	printf("inflated %lu bytes\n", unpacked);
	printf("crc32 in %08lx out %08lx\n", crc_in, crc_out);
	return crc_in == crc_out && unpacked == TOTAL ? 0 : 1;
}
