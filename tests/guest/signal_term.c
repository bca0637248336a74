/* SIGTERM left at its default ends the program as on Linux: a console
 * line naming the signal, exit status 143. A handler installed and then
 * reset to SIG_DFL changes nothing. */
#include <signal.h>
#include <stdio.h>

static void nothing(int sig)
{
	(void)sig;
}

int main(void)
{
	signal(SIGTERM, nothing);
	signal(SIGTERM, SIG_DFL);
	puts("raising SIGTERM");
	fflush(stdout);
	raise(SIGTERM);
	puts("still here?");
	return 0;
}
