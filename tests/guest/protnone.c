/* mprotect(PROT_NONE) really protects: reading the page is a crash. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

__attribute__((noinline)) int peek(volatile char *p)
{
	return *p;
}

int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(p + 4096, "secret");
	if (mprotect(p + 4096, 4096, PROT_NONE))
		return 1;
	printf("first page still readable: %d\n", peek(p));
	fflush(stdout);
	printf("read the protected page: %d\n", peek(p + 4096));
	return 0;
}
