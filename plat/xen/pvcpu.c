/*
 * The CPU as a classic Xen PV guest sees it (struct cpu_ops, arch.h): we
 * run in ring 3 and Xen owns the machine, so what the bare CPU does with
 * a privileged instruction is a hypercall here. The trap table replaces
 * the IDT, callbacks replace the event vector and the SYSCALL MSRs, the
 * interrupt flag is the event mask in vcpu_info, the page-fault address
 * comes from vcpu_info too, and the FS base is set_segment_base. The
 * entry code is arch/x86_64/pventry.S: the kernel's C code runs in PV
 * user mode, like the program, and its hypercalls are forwarded there.
 */
#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

extern char pv_exc_stubs[], pv_event_entry[], pv_failsafe_entry[];
extern char pv_syscall_entry[];
void pv_poke(void);
void pv_regs_enter(struct regs *r) __attribute__((__noreturn__));

static uint64_t fs_base; /* what set_segment_base was last given */

static vcpu_info_t *vcpu(void)
{
	return &xen_shared->vcpu_info[0];
}

/* CPUID as Xen's policy for this guest has it (the forced-emulation
 * prefix): what Xen lets us enable. A plain CPUID shows the hardware. */
static void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile(XEN_CPUID
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static void pv_init(void)
{
	/* Interrupt gates all (events masked on entry); int3 and into may
	 * come from the program. 2 (NMI), 8 (#DF), 18 (#MC): Xen's. */
	static struct trap_info traps[33];
	int n = 0;
	for (int v = 0; v < 32; v++) {
		if (v == 2 || v == 8 || v == 18)
			continue;
		traps[n] = (struct trap_info){
			.vector = v,
			.cs = FLAT_KERNEL_CS,
			.address = (uintptr_t)(pv_exc_stubs + 16 * v),
		};
		TI_SET_DPL(&traps[n], v == 3 || v == 4 ? 3 : 0);
		TI_SET_IF(&traps[n], 1);
		n++;
	}
	if (pv_set_trap_table(traps) ||
	    pv_callback_register(CALLBACKTYPE_event, pv_event_entry, 0) ||
	    pv_callback_register(CALLBACKTYPE_failsafe, pv_failsafe_entry,
				 CALLBACKF_mask_events) ||
	    pv_callback_register(CALLBACKTYPE_syscall, pv_syscall_entry,
				 CALLBACKF_mask_events))
		panic("cannot install the trap table and callbacks");
	/* CR0.TS off: the FPU state is switched eagerly (kern/sched.c). */
	pv_fpu_taskswitch(0);
	/* Xen keeps CR4 and says in our CPUID policy whether it lets us
	 * use XSAVE (1:ECX.OSXSAVE), and for which components (0xd:0);
	 * xsetbv is emulated. */
	uint32_t r[4];
	uint64_t allowed = 0;
	pv_cpuid(1, 0, r);
	if (r[2] & (1u << 27)) {
		pv_cpuid(0xd, 0, r);
		allowed = ((uint64_t)r[3] << 32) | r[0];
	}
	cpu_xsave_setup(allowed);
}

static void pv_set_stacks(void *top[3])
{
	if (pv_stack_switch(FLAT_KERNEL_SS, (uintptr_t)top[0]))
		panic("cannot set the kernel stack");
}

/*
 * The interrupt flag is vcpu_info's event mask. Before shared_info is
 * mapped (early boot) events are masked anyway: Xen starts us so.
 */
static unsigned long pv_irq_save(void)
{
	if (!xen_shared)
		return 0;
	uint8_t was = vcpu()->evtchn_upcall_mask;
	vcpu()->evtchn_upcall_mask = 1;
	/* The mask is set before anything the caller does next. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return was ? 0 : RFLAGS_IF;
}

/* Also pventry.S's, on the way back to the program. */
void pv_irq_restore(unsigned long flags)
{
	if (!(flags & RFLAGS_IF) || !xen_shared)
		return;
	/*
	 * Unmask, then look for what came while masked: Xen delivers
	 * events only on its way back to us, so make it come by. The
	 * order matters: (1) unmask; (2) an event raised after (1) makes
	 * Xen interrupt us at once; (3) one raised before (1) has its
	 * pending flag set, which we see here.
	 */
	vcpu()->evtchn_upcall_mask = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vcpu()->evtchn_upcall_pending)
		pv_poke();
}

static uintptr_t pv_fault_addr(void)
{
	return xen_shared ? vcpu()->arch.cr2 : 0;
}

/* A hypercall each time (no FSGSBASE for a PV guest without the CPU's
 * and Xen's consent): only when it changes. */
static void pv_set_fs(uint64_t base)
{
	if (base == fs_base)
		return;
	if (pv_set_segment_base(SEGBASE_FS, base))
		panic("cannot set the FS base");
	fs_base = base;
}

static uint64_t pv_get_fs(void)
{
	return fs_base;
}

static void pv_debugcon_write(const char *buf, size_t len)
{
	pv_console_write(buf, len); /* -EPERM on a release Xen: nothing */
}

void pv_failsafe(void)
{
	panic("Xen's failsafe callback: a segment register could not be "
	      "loaded");
}

const struct cpu_ops xenpv_cpu_ops = {
	.name = "xen-pv",
	.init = pv_init,
	.set_stacks = pv_set_stacks,
	.irq_save = pv_irq_save,
	.irq_restore = pv_irq_restore,
	/* The kernel runs in user mode as the program does (pventry.S):
	 * a direct call from it masks events, nothing more. */
	.call_enter = pv_irq_save,
	.call_leave = pv_irq_restore,
	.fault_addr = pv_fault_addr,
	.set_fs = pv_set_fs,
	.get_fs = pv_get_fs,
	.debugcon_write = pv_debugcon_write,
	.regs_enter = pv_regs_enter,
};
