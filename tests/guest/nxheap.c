/* Data is not code: calling into malloc'd memory (holding a valid "ret")
 * is a crash report, not a return. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	unsigned char *code = malloc(64);
	code[0] = 0xc3; /* ret */
	printf("calling the heap at %p\n", (void *)code);
	fflush(stdout);
	((void (*)(void))code)();
	printf("executed the heap\n");
	return 0;
}
