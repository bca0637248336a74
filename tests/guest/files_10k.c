/* getdents64 lists 10,000 files of one directory, each exactly once,
 * through readdir; then they are deleted and the directory is empty. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N 10000

int main(void)
{
	static unsigned char seen[N];
	char p[64];
	mkdir("/tmp/many", 0755);
	for (int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "/tmp/many/file%05d", i);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			printf("FAIL create %s\n", p);
			return 1;
		}
		close(fd);
	}
	DIR *d = opendir("/tmp/many");
	struct dirent *e;
	int files = 0, dots = 0, bad = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		int i = atoi(e->d_name + 4);
		if (strncmp(e->d_name, "file", 4) || i < 0 || i >= N ||
		    seen[i]++ || e->d_type != DT_REG)
			bad++;
		files++;
	}
	closedir(d);
	printf("listed %d files, %d dot entries, %d wrong or twice\n", files,
	       dots, bad);
	for (int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "/tmp/many/file%05d", i);
		unlink(p);
	}
	printf("emptied: rmdir %s\n", rmdir("/tmp/many") ? "FAILED" : "ok");
	return 0;
}
