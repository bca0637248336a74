/* prctl as servers and runtimes use it at start: thread names (the
 * first thread's is the process's in /proc), flags kept and read back,
 * unknown options EINVAL, bad pointers EFAULT. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

static void *worker(void *arg)
{
	char name[16];
	(void)arg;
	prctl(PR_SET_NAME, "io-thread-with-a-long-name");
	prctl(PR_GET_NAME, name);
	printf("thread: name %s\n", name);
	return NULL;
}

static void show_comm(const char *when)
{
	char line[64] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	if (f && fgets(line, sizeof(line), f))
		line[strcspn(line, "\n")] = 0;
	if (f)
		fclose(f);
	printf("%s: /proc/self/comm %s\n", when, line);
}

int main(void)
{
	char name[16];
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	show_comm("after the thread");
	prctl(PR_SET_NAME, "redis-main");
	prctl(PR_GET_NAME, name);
	printf("main: name %s\n", name);
	show_comm("after main");
	int sig = -1;
	prctl(PR_SET_PDEATHSIG, 9);
	prctl(PR_GET_PDEATHSIG, &sig);
	printf("pdeathsig %d; dumpable %d\n", sig, prctl(PR_GET_DUMPABLE));
	printf("no_new_privs %d", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	printf(" -> %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	errno = 0;
	int r = prctl(9999);
	printf("unknown: %d %s\n", r, strerror(errno));
	errno = 0;
	r = prctl(PR_SET_NAME, (char *)16);
	printf("bad pointer: %d %s\n", r, strerror(errno));
	errno = 0;
	r = prctl(PR_SET_PDEATHSIG, 65);
	printf("signal 65: %d %s\n", r, strerror(errno));
	return 0;
}
