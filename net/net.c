/*
 * The network stack's life: lwIP started once (at boot when there is a
 * network device, else at the first socket), and the net thread, a kernel
 * thread that takes received frames from the devices and runs lwIP's
 * timers. Sockets call lwIP directly in their system calls; loopback
 * traffic is delivered right after a send (net_loop_flush), so a local
 * peer needs no thread switch to see it.
 */
#include <errno.h>

#include "net.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"

bool net_started;
static struct waitq net_wq;
static bool net_work; /* a device kicked since the thread last looked */

void net_kick(void)
{
	net_work = true;
	wake_all(&net_wq);
}

void net_loop_flush(void)
{
	netif_poll_all();
}

bool net_any_up(void)
{
	struct netif *n;
	NETIF_FOREACH(n)
	{
		bool loop = n->name[0] == 'l' && n->name[1] == 'o';
		if (!loop && netif_is_up(n) &&
		    !ip4_addr_isany_val(*netif_ip4_addr(n)))
			return true;
	}
	return false;
}

/*
 * The net thread. Interrupts are off whenever it runs (kernel context),
 * so "is there work?" and "sleep" cannot be split by a kick: a handler
 * that sets net_work runs only while we are switched out, and its wake
 * finds us on the queue.
 */
static void net_thread(void *arg)
{
	(void)arg;
	for (;;) {
		net_work = false;
		for (struct netdev *d = netdev_first(); d; d = d->next)
			if (d->stack) /* attached: an interface of ours */
				d->ops->poll(d);
		netif_poll_all();
		sys_check_timeouts();
		if (net_work)
			continue;
		u32_t ms = sys_timeouts_sleeptime();
		uint64_t deadline = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE
					    ? 0
					    : now_ns() + (uint64_t)ms * 1000000;
		wait_device(&net_wq, deadline);
	}
}

int net_start(void)
{
	if (net_started)
		return 0;
	lwip_init(); /* lwIP's state, and the loopback interface */
	if (!kthread_start(net_thread, NULL))
		return -ENOMEM;
	net_started = true;
	return 0;
}
