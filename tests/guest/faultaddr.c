/* A page fault reports the address that faulted: a read of a fixed
 * address that nothing maps (not NULL, not near a mapping). */
#include <stdio.h>

int main(void)
{
	volatile char *p = (volatile char *)0x7f0000001234UL;
	printf("reading at %p\n", (void *)p);
	fflush(stdout);
	char c = *p;
	printf("read %d: survived\n", c);
	return 0;
}
