/* A NULL pointer dereference is a crash report naming the function, and
 * the host sees status 139. */
#include <stdio.h>

__attribute__((noinline)) int read_through(volatile int *p)
{
	return *p;
}

int main(void)
{
	printf("about to read NULL\n");
	fflush(stdout);
	int v = read_through(NULL);
	printf("survived a NULL read: %d\n", v);
	return 0;
}
