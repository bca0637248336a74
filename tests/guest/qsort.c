/* qsort and bsearch from musl: 20000 pseudo-random ints, strings, and a
 * stable check of the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	static int v[N];
	unsigned s = 12345;
	long long sum = 0;
	for (int i = 0; i < N; i++) {
		s = s * 1103515245 + 12345;
		v[i] = (s >> 8) % 100000 - 50000;
		sum += v[i];
	}
	qsort(v, N, sizeof(v[0]), cmp_int);
	long long sum2 = 0;
	int sorted = 1;
	for (int i = 0; i < N; i++) {
		sum2 += v[i];
		if (i && v[i - 1] > v[i])
			sorted = 0;
	}
	printf("ints: sorted %d, sum kept %d, min %d max %d median %d\n",
	       sorted, sum == sum2, v[0], v[N - 1], v[N / 2]);
	int key = v[1234];
	int *hit = bsearch(&key, v, N, sizeof(v[0]), cmp_int);
	printf("bsearch: %s\n", hit && *hit == key ? "found" : "MISSING");

	char *words[] = { "xen", "atman",     "musl",	    "qemu", "kernel",
			  "box", "unikernel", "hypervisor", "dom0", "PVH" };
	int nw = sizeof(words) / sizeof(words[0]);
	qsort(words, nw, sizeof(words[0]), cmp_str);
	for (int i = 0; i < nw; i++)
		printf("%s%s", words[i], i + 1 < nw ? " " : "\n");
	return !(sorted && sum == sum2 && hit);
}
