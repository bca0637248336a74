/* exit(3): the host sees status 3, and stdio is flushed first. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("exiting with 3, this line unterminated");
	exit(3);
}
