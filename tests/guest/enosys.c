/* An unsupported system call returns -1/ENOSYS and the program carries
 * on; the kernel says once which call it was. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	errno = 0;
	long r = syscall(SYS_acct, "/nonexistent");
	printf("acct: %ld %s\n", r, strerror(errno));
	errno = 0;
	r = syscall(SYS_acct, 0); /* a second time: no second kernel line */
	printf("acct again: %ld %s\n", r, errno == ENOSYS ? "ENOSYS" : "?");
	errno = 0;
	r = syscall(1000); /* beyond any table */
	printf("syscall 1000: %ld %s\n", r, errno == ENOSYS ? "ENOSYS" : "?");
	printf("carried on\n");
	return 0;
}
