/* A counter that survives reboots: reads /data/count (none yet: 0), adds
 * one, writes it back, fsyncs, prints it. On a disk:
 *
 *   mkfs.ext4 -q data.img 64M
 *   bin/atman run --disk data.img:/data examples/counter.c    # 1
 *   bin/atman run --disk data.img:/data examples/counter.c    # 2
 *   debugfs -R 'cat /count' data.img                          # 2
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COUNT "/data/count"

int main(void)
{
	long n = 0;
	FILE *f = fopen(COUNT, "r");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		fclose(f);
	} else if (errno != ENOENT) {
		fprintf(stderr, "counter: %s: %s\n", COUNT, strerror(errno));
		return 1;
	}
	n++;
	f = fopen(COUNT, "w");
	if (!f) {
		fprintf(stderr, "counter: %s: %s\n", COUNT, strerror(errno));
		return 1;
	}
	fprintf(f, "%ld\n", n);
	/* On the disk before we say so: stdio's buffer out, then fsync. */
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		fprintf(stderr, "counter: writing %s: %s\n", COUNT,
			strerror(errno));
		return 1;
	}
	printf("%ld\n", n);
	return 0;
}
