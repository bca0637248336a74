/* The boot banner is the kernel's; this program only ends the run. */
#include <stdio.h>

int main(void)
{
	printf("banner shown\n");
	return 0;
}
