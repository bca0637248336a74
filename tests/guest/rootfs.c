/* The root from a cpio archive (the table's rootfs key: the directory
 * tests/guest/rootfs, packed): its files, a symlink, a mode kept; the
 * root is writable and /tmp still its own mount. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	char line[128] = "MISSING";
	FILE *f = fopen("/etc/app/config", "r");
	if (f) {
		fgets(line, sizeof(line), f);
		fclose(f);
	}
	printf("config: %s", line);
	struct stat st;
	stat("/etc/app/config", &st);
	struct stat x;
	stat("/www/run.sh", &x);
	printf("modes %o and %o, uid %d\n", st.st_mode & 0777, x.st_mode & 0777,
	       (int)st.st_uid);
	char t[64] = { 0 };
	readlink("/www/config.link", t, sizeof(t) - 1);
	f = fopen("/www/config.link", "r");
	printf("symlink %s: %s\n", t, f ? "opens" : "BROKEN");
	if (f)
		fclose(f);
	int n = 0;
	DIR *d = opendir("/www");
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	printf("/www has %d entries\n", n);
	f = fopen("/www/new.txt", "w");
	printf("the root is writable: %s\n",
	       f && fputs("x", f) >= 0 ? "yes" : "NO");
	if (f)
		fclose(f);
	struct stat r, tm;
	stat("/", &r);
	stat("/tmp", &tm);
	printf("/tmp is a mount: %s\n", r.st_dev != tm.st_dev ? "yes" : "NO");
	/* the user's /etc/hosts wins; /etc/passwd is the default */
	char h[64] = "MISSING", pw[64] = "MISSING";
	f = fopen("/etc/hosts", "r");
	if (f) {
		fgets(h, sizeof(h), f);
		fclose(f);
	}
	f = fopen("/etc/passwd", "r");
	if (f) {
		fgets(pw, sizeof(pw), f);
		fclose(f);
	}
	printf("/etc/hosts: %s/etc/passwd: %s", h, pw);
	return 0;
}
