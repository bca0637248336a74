/* Program code is read-only: writing into a function is a crash report
 * that says so and names the writer. */
#include <stdio.h>
#include <string.h>

int victim(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) void patch(void *code)
{
	memset(code, 0xcc, 1); /* int3 */
}

int main(void)
{
	printf("victim(1) = %d\n", victim(1));
	fflush(stdout);
	patch((void *)victim);
	printf("patched the code of victim: %d\n", victim(1));
	return 0;
}
