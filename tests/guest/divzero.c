/* An integer division by zero is a crash report naming the function. */
#include <stdio.h>

__attribute__((noinline)) int divide(volatile int a, volatile int b)
{
	return a / b;
}

int main(void)
{
	printf("10 / 2 = %d\n", divide(10, 2));
	fflush(stdout);
	printf("10 / 0 = %d\n", divide(10, 0));
	return 0;
}
