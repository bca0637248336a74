/* /dev, /proc and the /etc defaults as a Linux program finds them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int grep(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	char b[64];
	int fd = open("/dev/null", O_RDWR);
	printf("/dev/null: read %zd, write %zd\n", read(fd, b, sizeof(b)),
	       write(fd, "abc", 3));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(b, 1, sizeof(b));
	ssize_t n = read(fd, b, sizeof(b));
	int zeros = 0;
	for (int i = 0; i < 64; i++)
		zeros += !b[i];
	printf("/dev/zero: %zd bytes, %d zero\n", n, zeros);
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	n = write(fd, "x", 1);
	printf("/dev/full: write %s\n", n < 0 ? strerror(errno) : "WROTE");
	close(fd);
	unsigned char r1[16], r2[16];
	fd = open("/dev/urandom", O_RDONLY);
	read(fd, r1, 16);
	read(fd, r2, 16);
	close(fd);
	printf("/dev/urandom: two reads %s\n",
	       memcmp(r1, r2, 16) ? "differ" : "ARE EQUAL");
	printf("urandom sample %02x%02x%02x%02x\n", r1[0], r1[1], r1[2], r1[3]);
	struct stat st;
	stat("/dev/null", &st);
	printf("/dev/null is a char device %d, 1:3 %d\n", S_ISCHR(st.st_mode),
	       st.st_rdev == ((1 << 8) | 3));
	FILE *out = fopen("/dev/stdout", "w");
	fprintf(out, "through /dev/stdout\n");
	fclose(out);
	fd = open("/tmp/f", O_RDWR | O_CREAT, 0644);
	write(fd, "via fd link", 11);
	int nfd = 0, has_f = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			nfd++;
			has_f |= atoi(e->d_name) == fd;
		}
	if (d)
		closedir(d);
	printf("/proc/self/fd: %d entries, fd %d among them %d\n", nfd, fd,
	       has_f);
	char t[64] = { 0 };
	readlink("/proc/self/fd/1", t, sizeof(t) - 1);
	printf("fd 1 is %s\n", t);
	snprintf(b, sizeof(b), "/dev/fd/%d", fd);
	int fd2 = open(b, O_RDONLY);
	memset(t, 0, sizeof(t));
	n = pread(fd2, t, sizeof(t) - 1, 0);
	printf("reopened through %s: \"%s\"\n", b, t);
	printf("/proc/self/fd/99: %s\n", open("/proc/self/fd/99", O_RDONLY) < 0
						 ? strerror(errno)
						 : "OPENED");
	printf("meminfo MemTotal %d, status Name %d, Threads %d\n",
	       grep("/proc/meminfo", "MemTotal:"),
	       grep("/proc/self/status", "Name:\tdevproc"),
	       grep("/proc/self/status", "Threads:\t1"));
	printf("stat: %d, maps: %d, cpuinfo: %d, uptime: %d, loadavg: %d\n",
	       grep("/proc/self/stat", "1 (devproc) R"),
	       grep("/proc/self/maps", "rw-p"),
	       grep("/proc/cpuinfo", "processor"), grep("/proc/uptime", "."),
	       grep("/proc/loadavg", "0.00"));
	printf("hostname %d, passwd root %d, group %d, hosts localhost %d\n",
	       grep("/proc/sys/kernel/hostname", "atman"),
	       grep("/etc/passwd", "root:x:0:0"),
	       grep("/etc/group", "root:x:0:"),
	       grep("/etc/hosts", "127.0.0.1\tlocalhost"));
	printf("writing /proc/meminfo: %s\n",
	       open("/proc/meminfo", O_WRONLY) < 0 ? strerror(errno)
						   : "OPENED");
	memset(t, 0, sizeof(t));
	readlink("/proc/self/exe", t, sizeof(t) - 1);
	printf("exe %s\n", t);
	return 0;
}
