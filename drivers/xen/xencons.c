/*
 * The Xen PV console: one page shared with xenconsoled, holding an input
 * and an output ring, plus an event channel each side kicks after moving
 * an index. We are the producer of out[] and the consumer of in[].
 *
 * Output is never dropped: when out[] is full we wait for xenconsoled to
 * consume (it notifies us) and go on. '\n' goes out as "\r\n", as a Linux
 * terminal with ONLCR would send it, so `xl console` shows clean lines.
 */
#include <errno.h>
#include <stdint.h>
#include <xen/io/console.h>

#include "xendrv.h"
#include "arch.h"
#include "kern/kern.h"

uint64_t xencons_pfn;
evtchn_port_t xencons_port;
static struct xencons_interface *intf;
static struct waitq cons_wq;

/* One port for both directions: room in out[] for writers, and maybe
 * input in in[] for readers; each looks at its ring again. */
static void xencons_event(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	wake_all(&cons_wq);
	if (intf && intf->in_cons != intf->in_prod)
		console_input();
}

int xencons_init(void)
{
	uint64_t pfn = xen_rings.console_pfn;
	evtchn_port_t port = xen_rings.console_port;
	if (!pfn)
		return -ENODEV;
	if (paging_map_phys(pfn << PAGE_SHIFT, PAGE_SIZE, PTE_W | paging_nx()))
		return -ENOMEM;
	xencons_pfn = pfn;
	xencons_port = port;
	intf = (struct xencons_interface *)(pfn << PAGE_SHIFT);
	evtchn_bind(xencons_port, xencons_event, NULL);
	evtchn_unmask(xencons_port);
	return 0;
}

void xencons_banner(void)
{
	printk("  console: pfn %#lx evtchn %u\n", xencons_pfn, xencons_port);
}

static uint32_t out_space(void)
{
	/* Read out_cons before we reuse the space it frees. */
	XENCONS_RING_IDX cons =
		__atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE);
	uint32_t used = ring_used(intf->out_prod, cons, sizeof(intf->out));
	if (used == RING_CORRUPT) /* a bad index from the backend */
		return 0;
	return sizeof(intf->out) - used;
}

static void put_bytes(const char *buf, size_t len)
{
	while (len) {
		uint32_t space = out_space();
		if (!space) {
			/* Wait for room, not for an index to move:
			 * xenconsoled may have emptied the ring since. */
			evtchn_notify(xencons_port);
			while (!(space = out_space()))
				evtchn_wait(xencons_port, &cons_wq);
		}
		XENCONS_RING_IDX prod = intf->out_prod;
		size_t n = MIN(space, len);
		for (size_t i = 0; i < n; i++)
			intf->out[MASK_XENCONS_IDX(prod++, intf->out)] = buf[i];
		/* The bytes must be visible before the index that publishes
		 * them. */
		__atomic_store_n(&intf->out_prod, prod, __ATOMIC_RELEASE);
		buf += n;
		len -= n;
	}
}

static void xencons_write(const char *buf, size_t len)
{
	if (!intf) {
		arch_debugcon_write(buf, len);
		return;
	}
	while (len) {
		size_t n = 0;
		while (n < len && buf[n] != '\n')
			n++;
		put_bytes(buf, n);
		if (n < len) {
			put_bytes("\r\n", 2);
			n++;
		}
		buf += n;
		len -= n;
	}
	evtchn_notify(xencons_port);
}

static size_t xencons_read(char *buf, size_t len)
{
	if (!intf)
		return 0;
	XENCONS_RING_IDX cons = intf->in_cons;
	XENCONS_RING_IDX prod =
		__atomic_load_n(&intf->in_prod, __ATOMIC_ACQUIRE);
	size_t n = 0;
	if (ring_used(prod, cons, sizeof(intf->in)) == RING_CORRUPT)
		cons = prod; /* corrupt indices: drop what we cannot trust */
	while (cons != prod && n < len)
		buf[n++] = intf->in[MASK_XENCONS_IDX(cons++, intf->in)];
	/* Done reading the bytes before we hand the space back. */
	__atomic_store_n(&intf->in_cons, cons, __ATOMIC_RELEASE);
	if (n)
		evtchn_notify(xencons_port);
	return n;
}

/* Wait, at most ~2 s, until xenconsoled has taken everything. */
static void xencons_flush(void)
{
	if (!intf)
		return;
	uint64_t until = xen_monotonic_ns() + 2000000000ULL;
	evtchn_notify(xencons_port);
	/* Polled, not slept: we are on the way out, maybe crashing. */
	while (intf->out_cons != intf->out_prod && xen_monotonic_ns() < until) {
		sched_poll(xencons_port, xen_monotonic_ns() + 10000000);
		evtchn_clear(xencons_port);
	}
}

const struct console_ops xencons_ops = {
	.write = xencons_write,
	.read = xencons_read,
	.flush = xencons_flush,
};
