/*
 * Event channels, 2-level ABI: shared_info holds a pending and a mask bit
 * per port, and vcpu_info a selector word saying which pending words to
 * look at. Xen raises VEC_UPCALL; the handler here only calls the bound
 * port handlers, which only wake threads.
 *
 * Ports are bound with their mask bit set and unmasked by the caller when
 * ready. Handlers run with interrupts off.
 */
#include <errno.h>

#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

#define MAX_PORTS     1024
#define BITS_PER_WORD 64

static struct {
	evtchn_handler_t fn;
	void *data;
} handlers[MAX_PORTS];

/* The bound ports, for SCHEDOP_poll (Xen takes at most 128). */
#define MAX_BOUND 128
static evtchn_port_t bound[MAX_BOUND];
static unsigned nbound;

static void upcall(struct regs *r)
{
	(void)r;
	vcpu_info_t *vi = &xen_shared->vcpu_info[0];
	while (vi->evtchn_upcall_pending) {
		vi->evtchn_upcall_pending = 0;
		/* Clear the flag before taking the selector: Xen sets the
		 * selector first, then the flag, so a port raised after our
		 * xchg sets the flag again and we loop. */
		unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel,
							0, __ATOMIC_SEQ_CST);
		while (sel) {
			int w = __builtin_ctzl(sel);
			sel &= sel - 1;
			unsigned long pend = xen_shared->evtchn_pending[w] &
					     ~xen_shared->evtchn_mask[w];
			while (pend) {
				int b = __builtin_ctzl(pend);
				pend &= pend - 1;
				evtchn_port_t port = w * BITS_PER_WORD + b;
				evtchn_clear(port);
				if (port < MAX_PORTS && handlers[port].fn)
					handlers[port].fn(port,
							  handlers[port].data);
			}
		}
	}
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t fn, void *data)
{
	if (port >= MAX_PORTS)
		return -EINVAL;
	if (!handlers[port].fn) {
		if (nbound == MAX_BOUND)
			return -ENOSPC;
		bound[nbound++] = port;
	}
	handlers[port].fn = fn;
	handlers[port].data = data;
	return 0;
}

void evtchn_unbind(evtchn_port_t port)
{
	if (port >= MAX_PORTS)
		return;
	__atomic_or_fetch(&xen_shared->evtchn_mask[port / BITS_PER_WORD],
			  1UL << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
	if (!handlers[port].fn)
		return;
	handlers[port].fn = NULL;
	for (unsigned i = 0; i < nbound; i++)
		if (bound[i] == port) {
			bound[i] = bound[--nbound];
			break;
		}
}

/*
 * Wait once for news on port from the other end (xenconsoled,
 * xenstored); callers look at their ring again after, whatever woke
 * them. A thread sleeps on q, which the port's handler wakes; where
 * nobody may sleep (early boot, a handler, a crash) we poll the port
 * instead. After 100 ms without news we kick the other end again: a
 * notification lost on either side (seen in the box under load) must
 * cost a pause, never a hang.
 */
void evtchn_wait(evtchn_port_t port, struct waitq *q)
{
	if (!can_sleep()) {
		sched_poll(port, xen_monotonic_ns() + 10000000);
		evtchn_clear(port);
		return;
	}
	if (!wait_device(q, now_ns() + 100000000))
		evtchn_notify(port);
}

/*
 * Idle: sleep until one of our ports is pending, then run its handler,
 * with interrupts off throughout. Every event source we have is a port
 * (the timer is VIRQ_TIMER), so nothing is missed. Waiting this way
 * rather than with sti; hlt means no upcall vector is injected into an
 * idle vCPU: under nested virtualisation (the box) such an injection was
 * occasionally delivered twice, the second frame overwriting the first
 * on the IST stack, and the guest then looped in the stub for ever.
 */
void evtchn_idle(void)
{
	struct sched_poll p = { .nr_ports = nbound, .timeout = 0 };
	set_xen_guest_handle(p.ports, bound);
	if (nbound)
		hyp_sched_op(SCHEDOP_poll, &p);
	irq_nesting++; /* handlers run as in an interrupt: they only wake */
	upcall(NULL);
	irq_nesting--;
}

void evtchn_unmask(evtchn_port_t port)
{
	unsigned w = port / BITS_PER_WORD;
	unsigned long bit = 1UL << (port % BITS_PER_WORD);
	/* The mask bit is ours to clear (no hypercall: a trap to Xen is
	 * dear, in the box most of all). Then, in this order:
	 *   1. we clear the mask bit (a locked op: it is seen before 2);
	 *   2. we read the pending bit.
	 * Pending set before 1 raised no upcall (masked): 2 sees it and
	 * Xen's unmask re-raises it. Set after 1: Xen saw the mask clear
	 * and raised the upcall itself (2 may see it too: one more unmask,
	 * harmless). */
	__atomic_and_fetch(&xen_shared->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&xen_shared->evtchn_pending[w], __ATOMIC_SEQ_CST) &
	    bit)
		evtchn_unmask_op(port);
}

void evtchn_clear(evtchn_port_t port)
{
	__atomic_and_fetch(&xen_shared->evtchn_pending[port / BITS_PER_WORD],
			   ~(1UL << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

void evtchn_init(void)
{
	/* Start with every port masked; each user unmasks its own. */
	for (int i = 0; i < BITS_PER_WORD; i++)
		xen_shared->evtchn_mask[i] = ~0UL;
	irq_set_handler(VEC_UPCALL, upcall);
}

int evtchn_alloc(domid_t remote, evtchn_handler_t fn, void *data,
		 evtchn_port_t *port)
{
	evtchn_port_t p;
	long r = evtchn_alloc_unbound(remote, &p);
	if (r)
		return (int)r;
	/* evtchn_init masked every port we can bind; it stays masked until
	 * the caller's ring is ready for the first event. */
	r = evtchn_bind(p, fn, data);
	if (r) {
		evtchn_close(p);
		return (int)r;
	}
	*port = p;
	return 0;
}

void evtchn_free(evtchn_port_t port)
{
	evtchn_unbind(port); /* masks it: no handler runs from here on */
	evtchn_close(port);
	evtchn_clear(port);
}
