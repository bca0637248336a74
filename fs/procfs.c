/*
 * /proc as programs read it, and the /etc files a program expects:
 * generated files (synth.c) filled from the kernel's state at open, and
 * /proc/self/fd, a directory of its own (a small file system mounted
 * there) whose entries are "magic" links: following one reaches the open
 * file itself, not a path. One process: /proc/self is a directory, and
 * its pid is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fs.h"

/* The program's threads: the kernel's own are not its. */
static int threads(void)
{
	int n = 0;
	for (struct thread *t = thread_first(); t; t = t->all_next)
		n += !t->kthread;
	return n;
}

static size_t mapped_kib(void)
{
	size_t n = 0;
	for (struct vmem_node *v = vm_space.head; v; v = v->next)
		n += (v->end - v->start) / 1024;
	return n;
}

static size_t used_kib(void)
{
	return (pages.total_pages - pages.free_pages) * (KPAGE_SIZE / 1024);
}

static size_t fill_stat(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	/* the 52 fields of proc(5); what is not kept is 0 */
	uint64_t ticks = now_ns() / 10000000; /* USER_HZ 100 */
	synth_printf(b,
		     "1 (%.15s) R 0 1 1 0 -1 4194304 0 0 0 0 %lu 0 0 0 20 0 "
		     "%d 0 0 %lu %lu 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
		     "0 0 0 0 0 0 0 0\n",
		     proc_name(), (unsigned long)ticks, threads(),
		     (unsigned long)mapped_kib() * 1024,
		     (unsigned long)used_kib() / 4);
	return b->len;
}

static size_t fill_status(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b,
		     "Name:\t%.15s\nUmask:\t0%u%u%u\nState:\tR (running)\n"
		     "Tgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n"
		     "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n"
		     "VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%d\n",
		     proc_name(), (vfs_umask >> 6) & 7, (vfs_umask >> 3) & 7,
		     vfs_umask & 7, FD_MAX, (unsigned long)mapped_kib(),
		     (unsigned long)used_kib(), threads());
	return b->len;
}

static size_t fill_comm(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "%.15s\n", proc_name());
	return b->len;
}

static size_t fill_maps(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	for (struct vmem_node *v = vm_space.head; v; v = v->next)
		synth_printf(b, "%08lx-%08lx rw-p 00000000 00:00 0\n",
			     (unsigned long)v->start, (unsigned long)v->end);
	return b->len;
}

static size_t fill_cmdline(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "%s", prog_name);
	b->len = MIN(b->len + 1, b->cap - 1); /* its NUL */
	for (int i = 0; i < kcmdline.narg; i++) {
		synth_printf(b, "%s", kcmdline.arg[i]);
		b->len = MIN(b->len + 1, b->cap - 1);
	}
	return b->len;
}

static size_t fill_cpuinfo(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b,
		     "processor\t: 0\nvendor_id\t: AtmanOS\n"
		     "model name\t: virtual CPU (%s)\nphysical id\t: 0\n"
		     "siblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n\n",
		     plat->name);
	return b->len;
}

static size_t fill_meminfo(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	unsigned long total = pages.total_pages * (KPAGE_SIZE / 1024);
	unsigned long free = pages.free_pages * (KPAGE_SIZE / 1024);
	/* Pages promised to mappings not yet touched are free, but not
	 * available to anyone else. */
	unsigned long avail = page_avail() * (KPAGE_SIZE / 1024);
	synth_printf(b,
		     "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n"
		     "MemAvailable:   %8lu kB\nBuffers:        %8lu kB\n"
		     "Cached:         %8lu kB\nSwapTotal:      %8lu kB\n"
		     "SwapFree:       %8lu kB\n",
		     total, free, avail, 0UL, 0UL, 0UL, 0UL);
	return b->len;
}

static size_t fill_uptime(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	uint64_t cs = now_ns() / 10000000;
	synth_printf(b, "%lu.%02lu %lu.%02lu\n", (unsigned long)(cs / 100),
		     (unsigned long)(cs % 100), (unsigned long)(cs / 100),
		     (unsigned long)(cs % 100));
	return b->len;
}

static size_t fill_loadavg(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "0.00 0.00 0.00 1/%d 1\n", threads());
	return b->len;
}

static size_t fill_hostname(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "atman\n"); /* uname's nodename */
	return b->len;
}

static size_t fill_passwd(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "root:x:0:0:root:/root:/bin/sh\n"
			"nobody:x:65534:65534:nobody:/nonexistent:"
			"/usr/sbin/nologin\n");
	return b->len;
}

static size_t fill_group(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "root:x:0:\nnogroup:x:65534:\n");
	return b->len;
}

static size_t fill_hosts(char *buf, size_t cap)
{
	struct synth_buf sb = { buf, 0, cap }, *b = &sb;
	synth_printf(b, "127.0.0.1\tlocalhost\n127.0.1.1\tatman\n"
			"::1\tlocalhost ip6-localhost ip6-loopback\n");
	return b->len;
}

static const struct {
	const char *path;
	size_t (*fill)(char *buf, size_t cap);
} gen[] = {
	{ "/proc/self/stat", fill_stat },
	{ "/proc/self/status", fill_status },
	{ "/proc/self/comm", fill_comm },
	{ "/proc/self/maps", fill_maps },
	{ "/proc/self/cmdline", fill_cmdline },
	{ "/proc/cpuinfo", fill_cpuinfo },
	{ "/proc/meminfo", fill_meminfo },
	{ "/proc/uptime", fill_uptime },
	{ "/proc/loadavg", fill_loadavg },
	{ "/proc/sys/kernel/hostname", fill_hostname },
	{ "/etc/passwd", fill_passwd },
	{ "/etc/group", fill_group },
	{ "/etc/hosts", fill_hosts },
};

/* /proc/self/fd: entries made on lookup, gone when the last reference
 * goes (nlink 0). A link's priv holds a reference to the open file. */
static struct fs fdfs = { .type = "proc", .magic = 0x9fa0, .dev = 1000 };
static const struct inode_ops fdlink_ops, fdfile_ops;

static long fd_num(const char *name, size_t len)
{
	if (!len || len > 4 || (len > 1 && name[0] == '0'))
		return -1;
	long n = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + name[i] - '0';
	}
	return n < FD_MAX ? n : -1;
}

static int fddir_lookup(struct inode *dir, const char *name, size_t len,
			struct inode **out)
{
	(void)dir;
	long n = fd_num(name, len);
	struct file *f = n < 0 ? NULL : fd_file(n);
	if (!f)
		return -ENOENT;
	struct inode *i = inode_new(&fdfs, S_IFLNK | 0700);
	if (!i) {
		file_put(f);
		return -ENOMEM;
	}
	i->ops = &fdlink_ops;
	i->priv = f;
	*out = i;
	return 0;
}

static int fddir_readdir(struct inode *dir, uint64_t *off, readdir_fn fn,
			 void *ctx)
{
	if (*off == 0 && !fn(ctx, ".", 1, dir->ino, 4, 1))
		*off = 1;
	if (*off == 1 && !fn(ctx, "..", 2, 1, 4, 2))
		*off = 2;
	for (uint64_t fd = *off - 2; *off >= 2 && fd < FD_MAX; fd++) {
		struct file *f = fd_file(fd);
		if (!f)
			continue;
		file_put(f);
		char name[8];
		int len = ksnprintf(name, sizeof(name), "%d", (int)fd);
		if (fn(ctx, name, len, 100 + fd, 10 /* DT_LNK */, fd + 3))
			return 0;
		*off = fd + 3;
	}
	return 0;
}

static const struct inode_ops fddir_ops = {
	.lookup = fddir_lookup,
	.readdir = fddir_readdir,
};

static long fdlink_readlink(struct inode *ln, char *buf, size_t n)
{
	struct file *f = ln->priv;
	struct inode *vi = vfs_file_inode(f);
	char t[64];
	int len;
	if (f == &console_file)
		len = ksnprintf(t, sizeof(t), "/dev/console");
	else if (vi) /* no names are kept for open files */
		len = ksnprintf(t, sizeof(t), "inode:[%lu]",
				(unsigned long)vi->ino);
	else
		len = ksnprintf(t, sizeof(t), "%s:[%lu]", f->ops->name,
				(unsigned long)((uintptr_t)f >> 6));
	len = MIN((size_t)len, n);
	memcpy(buf, t, len);
	return len;
}

static int fdfile_open(struct inode *i, unsigned flags, struct file **out)
{
	(void)flags;
	*out = file_get(i->priv); /* the same open file, as a dup */
	return 0;
}

static int fdlink_get(struct inode *ln, struct inode **out)
{
	struct file *f = ln->priv;
	struct inode *vi = vfs_file_inode(f);
	if (vi) {
		*out = inode_get(vi);
		return 0;
	}
	struct inode *i = inode_new(&fdfs, f->ops->mode | 0600);
	if (!i)
		return -ENOMEM;
	i->ops = &fdfile_ops;
	i->priv = file_get(f);
	i->open = fdfile_open;
	*out = i;
	return 0;
}

static void fd_evict(struct inode *i)
{
	file_put(i->priv);
}

static const struct inode_ops fdlink_ops = {
	.readlink = fdlink_readlink,
	.get_link = fdlink_get,
	.evict = fd_evict,
};
static const struct inode_ops fdfile_ops = { .evict = fd_evict };

static int fill_exe(const char *path)
{
	char t[128];
	ksnprintf(t, sizeof(t), "/%s", prog_name);
	return vfs_symlink(t, vfs_root, path);
}

void procfs_init(void)
{
	for (unsigned k = 0; k < ARRAY_SIZE(gen); k++) {
		int r = vfs_synth_register(gen[k].path, gen[k].fill);
		if (r && r != -EEXIST)
			printk("atman: cannot make %s: error %d\n", gen[k].path,
			       -r);
	}
	fill_exe("/proc/self/exe");
	vfs_mkdir_p("/proc/self/fd", 0500);
	fdfs.root = inode_new(&fdfs, S_IFDIR | 0500);
	if (!fdfs.root)
		return;
	fdfs.root->ops = &fddir_ops;
	fdfs.root->nlink = 2;
	int r = vfs_mount("/proc/self/fd", &fdfs);
	if (r)
		printk("atman: cannot mount /proc/self/fd: error %d\n", -r);
}
