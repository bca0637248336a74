/* __thread variables: initialised TLS (.tdata) has its values, zero TLS
 * (.tbss) is zero, and both are writable and at distinct addresses. */
#include <stdio.h>
#include <string.h>

__thread int counter = 42;
__thread char name[16] = "atman";
__thread long zeroes[64];
__thread double scale = 2.5;
static __thread int hidden;

__attribute__((noinline)) static int *addr_of_counter(void)
{
	return &counter;
}

int main(void)
{
	long sum = 0;
	for (int i = 0; i < 64; i++)
		sum += zeroes[i];
	printf("tdata: counter %d name %s scale %.1f\n", counter, name, scale);
	printf("tbss: sum %ld hidden %d\n", sum, hidden);
	counter++;
	hidden = 7;
	zeroes[63] = 1000;
	strcpy(name, "changed");
	printf("after: counter %d hidden %d zeroes[63] %ld name %s\n",
	       *addr_of_counter(), hidden, zeroes[63], name);
	/* TLS lives with the thread, not in .data, and is aligned. */
	int ok = (void *)&counter != (void *)&hidden &&
		 ((unsigned long)&scale & 7) == 0 &&
		 addr_of_counter() == &counter;
	printf("tls %s\n", ok ? "ok" : "BAD");
	return !ok;
}
