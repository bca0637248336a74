/* A bad pointer given to a system call is EFAULT, not a crash. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld %s\n", what, r,
	       r < 0 && errno == EFAULT ? "EFAULT" : strerror(errno));
	errno = 0;
}

int main(void)
{
	show("write from NULL", write(1, NULL, 10));
	show("write from 0x10", write(1, (void *)0x10, 10));
	show("write from far away", write(1, (void *)0x7fff00000000, 10));
	show("write from kernel-only",
	     write(1, (void *)0xffff800000000000, 10));

	/* A buffer that runs off the end of a mapping. */
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	memset(p, 'x', 4096);
	show("write across an unmapped page", write(1, p + 4000, 200));

	/* Reading into read-only memory: code. */
	show("read into code", read(0, (void *)main, 16));
	/* And a clock into a PROT_READ page, through the raw syscall. */
	mprotect(p, 4096, PROT_READ);
	show("clock_gettime into read-only",
	     syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p));
	show("uname into NULL", syscall(SYS_uname, NULL));
	printf("still running\n");
	return 0;
}
