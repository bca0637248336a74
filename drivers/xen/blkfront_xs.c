/*
 * blkfront's handshake with blkback, on xenbus (xenbus.c), as Linux's
 * blkfront does it in talk_to_blkback and blkback_changed: the ring, its
 * grant, the page pool and the event channel set up first, then
 * published in one transaction; blkback connects once we say
 * Initialised, and on its Connected we read what it published and go
 * Connected. Afterwards a kernel thread follows the backend's state: a
 * backend that goes away (Closing) takes the device off, and every I/O
 * fails with EIO.
 *
 * What we write: ring-ref, event-channel, protocol (x86_64-abi). No
 * feature-persistent (the pool's grants are already ours for the
 * device's life; blkback's persistent maps would only save it the map
 * per request), no feature-large-sector-size (sector numbers on the
 * ring are 512-byte units, as Linux's blkback always counts them).
 *
 * What we read: sectors (512-byte units), sector-size (a power of two,
 * 512 .. 4096), info (VDISK_READONLY; VDISK_CDROM is refused),
 * feature-flush-cache and feature-barrier (fsync's flush),
 * feature-max-indirect-segments (requests of more pages than a ring
 * entry holds), and mode ("r" also makes the device read-only).
 */
#include <errno.h>
#include <sys/mman.h>
#include <xen/io/protocols.h>

#include "xendrv.h"
#include "kern/kern.h"

#define BLKFRONT_MAX	    8
#define BLKFRONT_TIMEOUT_NS (10 * 1000000000ULL)
#define XEN_BLK_MAJOR	    202	       /* Linux's xvd major */
#define XEN_EXT_FLAG	    (1u << 28) /* an extended vdev number */

struct bfx {
	struct blkfront bf;
	struct xenbus_dev xb;
	void *ring;
	grant_ref_t ring_ref;
	evtchn_port_t port;
};

static void bfx_notify(struct blkfront *bf)
{
	evtchn_notify(((struct bfx *)bf->xs)->port);
}

static void bfx_fail(struct blkfront *bf, const char *why)
{
	struct bfx *x = bf->xs;
	xenbus_dev_fatal(&x->xb, -EPROTO, "%s", why);
}

static int bfx_publish(struct xenbus_dev *d, xs_tx tx)
{
	struct bfx *x = d->priv;
	int r;
	if ((r = xenbus_printf(d, tx, "ring-ref", "%u", x->ring_ref)) ||
	    (r = xenbus_printf(d, tx, "event-channel", "%u", x->port)) ||
	    (r = xenbus_printf(d, tx, "protocol", "%s",
			       XEN_IO_PROTO_ABI_X86_64)))
		return r;
	return 0;
}

/* An optional flag of the backend's: absent means 0. */
static bool otherend_flag(struct xenbus_dev *d, const char *node)
{
	unsigned long v = 0;
	return !xenbus_read_otherend(d, node, UINT32_MAX, &v) && v;
}

static int bfx_connect(struct xenbus_dev *d)
{
	struct bfx *x = d->priv;
	struct blkdev *dev = &x->bf.dev;
	unsigned long sectors, ssize, info = 0;
	int r;
	if ((r = xenbus_read_otherend(d, "sectors", UINT64_MAX >> 9,
				      &sectors)) ||
	    (r = xenbus_read_otherend(d, "sector-size", 4096, &ssize)))
		return r;
	if (ssize < 512 || (ssize & (ssize - 1)))
		return -EPROTO;
	xenbus_read_otherend(d, "info", UINT32_MAX, &info);
	if (info & VDISK_CDROM)
		return -EMEDIUMTYPE;
	char path[XENBUS_PATH_MAX + 8], mode[4] = "";
	ksnprintf(path, sizeof(path), "%s/mode", d->otherend);
	xs_read(XS_NOTX, path, mode, sizeof(mode));
	dev->size = (uint64_t)sectors << 9;
	dev->size -= dev->size % ssize; /* whole sectors of its own size */
	dev->sector_size = (unsigned)ssize;
	dev->readonly = (info & VDISK_READONLY) || mode[0] == 'r';
	x->bf.flush_cache = otherend_flag(d, "feature-flush-cache");
	x->bf.barrier = otherend_flag(d, "feature-barrier");
	unsigned long ind = 0;
	xenbus_read_otherend(d, "feature-max-indirect-segments", UINT32_MAX,
			     &ind);
	blkfront_set_indirect(&x->bf, ind);
	x->bf.connected = true;
	evtchn_unmask(x->port);
	if (!kquiet)
		printk("atman: blkfront: %s: %llu sectors of %u bytes, "
		       "requests of up to %u KiB%s\n",
		       dev->name, (unsigned long long)(dev->size / ssize),
		       dev->sector_size,
		       (unsigned)(x->bf.max_segs * KPAGE_SIZE / 1024),
		       x->bf.max_segs > BLK_SEGS ? " (indirect)" : "");
	return 0;
}

static void bfx_disconnect(struct xenbus_dev *d)
{
	struct bfx *x = d->priv;
	x->bf.connected = false;
	wake_all(&x->bf.wq); /* waiters see it and fail */
}

static const struct xenbus_ops bfx_ops = {
	.connect_first = false, /* blkback connects first */
	.publish = bfx_publish,
	.connect = bfx_connect,
	.disconnect = bfx_disconnect,
};

/* The ring, the page pool, their grants, the event channel. */
static int bfx_setup(struct bfx *x)
{
	domid_t be = x->xb.otherend_id;
	int r;
	if (!(x->ring = (void *)page_alloc()))
		return -ENOMEM;
	if ((r = gnttab_grant_page(be, x->ring, false, &x->ring_ref)))
		return r;
	for (unsigned i = 0; i < BLK_PAGES; i++) {
		if (!(x->bf.page[i] = (void *)page_alloc()))
			return -ENOMEM;
		if ((r = gnttab_grant_page(be, x->bf.page[i], false,
					   &x->bf.gref[i])))
			return r;
	}
	/* Indirect pages: the backend only reads the segments we list. */
	for (unsigned i = 0; i < BLK_RING_SIZE; i++) {
		if (!(x->bf.ind[i] = (void *)page_alloc()))
			return -ENOMEM;
		if ((r = gnttab_grant_page(be, x->bf.ind[i], true,
					   &x->bf.ind_gref[i])))
			return r;
	}
	blkfront_rings_init(&x->bf, x->ring);
	return evtchn_alloc(be, blkfront_event, &x->bf, &x->port);
}

/* xvda.. from the virtual-device number (Linux's encodings: major 202
 * with 16 minors a disk, or the extended form); false if it is neither. */
static bool vdev_name(unsigned long vdev, char *name, size_t n, unsigned *disk)
{
	if (vdev & XEN_EXT_FLAG)
		*disk = (unsigned)((vdev >> 8) & 0xfffff);
	else if ((vdev >> 8) == XEN_BLK_MAJOR)
		*disk = (unsigned)((vdev & 0xff) >> 4);
	else
		return false;
	if (*disk < 26)
		ksnprintf(name, n, "xvd%c", 'a' + *disk);
	else if (*disk < 26 * 27)
		ksnprintf(name, n, "xvd%c%c", 'a' + *disk / 26 - 1,
			  'a' + *disk % 26);
	else
		return false;
	return true;
}

static struct bfx *bfx_new(void)
{
	size_t len = ALIGN_UP(sizeof(struct bfx), KPAGE_SIZE);
	long a = vm_mmap(0, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	return a < 0 ? NULL : (struct bfx *)a; /* zeroed */
}

/* Every device/vbd/<id>: handshake, then registered as a blkdev. A
 * device that fails is reported (xenbus_dev_fatal) and left out. */
void blkfront_probe(void)
{
	unsigned ids[BLKFRONT_MAX];
	int n = xenbus_devices("vbd", ids, BLKFRONT_MAX);
	for (int i = 0; i < n; i++) {
		struct bfx *x = bfx_new();
		if (!x) {
			printk("atman: blkfront: out of memory\n");
			return;
		}
		struct blkfront *bf = &x->bf;
		unsigned disk;
		bf->xs = x;
		bf->notify = bfx_notify;
		bf->fail = bfx_fail;
		bf->dev.priv = bf;
		bf->dev.ops = &blkfront_ops;
		int r = xenbus_dev_init(&x->xb, "vbd", ids[i], &bfx_ops, x);
		if (r)
			continue; /* reported, or not there after all */
		if (!vdev_name(ids[i], bf->dev.name, sizeof(bf->dev.name),
			       &disk)) {
			xenbus_dev_fatal(&x->xb, -EINVAL,
					 "virtual-device %u: not an xvd number",
					 ids[i]);
			continue;
		}
		bf->handle = (uint16_t)ids[i];
		bf->dev.major = XEN_BLK_MAJOR;
		bf->dev.minor = disk * 16;
		if ((r = bfx_setup(x))) {
			xenbus_dev_fatal(&x->xb, r, "setting up the ring");
			continue;
		}
		if (xenbus_dev_connect(&x->xb, BLKFRONT_TIMEOUT_NS))
			continue; /* reported */
		if (!kthread_start(xenbus_dev_follow, &x->xb))
			printk("atman: blkfront: %s: no thread to follow the "
			       "backend\n",
			       bf->dev.name);
		blkdev_register(&bf->dev);
	}
}
