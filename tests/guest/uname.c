/* uname says what we are. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	if (uname(&u))
		return 1;
	printf("sysname %s\nmachine %s\n", u.sysname, u.machine);
	printf("release %s nodename %s\n", u.release, u.nodename);
	return 0;
}
