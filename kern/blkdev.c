/*
 * Block devices: the list drivers register into (blkfront) and the file
 * systems look in (/dev/xvdX, mounts), so neither has to know the other.
 */
#include "kern.h"

static struct blkdev *blkdevs, **blkdevs_tail = &blkdevs;

void blkdev_register(struct blkdev *d)
{
	d->next = NULL;
	*blkdevs_tail = d;
	blkdevs_tail = &d->next;
}

struct blkdev *blkdev_first(void)
{
	return blkdevs;
}

struct blkdev *blkdev_find(const char *name)
{
	for (struct blkdev *d = blkdevs; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}
