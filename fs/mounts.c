/*
 * The disks' mounts at boot: each atman.mount=DEV:PATH[:ro] option of
 * the command line, then each line of /etc/fstab in the root
 * (DEV PATH TYPE OPTIONS ...: DEV as xvda or /dev/xvda, TYPE ext2, ext3,
 * ext4 or auto, "ro" among the OPTIONS; other devices, types and
 * "noauto" lines are left alone). The mount point is made if missing.
 * A mount that fails says why on the console and the program runs
 * without it. At exit every disk is unmounted: written back, flushed,
 * marked clean.
 */
#include <errno.h>
#include <sys/uio.h>

#include "fs.h"

/* ext is a part of its own: an image whose program makes no file call
 * is linked without it (tools/atman-cc, "Parts" in docs/architecture.md),
 * and these are then NULL. */
#pragma weak ext_mount
#pragma weak ext_unmount

#define MOUNTS_MAX 8

static struct fs *mounted[MOUNTS_MAX];
static unsigned nmounted;

static void mount_one(const char *dev, size_t devlen, const char *path, bool ro,
		      const char *from)
{
	char name[16];
	if (devlen >= 5 && !strncmp(dev, "/dev/", 5)) {
		dev += 5;
		devlen -= 5;
	}
	if (!devlen || devlen >= sizeof(name) || path[0] != '/') {
		printk("atman: mount: %s: expected DEV:/PATH[:ro]\n", from);
		return;
	}
	memcpy(name, dev, devlen);
	name[devlen] = 0;
	struct blkdev *d = blkdev_find(name);
	if (!d) {
		printk("atman: mount: %s: no disk %s\n", from, name);
		return;
	}
	if (nmounted == MOUNTS_MAX) {
		printk("atman: mount: %s: more than %d mounts\n", from,
		       MOUNTS_MAX);
		return;
	}
	struct fs *fs;
	int r = vfs_mkdir_p(path, 0755);
	if (r && r != -EEXIST) {
		printk("atman: mount: %s: cannot make %s (error %d)\n", from,
		       path, -r);
		return;
	}
	if (!ext_mount) {
		printk("atman: mount: %s: this image has no ext2/3/4: its "
		       "program makes no file call, and atman-cc left it out\n",
		       from);
		return;
	}
	if ((r = ext_mount(d, ro, &fs))) {
		printk("atman: mount: %s: %s not mounted (error %d)\n", from,
		       name, -r);
		return;
	}
	if ((r = vfs_mount(path, fs))) {
		printk("atman: mount: %s: on %s: error %d\n", from, path, -r);
		ext_unmount(fs);
		return;
	}
	mounted[nmounted++] = fs;
}

/* atman.mount=xvda:/data[:ro] */
static void mount_opt(const char *v)
{
	const char *colon = strchr(v, ':');
	if (!colon) {
		mount_one(v, 0, "", false, v);
		return;
	}
	char path[PATH_MAX_K];
	size_t n = kstrlcpy(path, colon + 1, sizeof(path));
	bool ro = false;
	if (n >= 3 && !strcmp(path + n - 3, ":ro")) {
		path[n - 3] = 0;
		ro = true;
	}
	mount_one(v, (size_t)(colon - v), path, ro, v);
}

/* One word of line at *p (blank-separated); its length. */
static size_t word(const char **p, const char **w)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	*w = *p;
	while (**p && **p != ' ' && **p != '\t' && **p != '\n')
		(*p)++;
	return (size_t)(*p - *w);
}

static bool has_opt(const char *opts, size_t n, const char *o)
{
	size_t ol = strlen(o);
	for (size_t i = 0; i + ol <= n; i++)
		if ((i == 0 || opts[i - 1] == ',') &&
		    !strncmp(opts + i, o, ol) &&
		    (i + ol == n || opts[i + ol] == ','))
			return true;
	return false;
}

static void fstab_line(const char *line)
{
	const char *p = line, *dev, *path, *type, *opts;
	size_t dl = word(&p, &dev), pl = word(&p, &path), tl = word(&p, &type),
	       ol = word(&p, &opts);
	if (!dl || dev[0] == '#' || !pl)
		return;
	bool ext = (tl == 4 &&
		    (!strncmp(type, "ext2", 4) || !strncmp(type, "ext3", 4) ||
		     !strncmp(type, "ext4", 4))) ||
		   (tl == 4 && !strncmp(type, "auto", 4));
	bool disk = dl > 3 &&
		    (!strncmp(dev, "xvd", 3) || !strncmp(dev, "/dev/xvd", 8));
	if (!ext || !disk || has_opt(opts, ol, "noauto"))
		return;
	char where[PATH_MAX_K];
	if (pl >= sizeof(where))
		return;
	memcpy(where, path, pl);
	where[pl] = 0;
	mount_one(dev, dl, where, has_opt(opts, ol, "ro"), "/etc/fstab");
}

static void fstab(void)
{
	struct file *f;
	if (vfs_open(vfs_root, "/etc/fstab", 0, 0, &f))
		return;
	char *buf = (char *)page_alloc();
	if (buf) {
		struct iovec iov = { buf, KPAGE_SIZE - 1 };
		struct uio u;
		uio_init(&u, &iov, 1, KPAGE_SIZE - 1, true);
		long n = file_pread(f, &u, 0);
		if (n > 0) {
			buf[n] = 0;
			for (char *l = buf; *l;) {
				char *e = strchr(l, '\n');
				if (e)
					*e = 0;
				fstab_line(l);
				if (!e)
					break;
				l = e + 1;
			}
		}
		page_free((uintptr_t)buf);
	}
	file_put(f);
}

void mounts_boot(const struct cmdline *c)
{
	static const char opt[] = "atman.mount=";
	for (int i = 0; i < c->nopt; i++)
		if (!strncmp(c->opt[i], opt, sizeof(opt) - 1))
			mount_opt(c->opt[i] + sizeof(opt) - 1);
	fstab();
}

void mounts_exit(void)
{
	while (nmounted) {
		struct fs *fs = mounted[--nmounted];
		int r = ext_unmount(fs);
		if (r)
			printk("atman: unmount: error %d: the disk may need "
			       "e2fsck\n",
			       -r);
	}
}
