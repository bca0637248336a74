/* 1 MiB written to stdout arrives intact: 16384 numbered lines of 64
 * bytes, each different, then the byte count and an FNV-1a checksum of
 * every byte written. The table checks the first, middle and last lines,
 * rejects any malformed data line and expects the checksum. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	char line[80];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t total = 0;
	for (unsigned i = 0; total < (1 << 20); i++) {
		int n = snprintf(line, sizeof(line), "%08u %054x\n", i,
				 i * 2654435761u);
		fwrite(line, 1, n, stdout);
		for (int k = 0; k < n; k++)
			h = (h ^ (unsigned char)line[k]) * 0x100000001b3ULL;
		total += n;
	}
	printf("bytes %zu fnv1a %016llx\n", total, (unsigned long long)h);
	return 0;
}
