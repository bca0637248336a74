/*
 * Network devices: the list drivers register into and the network stack
 * walks (net/net.c), so neither has to know the other.
 */
#include "kern.h"

static struct netdev *netdevs, **netdevs_tail = &netdevs;

void netdev_register(struct netdev *d)
{
	d->next = NULL;
	*netdevs_tail = d;
	netdevs_tail = &d->next;
}

struct netdev *netdev_first(void)
{
	return netdevs;
}
