/* Unbounded recursion runs into the stack's guard page: a crash report
 * that says stack overflow, not silent corruption. */
#include <stdio.h>

__attribute__((noinline)) int recurse(int n)
{
	volatile char frame[512];
	frame[0] = (char)n;
	return recurse(n + 1) + frame[0];
}

int main(void)
{
	printf("recursing\n");
	fflush(stdout);
	return recurse(0);
}
