/* __builtin_trap (ud2, what gcc emits for unreachable code paths) is an
 * invalid opcode: a crash report naming the function. */
#include <stdio.h>

__attribute__((noinline)) void unreachable(int why)
{
	if (why)
		__builtin_trap();
}

int main(void)
{
	printf("trapping\n");
	fflush(stdout);
	unreachable(1);
	printf("went past the trap\n");
	return 0;
}
