/* Calling a NULL function pointer: a crash report that names the caller
 * (the jump left no frame of its own). */
#include <stdio.h>

void (*volatile hook)(void);

__attribute__((noinline)) void run_hook(void)
{
	hook();
	printf("returned from NULL\n");
}

int main(void)
{
	printf("calling NULL\n");
	fflush(stdout);
	run_hook();
	return 0;
}
