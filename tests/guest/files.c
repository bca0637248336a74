/* The file tree on ramfs: open flags, offsets shared by dup, pread and
 * pwrite, lseek, rename over a file, an unlinked file readable until
 * close, links and symlinks (ELOOP), directories, getcwd, stat, and
 * the errors Linux gives. Each line prints what was seen. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#define RENAME_NOREPLACE 1

static const char *en(int r)
{
	return r >= 0 ? "ok" : strerror(errno);
}

static void put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

static const char *get(const char *path)
{
	static char b[128];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return strerror(errno);
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n < 0 ? 0 : n] = 0;
	return b;
}

int main(void)
{
	int fd = open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0600);
	printf("create: fd %d; again with O_EXCL: %s\n", fd,
	       en(open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0600)));
	write(fd, "hello world", 11);
	int d = dup(fd);
	lseek(fd, 6, SEEK_SET);
	char b[32] = { 0 };
	read(d, b, 5);
	printf("dup shares the offset: read \"%s\", now at %ld\n", b,
	       (long)lseek(fd, 0, SEEK_CUR));
	pwrite(fd, "HELLO", 5, 0);
	memset(b, 0, sizeof(b));
	pread(d, b, 11, 0);
	printf("pwrite then pread: \"%s\", offset still %ld\n", b,
	       (long)lseek(d, 0, SEEK_CUR));
	printf("SEEK_END +5: %ld; SEEK_SET -1: %s\n",
	       (long)lseek(fd, 5, SEEK_END), en(lseek(fd, -1, SEEK_SET)));
	write(fd, "!", 1); /* a hole of 5 bytes before it */
	struct stat st;
	fstat(fd, &st);
	pread(fd, b, 17, 0);
	printf("past the end: size %ld, hole reads %d zero bytes\n",
	       (long)st.st_size, !b[11] + !b[12] + !b[13] + !b[14] + !b[15]);
	close(d);
	ftruncate(fd, 5);
	fstat(fd, &st);
	printf("ftruncate 5: size %ld, regular %d, mode %o\n", (long)st.st_size,
	       S_ISREG(st.st_mode), st.st_mode & 0777);
	struct iovec v[2] = { { "ab", 2 }, { "cd", 2 } };
	lseek(fd, 0, SEEK_SET);
	writev(fd, v, 2);
	close(fd);
	printf("writev: \"%s\"\n", get("/tmp/a"));

	/* rename over an existing file, and an unlinked file still open */
	put("/tmp/b", "bee");
	int keep = open("/tmp/b", O_RDONLY);
	const char *rn = en(rename("/tmp/a", "/tmp/b"));
	printf("rename a over b: %s; b is \"%s\"; ", rn, get("/tmp/b"));
	printf("a: %s\n", get("/tmp/a"));
	memset(b, 0, sizeof(b));
	read(keep, b, sizeof(b) - 1);
	printf("the old b, open: \"%s\"\n", b);
	put("/tmp/c", "sea");
	fd = open("/tmp/c", O_RDONLY);
	unlink("/tmp/c");
	memset(b, 0, sizeof(b));
	fstat(fd, &st);
	read(fd, b, sizeof(b) - 1);
	printf("unlinked, open: \"%s\" nlink %lu; by name: %s\n", b,
	       (unsigned long)st.st_nlink, get("/tmp/c"));
	close(fd);
	close(keep);
	rename("/tmp/b", "/tmp/b2");
	put("/tmp/b", "again");
	printf("renameat2 NOREPLACE over b: %s; b is \"%s\"\n",
	       en(syscall(SYS_renameat2, AT_FDCWD, "/tmp/b2", AT_FDCWD,
			  "/tmp/b", RENAME_NOREPLACE)),
	       get("/tmp/b"));

	/* directories */
	const char *m1 = en(mkdir("/tmp/d", 0755));
	printf("mkdir /tmp/d: %s; again: %s\n", m1, en(mkdir("/tmp/d", 0755)));
	put("/tmp/d/f", "in d");
	printf("rmdir a full one: %s; unlink a dir: %s; rmdir a file: %s\n",
	       en(rmdir("/tmp/d")), en(unlink("/tmp/d")),
	       en(rmdir("/tmp/d/f")));
	printf("open a file as a dir: %s; a dir for writing: %s\n",
	       en(open("/tmp/d/f/", O_RDONLY)), en(open("/tmp/d", O_WRONLY)));
	printf("O_DIRECTORY on a file: %s; a missing one: %s\n",
	       en(open("/tmp/d/f", O_RDONLY | O_DIRECTORY)),
	       en(open("/tmp/d/nope", O_RDONLY)));
	char cwd[256];
	chdir("/tmp/d");
	printf("chdir /tmp/d: getcwd %s; f is \"%s\"\n", getcwd(cwd, 256),
	       get("f"));
	chdir("../..");
	printf("chdir ../..: %s; /.. is /: %s\n", getcwd(cwd, 256),
	       get("/../tmp/./d//f"));
	int dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "g", O_WRONLY | O_CREAT, 0644);
	close(fd);
	printf("openat from a dir fd: %s\n", en(access("/tmp/d/g", F_OK)));
	fchdir(dfd);
	printf("fchdir: %s\n", getcwd(cwd, 256));
	chdir("/");
	close(dfd);

	/* links */
	printf("link: %s, nlink ", en(link("/tmp/d/f", "/tmp/hard")));
	stat("/tmp/hard", &st);
	printf("%lu, \"%s\"\n", (unsigned long)st.st_nlink, get("/tmp/hard"));
	symlink("d/f", "/tmp/sym");
	char t[64] = { 0 };
	readlink("/tmp/sym", t, sizeof(t));
	lstat("/tmp/sym", &st);
	printf("symlink: target %s, lstat link %d, through it \"%s\"\n", t,
	       S_ISLNK(st.st_mode), get("/tmp/sym"));
	symlink("loop2", "/tmp/loop1");
	symlink("loop1", "/tmp/loop2");
	printf("a loop: %s; O_NOFOLLOW on a link: %s\n", get("/tmp/loop1"),
	       en(open("/tmp/sym", O_RDONLY | O_NOFOLLOW)));
	symlink("/tmp/d", "/tmp/dirlink");
	printf("through a dir link: \"%s\"; ", get("/tmp/dirlink/f"));
	symlink("/nowhere", "/tmp/dang");
	printf("dangling: %s\n", get("/tmp/dang"));

	/* modes, times, space */
	chmod("/tmp/d/f", 0600);
	chown("/tmp/d/f", 1000, 1000);
	stat("/tmp/d/f", &st);
	printf("chmod, chown: mode %o uid %d gid %d\n", st.st_mode & 07777,
	       (int)st.st_uid, (int)st.st_gid);
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 5 } };
	utimensat(AT_FDCWD, "/tmp/d/f", ts, 0);
	stat("/tmp/d/f", &st);
	printf("utimensat: mtime %ld.%ld\n", (long)st.st_mtim.tv_sec,
	       st.st_mtim.tv_nsec);
	mode_t old = umask(077);
	put("/tmp/masked", "m");
	stat("/tmp/masked", &st);
	printf("umask was %o; a new file under 077: %o\n", old,
	       st.st_mode & 0777);
	struct statfs sf;
	statfs("/tmp", &sf);
	printf("statfs /tmp: ramfs %d\n", sf.f_type == 0x858458f6);
	const char *xd = en(rename("/tmp/d/f", "/f"));
	printf("rename /tmp/d/f to /: %s; a dir into itself: %s\n", xd,
	       en(rename("/tmp/d", "/tmp/d/x")));
	printf("rmdir /tmp (a mount): %s; mkdir /: %s\n", en(rmdir("/tmp")),
	       en(mkdir("/", 0755)));
	char longname[300];
	memset(longname, 'x', 299);
	longname[299] = 0;
	printf("a 299-byte name: %s\n", en(open(longname, O_RDONLY)));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	fd = open("/tmp/hard", O_RDWR);
	printf("F_SETLK: %s; ", en(fcntl(fd, F_SETLK, &fl)));
	fcntl(fd, F_GETLK, &fl);
	printf("F_GETLK: unlocked %d; ", fl.l_type == F_UNLCK);
	printf("flock: %s\n", en(flock(fd, LOCK_EX)));
	printf("files ok\n");
	return 0;
}
