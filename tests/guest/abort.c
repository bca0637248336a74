/* abort() is a crash report (SIGABRT), after stdio's output. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("calling abort\n");
	fflush(stdout);
	abort();
}
