/* getrandom gives different bytes each call, and AT_RANDOM (musl's
 * stack protector and pointer guard seed) is filled in. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>

int main(void)
{
	unsigned char a[32], b[32], zero[32] = { 0 };
	ssize_t na = getrandom(a, sizeof(a), 0);
	ssize_t nb = getrandom(b, sizeof(b), 0);
	printf("getrandom: %zd and %zd bytes\n", na, nb);
	printf("two calls %s\n", memcmp(a, b, 32) ? "differ" : "ARE EQUAL");
	printf("zero bytes %s\n",
	       memcmp(a, zero, 32) && memcmp(b, zero, 32) ? "no" : "YES");
	/* Roughly balanced bits over 4 KiB: 32768 bits, expect ~16384. */
	static unsigned char big[4096];
	getrandom(big, sizeof(big), 0);
	int ones = 0;
	for (int i = 0; i < 4096; i++)
		ones += __builtin_popcount(big[i]);
	printf("bit balance %s\n",
	       ones > 15800 && ones < 16970 ? "ok" : "SKEWED");
	const unsigned char *r = (const void *)getauxval(AT_RANDOM);
	printf("AT_RANDOM %s\n", r && memcmp(r, zero, 16) ? "set" : "MISSING");
	printf("sample %02x%02x%02x%02x\n", a[0], a[1], a[2], a[3]);
	return 0;
}
