/*
 * net/csum.c: the partial checksums of frames sent to a device that
 * finishes them. A partial sum, finished as a backend finishes it (the
 * segment summed with the field as it is, complemented), must equal the
 * checksum computed from scratch; frames that are not whole IPv4 TCP or
 * UDP, or are malformed, are left alone.
 */
#include <stdint.h>
#include <string.h>

#include "net/net.h"
#include "test.h"

/* The ones' complement sum of n bytes, as big-endian 16-bit words. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* An Ethernet + IPv4 (+ ihl-5 option words) frame of proto with l4len
 * bytes of transport header and data; returns its length. */
static size_t make_frame(uint8_t *f, int proto, size_t l4len, int ihl,
			 uint16_t frag)
{
	memset(f, 0, 14);
	f[12] = 0x08; /* IPv4 */
	uint8_t *ip = f + 14;
	size_t iplen = (size_t)ihl * 4 + l4len;
	memset(ip, 0, (size_t)ihl * 4);
	ip[0] = (uint8_t)(0x40 | ihl);
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	const uint8_t src[4] = { 10, 7, 0, 10 }, dst[4] = { 10, 7, 0, 1 };
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint8_t *l4 = ip + ihl * 4;
	for (size_t i = 0; i < l4len; i++)
		l4[i] = (uint8_t)(i * 7 + 3);
	size_t at = proto == 6 ? 16 : 6;
	if (l4len >= at + 2)
		l4[at] = l4[at + 1] = 0; /* as lwIP leaves it */
	return 14 + iplen;
}

/* The checksum from scratch, and what a backend makes of the partial. */
static uint16_t full_checksum(const uint8_t *f, size_t l4len, int ihl)
{
	const uint8_t *ip = f + 14;
	uint32_t s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
	return (uint16_t)~fold(sum16(ip + ihl * 4, l4len, s));
}

static uint16_t finish(const uint8_t *f, size_t l4len, int ihl)
{
	return (uint16_t)~fold(sum16(f + 14 + ihl * 4, l4len, 0));
}

static uint16_t field(const uint8_t *f, int ihl, size_t at)
{
	const uint8_t *p = f + 14 + ihl * 4 + at;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void one_piece(uint8_t *f, size_t n)
{
	void *frag[1] = { f };
	size_t len[1] = { n };
	CHECK_EQ(net_csum_offload(frag, len, 1), 1);
}

static void tcp_partial_finishes_to_the_full_checksum(void)
{
	static uint8_t f[1600], g[1600];
	for (size_t l4len = 20; l4len <= 1480; l4len += 97) {
		size_t n = make_frame(f, 6, l4len, 5, 0);
		memcpy(g, f, n);
		uint16_t want = full_checksum(g, l4len, 5);
		one_piece(f, n);
		CHECK_EQ(finish(f, l4len, 5), want);
		/* Only the checksum field changed. */
		f[14 + 20 + 16] = f[14 + 20 + 17] = 0;
		CHECK(!memcmp(f, g, n));
	}
}

static void udp_and_ip_options(void)
{
	static uint8_t f[1600];
	size_t n = make_frame(f, 17, 333, 7, 0);
	uint16_t want = full_checksum(f, 333, 7);
	one_piece(f, n);
	CHECK_EQ(finish(f, 333, 7), want);
	CHECK(field(f, 7, 6) != 0);
}

/* Pieces split anywhere, even through the checksum field itself. */
static void pieces_split_through_the_field(void)
{
	static uint8_t f[1600], g[1600];
	size_t n = make_frame(f, 6, 200, 5, 0);
	uint16_t want = full_checksum(f, 200, 5);
	for (size_t cut = 1; cut < 80; cut++) {
		memcpy(g, f, n);
		void *frag[3] = { g, g + cut, g + cut + 1 };
		size_t len[3] = { cut, 1, n - cut - 1 };
		CHECK_EQ(net_csum_offload(frag, len, 3), 1);
		CHECK_EQ(finish(g, 200, 5), want);
	}
}

static void left_alone(void)
{
	static uint8_t f[1600], g[1600];
	size_t n;
	void *frag[1] = { f };
	size_t len[1];
#define ALONE()                                                                \
	do {                                                                   \
		memcpy(g, f, n);                                               \
		len[0] = n;                                                    \
		CHECK_EQ(net_csum_offload(frag, len, 1), 0);                   \
		CHECK(!memcmp(f, g, n));                                       \
	} while (0)
	n = make_frame(f, 1, 64, 5, 0); /* ICMP */
	ALONE();
	n = make_frame(f, 17, 600, 5, 0x2000); /* a first fragment (MF) */
	ALONE();
	n = make_frame(f, 17, 600, 5, 0x0010); /* a later fragment */
	ALONE();
	n = make_frame(f, 6, 19, 5, 0); /* shorter than a TCP header */
	ALONE();
	n = make_frame(f, 6, 100, 5, 0);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	ALONE();
	n = make_frame(f, 6, 100, 5, 0);
	f[14] = 0x44; /* ihl 4: below the minimum */
	ALONE();
	n = make_frame(f, 6, 100, 5, 0);
	f[14] = 0x65; /* not version 4 */
	ALONE();
	n = make_frame(f, 6, 100, 5, 0);
	f[16] = 0x10; /* an IP length past the frame */
	ALONE();
	n = 30; /* a runt */
	ALONE();
	len[0] = 0;
	CHECK_EQ(net_csum_offload(frag, len, 0), 0);
#undef ALONE
}

int main(int argc, char **argv)
{
	test_init("csum", argc, argv);
	RUN(tcp_partial_finishes_to_the_full_checksum);
	RUN(udp_and_ip_options);
	RUN(pieces_split_through_the_field);
	RUN(left_alone);
	return test_summary();
}
