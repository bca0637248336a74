/*
 * Random bytes for getrandom and AT_RANDOM. Where the CPU has RDSEED or
 * RDRAND every request comes from it. Otherwise a ChaCha20 keystream is
 * keyed once from timing jitter (TSC deltas over uneven work, the wall
 * clock, the monotonic clock): never a fixed seed.
 */
#include "kern.h"
#include "arch.h"

static uint32_t key[8];
static uint64_t counter;

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d)                                                         \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12),     \
	 a += b, d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(uint32_t out[16])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	memcpy(&in[4], key, 32);
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	counter++;
	uint32_t x[16];
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

void random_init(void)
{
	uint64_t v;
	for (int i = 0; i < 8; i++) {
		if (cpu_rdseed(&v) || cpu_rdrand(&v)) {
			key[i] ^= (uint32_t)v ^ (uint32_t)(v >> 32);
			continue;
		}
		/* Timing jitter: how long uneven work takes, in TSC ticks. */
		for (int k = 0; k < 64; k++) {
			uint64_t t0 = rdtsc();
			volatile uint32_t sink = 0;
			for (uint32_t j = 0; j < (t0 & 0xff) + 16; j++)
				sink += j * 2654435761u;
			key[(i + k) & 7] ^=
				ROTL((uint32_t)(rdtsc() - t0), k & 31);
			key[i] += (uint32_t)rdtsc();
		}
	}
	if (plat) {
		key[0] ^= (uint32_t)plat->wallclock_ns();
		key[1] ^= (uint32_t)(plat->wallclock_ns() >> 32);
		key[2] ^= (uint32_t)plat->monotonic_ns();
	}
	uint32_t blk[16];
	chacha_block(blk); /* stir: the key becomes the first output block */
	memcpy(key, blk, sizeof(key));
}

void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t v[8];
		size_t n;
		if (cpu_rdrand(&v[0])) {
			n = MIN(len, 8);
		} else {
			chacha_block((uint32_t *)v);
			n = MIN(len, sizeof(v));
		}
		memcpy(p, v, n);
		p += n;
		len -= n;
	}
}
