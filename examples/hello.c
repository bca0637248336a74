/* Hello from a Xen unikernel: ordinary C, built with bin/atman-cc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	printf("Hello from %s, a Xen unikernel!\n", argv[0]);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	const char *who = getenv("USER");
	printf("USER=%s\n", who ? who : "(not set)");

	double r = 2.0;
	printf("a circle of radius %.1f has area %.5f\n", r,
	       3.14159265358979 * r * r);

	char *buf = malloc(1 << 20);
	if (!buf)
		return 1;
	memset(buf, 'x', 1 << 20);
	printf("malloc'd and filled 1 MiB at %p\n", (void *)buf);
	free(buf);

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("the time is %s\n", when);
	return 0;
}
