/*
 * Hypercalls, in two layers. The raw stubs call into the hypercall page
 * Xen filled in (xen/start.c); the typed helpers below build the argument
 * structure, return Xen's -errno, and fill out-parameters only on
 * success. No other file builds hypercall arguments.
 */
#ifndef ATMAN_XEN_HYPERCALL_H
#define ATMAN_XEN_HYPERCALL_H

#include <errno.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/grant_table.h>
#include <xen/callback.h>

extern char hypercall_page[4096];

/* Xen may clobber the argument registers, so they are all in-out. */
static inline long hypercall1(unsigned op, uint64_t a1)
{
	register uint64_t rdi __asm__("rdi") = a1;
	long ret;
	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+r"(rdi)
			 : [fn] "r"(hypercall_page + op * 32)
			 : "memory", "rsi", "rdx", "r10", "r8", "rcx", "r11");
	return ret;
}

static inline long hypercall2(unsigned op, uint64_t a1, uint64_t a2)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	long ret;
	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi)
			 : [fn] "r"(hypercall_page + op * 32)
			 : "memory", "rdx", "r10", "r8", "rcx", "r11");
	return ret;
}

static inline long hypercall3(unsigned op, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	register uint64_t rdx __asm__("rdx") = a3;
	long ret;
	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 : [fn] "r"(hypercall_page + op * 32)
			 : "memory", "r10", "r8", "rcx", "r11");
	return ret;
}

static inline long hypercall4(unsigned op, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	register uint64_t rdx __asm__("rdx") = a3;
	register uint64_t r10 __asm__("r10") = a4;
	long ret;
	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10)
			 : [fn] "r"(hypercall_page + op * 32)
			 : "memory", "r8", "rcx", "r11");
	return ret;
}

static inline long hyp_xen_version(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_xen_version, cmd, (uintptr_t)arg);
}

static inline long hyp_memory_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_memory_op, cmd, (uintptr_t)arg);
}

static inline long hyp_evtchn_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg);
}

static inline long hyp_sched_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_sched_op, cmd, (uintptr_t)arg);
}

static inline long hyp_vcpu_op(int cmd, int vcpu, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, (uintptr_t)arg);
}

static inline long hyp_grant_table_op(int cmd, void *arg, unsigned count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, (uintptr_t)arg,
			  count);
}

static inline long xen_add_to_physmap(unsigned space, unsigned long idx,
				      uint64_t gpfn)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gpfn
	};
	return hyp_memory_op(XENMEM_add_to_physmap, &x);
}

/* Our grant table's frames: how many now and at most; -EIO if Xen's
 * status (a GNTST_ code, not an errno) says no. */
static inline long gnttab_query_size(uint32_t *nr, uint32_t *max)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	long r = hyp_grant_table_op(GNTTABOP_query_size, &q, 1);
	if (r == 0 && q.status != GNTST_okay)
		r = -EIO;
	if (r == 0) {
		*nr = q.nr_frames;
		*max = q.max_nr_frames;
	}
	return r;
}

/* A classic PV guest's grant table: Xen says which machine frames hold
 * its first n frames (frames[n]); -EIO if its status says no. */
static inline long gnttab_setup_table(uint32_t n, xen_pfn_t *frames)
{
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = n };
	set_xen_guest_handle(s.frame_list, frames);
	long r = hyp_grant_table_op(GNTTABOP_setup_table, &s, 1);
	if (r == 0 && s.status != GNTST_okay)
		r = -EIO;
	return r;
}

static inline long gnttab_set_version(uint32_t version)
{
	struct gnttab_set_version v = { .version = version };
	return hyp_grant_table_op(GNTTABOP_set_version, &v, 1);
}

static inline long hvm_get_param(uint32_t idx, uint64_t *val)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = idx };
	long r =
		hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p);
	if (r == 0)
		*val = p.value;
	return r;
}

/* Several HVM parameters in one trap to Xen (a multicall): val[i] and
 * err[i] for idx[i] (err 0: val is set). Xen without HVM multicalls:
 * one call each. n at most HVM_PARAMS_MAX. */
#define HVM_PARAMS_MAX 8
static inline void hvm_get_params(const uint32_t *idx, uint64_t *val, long *err,
				  unsigned n)
{
	struct xen_hvm_param p[HVM_PARAMS_MAX];
	struct multicall_entry mc[HVM_PARAMS_MAX];
	for (unsigned i = 0; i < n; i++) {
		p[i] = (struct xen_hvm_param){ .domid = DOMID_SELF,
					       .index = idx[i] };
		mc[i] = (struct multicall_entry){
			.op = __HYPERVISOR_hvm_op,
			.args = { HVMOP_get_param, (uintptr_t)&p[i] },
		};
	}
	if (hypercall2(__HYPERVISOR_multicall, (uintptr_t)mc, n)) {
		for (unsigned i = 0; i < n; i++)
			err[i] = hvm_get_param(idx[i], &val[i]);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		err[i] = (long)mc[i].result;
		if (!err[i])
			val[i] = p[i].value;
	}
}

static inline long hvm_set_param(uint32_t idx, uint64_t val)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = idx,
				   .value = val };
	return hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, (uintptr_t)&p);
}

static inline long evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };
	return hyp_evtchn_op(EVTCHNOP_send, &s);
}

static inline long evtchn_bind_virq(uint32_t virq, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
	long r = hyp_evtchn_op(EVTCHNOP_bind_virq, &b);
	if (r == 0)
		*port = b.port;
	return r;
}

static inline long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF,
					  .remote_dom = remote };
	long r = hyp_evtchn_op(EVTCHNOP_alloc_unbound, &a);
	if (r == 0)
		*port = a.port;
	return r;
}

static inline long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };
	return hyp_evtchn_op(EVTCHNOP_close, &c);
}

static inline long evtchn_unmask_op(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };
	return hyp_evtchn_op(EVTCHNOP_unmask, &u);
}

static inline long sched_shutdown(unsigned reason)
{
	struct sched_shutdown s = { .reason = reason };
	return hyp_sched_op(SCHEDOP_shutdown, &s);
}

/* Block until port is pending or the absolute system time timeout_ns
 * passes (0: no timeout); works with interrupts off. */
static inline long sched_poll(evtchn_port_t port, uint64_t timeout_ns)
{
	struct sched_poll p = { .nr_ports = 1, .timeout = timeout_ns };
	set_xen_guest_handle(p.ports, &port);
	return hyp_sched_op(SCHEDOP_poll, &p);
}

static inline long vcpu_set_singleshot(uint64_t abs_ns)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = abs_ns };
	return hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

/* Xen keeps *rs up to date with the vCPU's time by state. */
static inline long vcpu_runstate_area(struct vcpu_runstate_info *rs)
{
	struct vcpu_register_runstate_memory_area a = { .addr.v = rs };
	return hyp_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

/* --- classic PV only: the privileged work of a guest in ring 3 --- */

/* The virtual IDT: entries up to one whose address is 0. */
static inline long pv_set_trap_table(const struct trap_info *table)
{
	return hypercall1(__HYPERVISOR_set_trap_table, (uintptr_t)table);
}

static inline long pv_callback_register(uint16_t type, void *entry,
					uint16_t flags)
{
	struct callback_register cb = { .type = type,
					.flags = flags,
					.address = (uintptr_t)entry };
	return hypercall2(__HYPERVISOR_callback_op, CALLBACKOP_register,
			  (uintptr_t)&cb);
}

/* The stack Xen switches to on an entry from guest user mode. */
static inline long pv_stack_switch(unsigned long ss, uintptr_t sp)
{
	return hypercall2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline long pv_fpu_taskswitch(int set)
{
	return hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long pv_set_segment_base(unsigned which, uint64_t base)
{
	return hypercall2(__HYPERVISOR_set_segment_base, which, base);
}

/* Page-table writes, in order; *done: how many took effect. */
static inline long pv_mmu_update(const struct mmu_update *req, unsigned count,
				 unsigned *done)
{
	return hypercall4(__HYPERVISOR_mmu_update, (uintptr_t)req, count,
			  (uintptr_t)done, DOMID_SELF);
}

static inline long pv_mmuext_op(const struct mmuext_op *op, unsigned count)
{
	return hypercall4(__HYPERVISOR_mmuext_op, (uintptr_t)op, count, 0,
			  DOMID_SELF);
}

/* Xen's own console (xl dmesg): a domU may write only to a debug Xen. */
static inline long pv_console_write(const char *buf, unsigned len)
{
	return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, len,
			  (uintptr_t)buf);
}

#endif
