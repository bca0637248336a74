/*
 * The cpio (newc) parser (fs/cpio.c) and the unpacking into the root
 * (fs/rootfs.c), on ramfs with the fakes: good archives, then hostile
 * ones: "..", absolute names, bad magic and hex, a name or data past the
 * end, a name without its NUL, a missing trailer, and a symlink the
 * archive made that a later entry must replace, never write through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kern/kern.h"
#include "fs/fs.h"
#include "sys/sys.h"
#include "tests/unit/test.h"
#include "tests/unit/fake_kern.h"

struct page_pool pages = { .free_pages = 1 << 20, .total_pages = 1 << 20 };
bool kquiet = true;

static uint8_t ar[65536];
static size_t arlen;

/* Append one entry, as cpio -H newc writes it; namesize and size may lie. */
static void put_raw(const char *name, size_t namesize, unsigned mode,
		    const void *data, size_t len, size_t size)
{
	char h[111];
	snprintf(h, sizeof(h),
		 "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 1, mode, 0, 0, 1, 1700000000, size, 0, 0, 0, 0, namesize, 0);
	memcpy(ar + arlen, h, 110);
	arlen += 110;
	memcpy(ar + arlen, name, strlen(name) + 1);
	arlen += strlen(name) + 1;
	arlen = (arlen + 3) & ~3UL;
	if (len)
		memcpy(ar + arlen, data, len);
	arlen += len;
	arlen = (arlen + 3) & ~3UL;
}

static void put(const char *name, unsigned mode, const char *data)
{
	size_t n = data ? strlen(data) : 0;
	put_raw(name, strlen(name) + 1, mode, data, n, n);
}

static void trailer(void)
{
	put("TRAILER!!!", 0, NULL);
}

static int count_fn(void *ctx, const struct cpio_entry *e)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

static int parse(const char **why)
{
	int n = 0;
	*why = NULL;
	int r = cpio_parse(ar, arlen, count_fn, &n, why);
	return r ? r : n;
}

static const char *cat(const char *path)
{
	static char b[64];
	int fd = sys_open(path, O_RDONLY, 0);
	if (fd < 0)
		return "(none)";
	long n = sys_read(fd, b, sizeof(b) - 1);
	sys_close(fd);
	b[n < 0 ? 0 : n] = 0;
	return b;
}

static void good(void)
{
	const char *why;
	arlen = 0;
	put(".", S_IFDIR | 0755, NULL);
	put("./etc", S_IFDIR | 0755, NULL);
	put("./etc/motd", S_IFREG | 0640, "hi\n");
	put("deep/er/file", S_IFREG | 0644, "made its parents");
	put("./link", S_IFLNK | 0777, "etc/motd");
	put("empty", S_IFREG | 0644, NULL);
	trailer();
	CHECK_EQ(parse(&why), 6);
	CHECK_EQ(cpio_unpack(ar, arlen), 0);
	CHECK_STR(cat("/etc/motd"), "hi\n");
	CHECK_STR(cat("/link"), "hi\n");
	CHECK_STR(cat("/deep/er/file"), "made its parents");
	CHECK_STR(cat("/empty"), "");
	struct stat st;
	CHECK_EQ(sys_stat("/etc/motd", &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0640);
	CHECK_EQ(st.st_mtim.tv_sec, 1700000000);
	CHECK_EQ(sys_lstat("/link", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
}

static void names(void)
{
	CHECK(cpio_name_ok("a/b", 3));
	CHECK(cpio_name_ok("./a", 3));
	CHECK(cpio_name_ok("a..b/..c", 8));
	CHECK(!cpio_name_ok("", 0));
	CHECK(!cpio_name_ok("/etc/passwd", 11));
	CHECK(!cpio_name_ok("..", 2));
	CHECK(!cpio_name_ok("../x", 4));
	CHECK(!cpio_name_ok("a/../../x", 9));
	CHECK(!cpio_name_ok("a/..", 4));
	char longc[300];
	memset(longc, 'n', sizeof(longc));
	CHECK(!cpio_name_ok(longc, sizeof(longc)));
	/* refused entries are skipped; the rest is unpacked */
	arlen = 0;
	put("../escape", S_IFREG | 0644, "no");
	put("/abs", S_IFREG | 0644, "no");
	put("n/../../up", S_IFREG | 0644, "no");
	put("fifo", S_IFIFO | 0644, NULL);
	put("kept", S_IFREG | 0644, "yes");
	trailer();
	CHECK_EQ(cpio_unpack(ar, arlen), 0);
	CHECK_STR(cat("/kept"), "yes");
	CHECK_STR(cat("/escape"), "(none)");
	CHECK_STR(cat("/abs"), "(none)");
	CHECK_STR(cat("/up"), "(none)");
	CHECK_STR(cat("/fifo"), "(none)");
	CHECK(strstr(fake_printk, "refusing \"../escape\""));
}

static void through_links(void)
{
	/* a link to a file elsewhere, then a file of the same name: the
	 * link is replaced; the target keeps its contents */
	arlen = 0;
	put("victim", S_IFREG | 0644, "original");
	put("trap", S_IFLNK | 0777, "victim");
	put("trap", S_IFREG | 0644, "replaced");
	put("dl", S_IFLNK | 0777, "/");
	put("bad", S_IFLNK | 0777, NULL); /* an empty target */
	trailer();
	CHECK_EQ(cpio_unpack(ar, arlen), 0);
	CHECK_STR(cat("/victim"), "original");
	CHECK_STR(cat("/trap"), "replaced");
	CHECK_STR(cat("/bad"), "(none)");
}

static void broken(void)
{
	const char *why;
	arlen = 0;
	put("a", S_IFREG | 0644, "x");
	CHECK_EQ(parse(&why), -EINVAL); /* no trailer */
	CHECK_STR(why, "no TRAILER!!! entry (truncated?)");
	CHECK_EQ(cpio_unpack(ar, arlen), -EINVAL);
	arlen -= 10; /* a cut header */
	CHECK_EQ(parse(&why), -EINVAL);
	arlen = 0;
	put_raw("big", 4, S_IFREG | 0644, "x", 1, 1000000); /* data past end */
	trailer();
	CHECK_EQ(parse(&why), -EINVAL);
	CHECK_STR(why, "an entry's data past the end (truncated?)");
	arlen = 0;
	put_raw("n", 0x7fffffff, S_IFREG, NULL, 0, 0); /* name past end */
	trailer();
	CHECK_EQ(parse(&why), -EINVAL);
	CHECK_STR(why, "a name past the end");
	arlen = 0;
	put_raw("ab", 2, S_IFREG, NULL, 0, 0); /* "a" then 'b', not NUL */
	trailer();
	CHECK_EQ(parse(&why), -EINVAL);
	arlen = 0;
	put_raw("ab", 1, S_IFREG, NULL, 0, 0); /* only a NUL */
	CHECK_EQ(parse(&why), -EINVAL);
	CHECK_STR(why, "an empty name");
	arlen = 0;
	put("a", S_IFREG, NULL);
	ar[10] = 'g'; /* not hex */
	CHECK_EQ(parse(&why), -EINVAL);
	CHECK_STR(why, "a header field that is not hex");
	ar[3] = '9';
	CHECK_EQ(parse(&why), -EINVAL);
	arlen = 0;
	CHECK_EQ(parse(&why), -EINVAL); /* empty */
	/* and a good one still parses after all that */
	arlen = 0;
	put("a", S_IFREG, NULL);
	trailer();
	CHECK_EQ(parse(&why), 1);
}

int main(int argc, char **argv)
{
	test_init("cpio", argc, argv);
	fake_kern_reset();
	vfs_init();
	fd_init();
	RUN(good);
	RUN(names);
	RUN(through_links);
	RUN(broken);
	return test_summary();
}
