/* munmap really unmaps: touching the memory afterwards is a crash. */
#include <stdio.h>
#include <sys/mman.h>

__attribute__((noinline)) void poke(volatile char *p)
{
	*p = 1;
}

int main(void)
{
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	poke(p + 100);
	munmap(p, 65536);
	printf("unmapped, now writing there\n");
	fflush(stdout);
	poke(p + 100);
	printf("wrote to unmapped memory\n");
	return 0;
}
