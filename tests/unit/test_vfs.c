/*
 * The VFS (fs/vfs.c, vfs_ops.c, vfs_file.c) on ramfs (fs/ramfs.c), and
 * the syscalls above them (sys/sys_fs.c, sys_fd.c): path lookup ("..",
 * at the root and across a mount, empty components, trailing slashes,
 * symlink loops and nesting, long names), ramfs pages coming back,
 * ENOSPC, offsets shared by dup, unlinked open files, rename's errors.
 * Paths the syscalls take are host memory: fake_kern's vm_user_ok
 * accepts it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kern/kern.h"
#include "fs/fs.h"
#include "sys/sys.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_kern.h"

struct page_pool pages = { .free_pages = 1 << 20, .total_pages = 1 << 20 };

static struct inode *look(const char *p, unsigned flags, int *err)
{
	struct inode *i = NULL;
	*err = vfs_lookup(NULL, p, flags, &i, NULL);
	return *err ? NULL : i;
}

/* The inode number a path reaches, or -errno. */
static long ino_of(const char *p)
{
	int e;
	struct inode *i = look(p, LOOKUP_FOLLOW, &e);
	if (!i)
		return e;
	long n = i->ino;
	inode_put(i);
	return n;
}

static long mkfile(const char *p, const char *data)
{
	int fd = sys_open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fd;
	long r = data ? sys_write(fd, data, strlen(data)) : 0;
	sys_close(fd);
	return r;
}

static void dots(void)
{
	long root = ino_of("/");
	CHECK(root > 0);
	CHECK_EQ(ino_of("/.."), root);
	CHECK_EQ(ino_of("/../../.."), root);
	CHECK_EQ(ino_of("//"), root);
	CHECK_EQ(vfs_mkdir(NULL, "/t1", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t1/a", 0755), 0);
	long a = ino_of("/t1/a");
	CHECK_EQ(ino_of("/t1//a"), a);
	CHECK_EQ(ino_of("/t1/./a/"), a);
	CHECK_EQ(ino_of("/t1/a/.."), ino_of("/t1"));
	CHECK_EQ(ino_of("t1///a//."), a); /* relative, from the cwd / */
	CHECK_EQ(ino_of(""), -ENOENT);
	CHECK_EQ(ino_of("/t1/nope/.."), -ENOENT);
	/* ".." out of a mounted root reaches the mount point's parent */
	long tmp = ino_of("/tmp");
	CHECK(tmp > 0 && tmp != -ENOENT);
	CHECK_EQ(vfs_mkdir(NULL, "/tmp/x", 0755), 0);
	CHECK_EQ(ino_of("/tmp/x/../.."), root);
	CHECK_EQ(ino_of("/tmp/.."), root);
}

static void slashes(void)
{
	CHECK_EQ(vfs_mkdir(NULL, "/t2", 0755), 0);
	CHECK_EQ(mkfile("/t2/f", "x"), 1);
	CHECK_EQ(ino_of("/t2/f/"), -ENOTDIR);
	CHECK_EQ(ino_of("/t2/f/."), -ENOTDIR);
	CHECK(ino_of("/t2/") > 0);
	CHECK_EQ(sys_open("/t2/new/", O_WRONLY | O_CREAT, 0644), -EISDIR);
	CHECK_EQ(vfs_mkdir(NULL, "/t2/d/", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t2/d//", 0755), -EEXIST);
	CHECK_EQ(sys_unlink("/t2/f/"), -ENOTDIR);
	CHECK_EQ(sys_rmdir("/t2/d/"), 0);
	CHECK_EQ(sys_rmdir("/t2/."), -EINVAL);
	CHECK_EQ(sys_rmdir("/"), -EBUSY);
	CHECK_EQ(vfs_mkdir(NULL, "/", 0755), -EEXIST);
}

static void symlinks(void)
{
	CHECK_EQ(vfs_mkdir(NULL, "/t3", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t3/d", 0755), 0);
	CHECK_EQ(mkfile("/t3/d/f", "hi"), 2);
	CHECK_EQ(vfs_symlink("d/f", NULL, "/t3/rel"), 0);
	CHECK_EQ(vfs_symlink("/t3/d", NULL, "/t3/abs"), 0);
	CHECK_EQ(vfs_symlink("../../t3/d/../d", NULL, "/t3/d/up"), 0);
	long f = ino_of("/t3/d/f");
	CHECK_EQ(ino_of("/t3/rel"), f);
	CHECK_EQ(ino_of("/t3/abs/f"), f);
	CHECK_EQ(ino_of("/t3/abs/up/up/f"), f);
	CHECK_EQ(ino_of("/t3/abs/"), ino_of("/t3/d"));
	int e;
	struct inode *l = look("/t3/rel", 0, &e);
	CHECK(l && inode_islnk(l));
	if (l)
		inode_put(l);
	/* loops: two links naming each other; one naming itself */
	CHECK_EQ(vfs_symlink("b", NULL, "/t3/a"), 0);
	CHECK_EQ(vfs_symlink("a", NULL, "/t3/b"), 0);
	CHECK_EQ(vfs_symlink("self/x", NULL, "/t3/self"), 0);
	CHECK_EQ(ino_of("/t3/a"), -ELOOP);
	CHECK_EQ(ino_of("/t3/self"), -ELOOP);
	CHECK_EQ(sys_open("/t3/a", O_RDONLY, 0), -ELOOP);
	CHECK_EQ(sys_open("/t3/rel", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	/* a chain: 40 links is the limit, 41 is a loop */
	char p[32], t[32];
	for (int i = 1; i <= 41; i++) {
		snprintf(p, sizeof(p), "/t3/c%d", i);
		snprintf(t, sizeof(t), i == 1 ? "d/f" : "c%d", i - 1);
		CHECK_EQ(vfs_symlink(t, NULL, p), 0);
	}
	CHECK_EQ(ino_of("/t3/c40"), f);
	CHECK_EQ(ino_of("/t3/c41"), -ELOOP);
	CHECK_EQ(vfs_symlink("/nowhere", NULL, "/t3/dangling"), 0);
	CHECK_EQ(ino_of("/t3/dangling"), -ENOENT);
	CHECK_EQ(vfs_symlink("", NULL, "/t3/empty"), -ENOENT);
	char buf[64] = { 0 };
	CHECK_EQ(sys_readlink("/t3/rel", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "d/f");
	CHECK_EQ(sys_readlink("/t3/d/f", buf, sizeof(buf)), -EINVAL);
}

static void names(void)
{
	char n[300] = "/";
	memset(n + 1, 'a', 255);
	CHECK_EQ(mkfile(n, NULL), 0);
	n[256] = 'a';
	CHECK_EQ(mkfile(n, NULL), -ENAMETOOLONG);
	CHECK_EQ(ino_of(n), -ENAMETOOLONG);
	static char longp[5000];
	memset(longp, '/', sizeof(longp) - 1);
	CHECK_EQ(sys_open(longp, O_RDONLY, 0), -ENAMETOOLONG);
	CHECK_EQ(sys_open((const char *)16, O_RDONLY, 0), -EFAULT);
}

static void pages_back(void)
{
	long base = fake_pages_live;
	int fd = sys_open("/tmp/big", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char buf[3 * 4096 + 7];
	memset(buf, 'q', sizeof(buf));
	/* far out: a hole, then data through the double-indirect pages */
	CHECK_EQ(sys_pwrite64(fd, buf, sizeof(buf), 5L << 20), sizeof(buf));
	long used = fake_pages_live - base;
	CHECK(used >= 4 && used <= 8); /* data, and index pages */
	char c = 1;
	CHECK_EQ(sys_pread64(fd, &c, 1, 4096), 1);
	CHECK_EQ(c, 0); /* the hole */
	CHECK_EQ(sys_pread64(fd, &c, 1, (5L << 20) + 4096), 1);
	CHECK_EQ(c, 'q');
	CHECK_EQ(sys_ftruncate(fd, 10), 0);
	CHECK_EQ(fake_pages_live, base); /* page 0 was never written */
	CHECK_EQ(sys_pwrite64(fd, buf, 100, 0), 100);
	CHECK_EQ(sys_ftruncate(fd, 50), 0);
	CHECK_EQ(sys_ftruncate(fd, 100), 0);
	CHECK_EQ(sys_pread64(fd, &c, 1, 60), 1);
	CHECK_EQ(c, 0); /* truncated away, then regrown: zeros */
	CHECK_EQ(sys_unlink("/tmp/big"), 0);
	CHECK_EQ(fake_pages_live, base + 1); /* still open */
	CHECK_EQ(sys_close(fd), 0);
	CHECK_EQ(fake_pages_live, base);
}

static void nospace(void)
{
	int fd = sys_open("/tmp/full", O_RDWR | O_CREAT, 0644);
	static char buf[8192];
	/* the pool runs dry after one page: a short write, then ENOSPC */
	fake_pages_max = fake_pages_live + 1;
	CHECK_EQ(sys_write(fd, buf, sizeof(buf)), 4096);
	CHECK_EQ(sys_write(fd, buf, sizeof(buf)), -ENOSPC);
	fake_pages_max = -1;
	CHECK_EQ(sys_write(fd, buf, sizeof(buf)), 8192);
	/* the reserve: the kernel's last pages are not the file's */
	size_t keep = pages.free_pages;
	pages.free_pages = RAMFS_RESERVE - 1;
	CHECK_EQ(sys_write(fd, buf, sizeof(buf)), -ENOSPC);
	pages.free_pages = keep;
	CHECK_EQ(sys_write(fd, buf, sizeof(buf)), 8192);
	struct stat st;
	CHECK_EQ(sys_fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 4096 + 8192 + 8192);
	CHECK_EQ(sys_close(fd), 0);
	CHECK_EQ(sys_unlink("/tmp/full"), 0);
}

static void sharing(void)
{
	int fd = sys_open("/tmp/s", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(sys_write(fd, "abcdef", 6), 6);
	int d = sys_dup(fd);
	CHECK_EQ(sys_lseek(fd, 2, SEEK_SET), 2);
	char b[4] = { 0 };
	CHECK_EQ(sys_read(d, b, 2), 2);
	CHECK_STR(b, "cd");
	CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 4);
	/* a second open is a second description: its own offset */
	int o = sys_open("/tmp/s", O_RDONLY, 0);
	CHECK_EQ(sys_read(o, b, 2), 2);
	CHECK_EQ(sys_lseek(o, 0, SEEK_CUR), 2);
	CHECK_EQ(sys_lseek(fd, -1, SEEK_END), 5);
	CHECK_EQ(sys_lseek(fd, -7, SEEK_END), -EINVAL);
	CHECK_EQ(sys_lseek(fd, 0, 9), -EINVAL);
	CHECK_EQ(sys_write(o, "x", 1), -EBADF);
	int a = sys_open("/tmp/s", O_WRONLY | O_APPEND, 0);
	CHECK_EQ(sys_write(a, "gh", 2), 2);
	CHECK_EQ(sys_lseek(a, 0, SEEK_CUR), 8);
	int p[2];
	CHECK_EQ(sys_pipe(p), 0);
	CHECK_EQ(sys_lseek(p[0], 0, SEEK_SET), -ESPIPE);
	CHECK_EQ(sys_pread64(p[0], b, 1, 0), -ESPIPE);
	sys_close(p[0]);
	sys_close(p[1]);
	sys_close(a);
	sys_close(o);
	sys_close(d);
	sys_close(fd);
}

static void renames(void)
{
	CHECK_EQ(vfs_mkdir(NULL, "/t4", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t4/d", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t4/e", 0755), 0);
	CHECK_EQ(mkfile("/t4/e/x", "x"), 1);
	CHECK_EQ(mkfile("/t4/f", "f"), 1);
	CHECK_EQ(mkfile("/t4/g", "g"), 1);
	long g = ino_of("/t4/g");
	CHECK_EQ(sys_rename("/t4/g", "/t4/f"), 0);
	CHECK_EQ(ino_of("/t4/f"), g);
	CHECK_EQ(ino_of("/t4/g"), -ENOENT);
	CHECK_EQ(sys_rename("/t4/d", "/t4/e"), -ENOTEMPTY);
	CHECK_EQ(sys_rename("/t4/d", "/t4/d/in"), -EINVAL);
	CHECK_EQ(sys_rename("/t4/f", "/t4/e"), -EISDIR);
	CHECK_EQ(sys_rename("/t4/d", "/t4/f"), -ENOTDIR);
	CHECK_EQ(sys_rename("/t4/f", "/tmp/f"), -EXDEV);
	CHECK_EQ(sys_rename("/t4/nope", "/t4/x"), -ENOENT);
	CHECK_EQ(sys_rename("/t4/f", "/t4/f"), 0);
	CHECK_EQ(sys_renameat2(AT_FDCWD, "/t4/f", AT_FDCWD, "/t4/e/x", 1),
		 -EEXIST);
	CHECK_EQ(sys_rename("/t4/e", "/t4/d/e2"), 0); /* d was empty: moved */
	CHECK_EQ(ino_of("/t4/d/e2/x") > 0, 1);
	CHECK_EQ(ino_of("/t4/d/e2/../.."), ino_of("/t4"));
	CHECK_EQ(sys_rmdir("/t4/d"), -ENOTEMPTY);
	CHECK_EQ(sys_rename("/tmp", "/t4/tmp"), -EBUSY);
}

static void cwd(void)
{
	char b[256];
	CHECK_EQ(vfs_mkdir(NULL, "/t5", 0755), 0);
	CHECK_EQ(vfs_mkdir(NULL, "/t5/sub", 0755), 0);
	CHECK_EQ(sys_chdir("/t5/sub"), 0);
	CHECK_EQ(sys_getcwd(b, sizeof(b)), 8); /* with the NUL */
	CHECK_STR(b, "/t5/sub");
	CHECK_EQ(sys_getcwd(b, 5), -ERANGE);
	CHECK_EQ(mkfile("here", "h"), 1);
	CHECK(ino_of("/t5/sub/here") > 0);
	CHECK_EQ(sys_chdir("/tmp"), 0);
	CHECK_EQ(sys_getcwd(b, sizeof(b)), 5);
	CHECK_STR(b, "/tmp");
	CHECK_EQ(vfs_mkdir(NULL, "/t5/gone", 0755), 0);
	CHECK_EQ(sys_chdir("/t5/gone"), 0);
	CHECK_EQ(sys_rmdir("/t5/gone"), 0);
	CHECK_EQ(sys_getcwd(b, sizeof(b)), -ENOENT);
	CHECK_EQ(ino_of(".."), -ENOENT);
	CHECK_EQ(mkfile("x", NULL), -ENOENT);
	CHECK_EQ(sys_chdir("/t5/sub/here"), -ENOTDIR);
	CHECK_EQ(sys_chdir("/"), 0);
}

int main(int argc, char **argv)
{
	test_init("vfs", argc, argv);
	fake_kern_reset();
	vfs_init();
	fd_init();
	RUN(dots);
	RUN(slashes);
	RUN(symlinks);
	RUN(names);
	RUN(pages_back);
	RUN(nospace);
	RUN(sharing);
	RUN(renames);
	RUN(cwd);
	return test_summary();
}
