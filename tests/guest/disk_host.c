/* A file system the host made (mkfs.ext2/3/4 -d, hostfiles.sh), read
 * by the guest at /data: contents, sizes, modes, directories, fast and
 * slow symlinks, a 1.3 MB file. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fails;
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("disk_host: FAIL %s: ", #c);                    \
			printf(__VA_ARGS__);                                   \
			printf(" (errno %d)\n", errno);                        \
			fails++;                                               \
		}                                                              \
	} while (0)

int main(void)
{
	char line[128];
	FILE *f = fopen("/data/hello.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) &&
		      !strcmp(line, "written by the host\n"),
	      "hello.txt");
	if (f)
		fclose(f);
	struct stat st;
	CHECK(stat("/data/hello.txt", &st) == 0 && (st.st_mode & 0777) == 0640,
	      "mode %o", st.st_mode);
	f = fopen("/data/sub/dir/deep.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "deep\n"),
	      "deep.txt");
	if (f)
		fclose(f);
	/* seq 1 200000: the lines and their sum. */
	f = fopen("/data/numbers", "r");
	long long total = 0, n = 0, v;
	while (f && fscanf(f, "%lld", &v) == 1) {
		total += v;
		n++;
	}
	if (f)
		fclose(f);
	CHECK(n == 200000 && total == 20000100000LL, "numbers: %lld, %lld", n,
	      total);
	printf("disk_host: numbers: %lld lines, sum %lld\n", n, total);
	char t[256] = { 0 };
	CHECK(readlink("/data/link", t, sizeof(t)) == 9 &&
		      !strcmp(t, "hello.txt"),
	      "link: %s", t);
	memset(t, 0, sizeof(t));
	CHECK(readlink("/data/longlink", t, sizeof(t)) == 100 && t[99] == 'x',
	      "longlink: %zu", strlen(t));
	DIR *d = opendir("/data/sub");
	int files = 0, dirs = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR)
			dirs++;
		else if (e->d_type == DT_REG)
			files++;
	}
	if (d)
		closedir(d);
	CHECK(files == 100 && dirs == 1, "sub: %d files, %d dirs", files, dirs);
	printf("disk_host: sub: %d files, %d directory\n", files, dirs);
	if (fails)
		return 1;
	printf("disk_host ok\n");
	return 0;
}
