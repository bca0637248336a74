/*
 * An ordinary C program built for Linux with the build machine's own
 * toolchain (musl-gcc -static, -static-pie; gcc -static with glibc), not
 * atman-cc: booted unchanged by bin/atman image. It checks what the loader
 * gave it: argv, the environment, the auxiliary vector, its bss zeroed,
 * its data initialised, a TLS variable, malloc. With the argument
 * "crash" it writes through NULL: the crash report names main from the
 * program's own symbols.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static char zeroes[100000];
static int data = 42;
static __thread int tls = 7;

int main(int argc, char **argv)
{
	int bad = 0;
	if (argc > 1 && !strcmp(argv[1], "crash"))
		*(volatile int *)0 = 1;
	for (size_t i = 0; i < sizeof(zeroes); i++)
		if (zeroes[i]) {
			printf("FAIL: bss byte %zu is %d\n", i, zeroes[i]);
			return 1;
		}
	printf("argc %d argv[0] %s argv[1] %s\n", argc, argv[0],
	       argc > 1 ? argv[1] : "(none)");
	printf("env NAME=%s\n", getenv("NAME") ? getenv("NAME") : "(unset)");
	printf("data %d tls %d\n", data, tls);
	printf("AT_PAGESZ %lu AT_PLATFORM %s AT_EXECFN %s AT_SECURE %lu\n",
	       getauxval(AT_PAGESZ), (char *)getauxval(AT_PLATFORM),
	       (char *)getauxval(AT_EXECFN), getauxval(AT_SECURE));
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int nz = 0;
	for (int i = 0; rnd && i < 16; i++)
		nz += rnd[i] != 0;
	if (!rnd || nz < 8) {
		printf("FAIL: AT_RANDOM %p has %d non-zero bytes\n", rnd, nz);
		bad = 1;
	}
	if ((unsigned long)getauxval(AT_ENTRY) == 0 ||
	    getauxval(AT_PHNUM) == 0) {
		printf("FAIL: AT_ENTRY or AT_PHNUM missing\n");
		bad = 1;
	}
	char *p = malloc(1 << 20);
	if (!p) {
		printf("FAIL: malloc\n");
		return 1;
	}
	memset(p, 1, 1 << 20);
	free(p);
	printf("%s\n", bad ? "static_c FAILED" : "static_c ok");
	return bad;
}
