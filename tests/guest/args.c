/* argv and the environment come from the guest's command line: quoted
 * words keep their blanks and quotes, NAME=VALUE words before the first
 * argument are the environment, "--" ends both. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		printf("env [%s]\n", *e);
	const char *g = getenv("GREETING");
	printf("getenv GREETING [%s]\n", g ? g : "(null)");
	return argv[argc] != NULL;
}
