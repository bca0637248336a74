/* SIGPIPE at its default: a write with no reader left ends the program
 * as on Linux, with status 128 + SIGPIPE = 141. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int fds[2];
	if (pipe(fds))
		return 1;
	close(fds[0]);
	printf("writing to a pipe nobody reads\n");
	fflush(stdout);
	write(fds[1], "x", 1);
	printf("survived the write\n");
	return 0;
}
