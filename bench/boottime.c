/*
 * boottime: one guest's boot, seen from dom0 (bench/boot runs it in the
 * box). It starts `xl create -F CFG` and reports, in ms from just before
 * the create: the first byte of the guest's console (xenconsoled's log
 * LOG, watched with inotify: no polling), and the domain's shutdown
 * (`xl create -F` returns; what xl says goes to LOG.xl). Then it
 * destroys the domain and prints
 *   boottime NAME first_output_ms F shutdown_ms S
 * Usage: boottime NAME CFG LOG
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static off_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : st.st_size;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: boottime NAME CFG LOG\n");
		return 2;
	}
	const char *name = argv[1], *cfg = argv[2], *log = argv[3];
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", log);
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (in < 0 ||
	    inotify_add_watch(in, dirname(dir), IN_CREATE | IN_MODIFY) < 0) {
		perror("boottime: inotify");
		return 1;
	}
	double t0 = now_ms(), first = -1, down = -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* xl's words go to LOG.xl, for when it fails. */
		char xlog[4096];
		snprintf(xlog, sizeof(xlog), "%s.xl", log);
		int fd = open(xlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("xl", "xl", "create", "-F", cfg, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (down < 0) {
		struct pollfd p = { in, POLLIN, 0 };
		poll(&p, 1, first < 0 ? 10 : 100);
		char buf[4096];
		while (read(in, buf, sizeof(buf)) > 0)
			;
		if (first < 0 && size_of(log) > 0)
			first = now_ms() - t0;
		if (waitpid(pid, &status, WNOHANG) == pid)
			down = now_ms() - t0;
	}
	if (first < 0 && size_of(log) > 0)
		first = down; /* all of it came at the end */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "xl destroy %s 2>/dev/null", name);
	if (system(cmd)) {
		/* already gone: nothing to do */
	}
	printf("boottime %s first_output_ms %.1f shutdown_ms %.1f\n", name,
	       first, down);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
