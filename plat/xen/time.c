/*
 * Time on Xen: the pvclock in vcpu_info gives system time (ns since the
 * domain booted) from the TSC; shared_info's wall clock gives the epoch
 * time at system time 0. The one-shot timer is VCPUOP_set_singleshot_timer
 * and fires VIRQ_TIMER.
 */
#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

static uint64_t last_ns;
static evtchn_port_t timer_port;

static uint64_t pvclock_read(void)
{
	struct vcpu_time_info *t = &xen_shared->vcpu_info[0].time;
	uint32_t ver;
	uint64_t tsc_ts, sys, delta;
	uint32_t mul;
	int8_t shift;
	do {
		ver = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
		tsc_ts = t->tsc_timestamp;
		sys = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		/* The fields must be read before the version is re-read:
		 * an odd or changed version means Xen was updating them. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((ver & 1) || ver != t->version);
	delta = rdtsc() - tsc_ts;
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t xen_tsc_ns(uint64_t ticks)
{
	int8_t shift = xen_shared->vcpu_info[0].time.tsc_shift;
	uint32_t mul = xen_shared->vcpu_info[0].time.tsc_to_system_mul;
	if (shift < 0)
		ticks >>= -shift;
	else
		ticks <<= shift;
	return (uint64_t)(((unsigned __int128)ticks * mul) >> 32);
}

uint64_t xen_monotonic_ns(void)
{
	/* Never backwards, even across a TSC or pvclock hiccup. */
	uint64_t now = pvclock_read();
	if (now < last_ns)
		return last_ns;
	last_ns = now;
	return now;
}

uint64_t xen_wallclock_ns(void)
{
	uint32_t ver, sec, nsec, sec_hi;
	do {
		ver = __atomic_load_n(&xen_shared->wc_version,
				      __ATOMIC_ACQUIRE);
		sec = xen_shared->wc_sec;
		nsec = xen_shared->wc_nsec;
		sec_hi = xen_shared->wc_sec_hi;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((ver & 1) || ver != xen_shared->wc_version);
	uint64_t base = (((uint64_t)sec_hi << 32) | sec) * 1000000000ULL + nsec;
	return base + xen_monotonic_ns();
}

/* The vCPU's time by state (Xen counts from the domain's creation), in
 * an area Xen updates at each of the vCPU's state changes, registered at
 * the first call; the current state's stretch, running ours, goes on. */
int xen_cpu_time(struct plat_cpu_time *t)
{
	static struct vcpu_runstate_info area;
	static bool registered;
	if (!xen_shared)
		return -1; /* PV: not mapped before xenpv_init (the pvclock) */
	if (!registered) {
		if (vcpu_runstate_area(&area))
			return -1;
		registered = true;
	}
	struct vcpu_runstate_info rs;
	uint64_t now;
	do { /* Xen may update it between our reads (a preemption) */
		rs = *(volatile struct vcpu_runstate_info *)&area;
		now = pvclock_read();
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (rs.state_entry_time != area.state_entry_time);
	if (rs.state >= 0 && rs.state < 4 && now > rs.state_entry_time)
		rs.time[rs.state] += now - rs.state_entry_time;
	t->running_ns = rs.time[RUNSTATE_running];
	t->runnable_ns = rs.time[RUNSTATE_runnable];
	t->blocked_ns = rs.time[RUNSTATE_blocked];
	return 0;
}

void xen_timer_set(uint64_t deadline_ns)
{
	if (deadline_ns)
		vcpu_set_singleshot(deadline_ns);
	else
		hyp_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
}

static void timer_event(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	timer_interrupt();
}

void xen_time_init(void)
{
	hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (evtchn_bind_virq(VIRQ_TIMER, &timer_port))
		panic("cannot bind VIRQ_TIMER");
	evtchn_bind(timer_port, timer_event, NULL);
	evtchn_unmask(timer_port);
}
