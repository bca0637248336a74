/*
 * The signal frame, laid out as Linux's x86_64 rt_sigframe: the handler
 * finds its return address (the restorer, musl's __restore_rt or Go's
 * own) at its stack pointer, then a ucontext_t, then the siginfo_t; the
 * FPU state sits above them, 64-byte aligned, pointed to by
 * uc_mcontext.fpregs. rt_sigreturn reads the ucontext back from where
 * the restorer's stack pointer is (just past the return address), so a
 * handler may change the context it returns to, as Go's preemption does.
 */
#include <signal.h>
#include <ucontext.h>

#include "arch.h"
#include "kern/kern.h"

#define RED_ZONE     128
#define KERNEL_NEAR  (64 * 1024) /* the kernel is on the stack in use */
#define KERNEL_ROOM  4096	 /* what it may still use below us */
#define MXCSR_INIT   0x1f80	 /* all exceptions masked, round to nearest */
#define FCW_INIT     0x037f
#define RFLAGS_USER  0x0cd5 /* CF PF AF ZF SF DF OF: what sigreturn takes */
#define RFLAGS_TF_DF 0x0500 /* cleared for the handler, as Linux does */

struct sigframe {
	uintptr_t pretcode;
	ucontext_t uc;
	siginfo_t info;
};

static void info_fill(siginfo_t *si, const struct ksiginfo *k)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = k->signo;
	si->si_code = k->code;
	if (k->addr) {
		si->si_addr = (void *)k->addr;
		return;
	}
	if (k->code == SI_TIMER) {
		si->si_timerid = k->timerid;
		si->si_overrun = k->overrun;
		si->si_value.sival_ptr = (void *)k->value;
		return;
	}
	si->si_pid = k->pid;
	si->si_uid = k->uid;
	if (k->code == SI_QUEUE)
		si->si_value.sival_ptr = (void *)k->value;
}

static bool on_altstack(const struct thread *t, uintptr_t sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp <= t->altstack_sp + t->altstack_size;
}

bool arch_regs_syscall(const struct regs *r)
{
	return r->vec == (uint64_t)-1;
}

bool arch_signal_enter(struct regs *r, const struct ksiginfo *info,
		       const struct ksigaction *a, uint64_t oldmask,
		       struct thread *t)
{
	uintptr_t sp = r->rsp;
	bool onstack = on_altstack(t, sp);
	if ((a->flags & SA_ONSTACK) && t->altstack_size && !onstack &&
	    !(t->altstack_flags & SS_DISABLE))
		sp = t->altstack_sp + t->altstack_size;
	else
		sp -= RED_ZONE; /* the interrupted code's live data */
	/* A syscall (or an interrupt of program code) runs the kernel on
	 * the thread's own stack, just below the red zone: the frame goes
	 * below what the kernel is using, never over it. The handler does
	 * not care that its frame is not next to the interrupted code's. */
	uintptr_t k = (uintptr_t)__builtin_frame_address(0);
	if (k < sp && sp - k < KERNEL_NEAR)
		sp = k - KERNEL_ROOM;
	uintptr_t top = sp;
	uintptr_t fp = ALIGN_DOWN(sp - cpu.xsave_size, 64);
	sp = fp - sizeof(struct sigframe);
	sp = ALIGN_DOWN(sp, 16) - 8; /* as if just called: (sp + 8) % 16 == 0 */
	if (!(a->flags & KSA_RESTORER) || !a->restorer)
		return false; /* no way back: musl and Go always set one */
	if (!vm_user_ok((void *)sp, top - sp, true))
		return false;
	/* A fault's handler builds this on the exception's own stack: a
	 * lazily backed page (Go's signal stacks, with overcommit) is
	 * backed first, since a fault here would start that stack over. */
	if (!vm_populate(sp, top - sp))
		return false;

	cpu_fpu_save((void *)fp);
	struct sigframe *f = (struct sigframe *)sp;
	memset(f, 0, sizeof(*f));
	f->pretcode = a->restorer;
	info_fill(&f->info, info);
	ucontext_t *uc = &f->uc;
	uc->uc_stack.ss_sp = (void *)t->altstack_sp;
	uc->uc_stack.ss_size = t->altstack_size;
	uc->uc_stack.ss_flags = !t->altstack_size ? SS_DISABLE
				: onstack	  ? SS_ONSTACK
						  : 0;
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_R8] = r->r8;
	g[REG_R9] = r->r9;
	g[REG_R10] = r->r10;
	g[REG_R11] = r->r11;
	g[REG_R12] = r->r12;
	g[REG_R13] = r->r13;
	g[REG_R14] = r->r14;
	g[REG_R15] = r->r15;
	g[REG_RDI] = r->rdi;
	g[REG_RSI] = r->rsi;
	g[REG_RBP] = r->rbp;
	g[REG_RBX] = r->rbx;
	g[REG_RDX] = r->rdx;
	g[REG_RAX] = r->rax;
	g[REG_RCX] = r->rcx;
	g[REG_RSP] = r->rsp;
	g[REG_RIP] = r->rip;
	g[REG_EFL] = r->rflags;
	g[REG_CSGSFS] = r->cs;
	g[REG_ERR] = arch_regs_syscall(r) ? 0 : r->err;
	g[REG_TRAPNO] = arch_regs_syscall(r) ? 0 : r->vec;
	g[REG_OLDMASK] = oldmask;
	g[REG_CR2] = info->addr;
	uc->uc_mcontext.fpregs = (fpregset_t)fp;
	memcpy(&uc->uc_sigmask, &oldmask, sizeof(oldmask));

	/* The handler: handler(sig, &info, &uc), returning to the restorer,
	 * with a clean FPU control state. */
	r->rip = a->handler;
	r->rsp = sp;
	r->rdi = info->signo;
	r->rsi = (uintptr_t)&f->info;
	r->rdx = (uintptr_t)uc;
	r->rax = 0;
	r->rflags &= ~RFLAGS_TF_DF;
	cpu_fpu_reset_ctl(MXCSR_INIT, FCW_INIT);
	return true;
}

/* An FPU area the program may have written: would restoring it fault?
 * (reserved MXCSR bits; XSAVE header: features we did not enable, the
 * compacted form, reserved bytes) */
static bool fpu_area_ok(const uint8_t *fp)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, fp + 24, 4);
	if (mxcsr & ~0xffffu)
		return false;
	if (!cpu.xsave)
		return true;
	uint64_t hdr[8];
	memcpy(hdr, fp + 512, sizeof(hdr));
	if (hdr[0] & ~cpu.xcr0 || hdr[1])
		return false;
	for (int i = 2; i < 8; i++)
		if (hdr[i])
			return false;
	return true;
}

bool arch_signal_leave(struct regs *r, struct thread *t, uint64_t *mask)
{
	(void)t;
	const ucontext_t *uc = (const ucontext_t *)r->rsp;
	if (!vm_user_ok(uc, sizeof(*uc), false))
		return false;
	const greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t fp = (uintptr_t)uc->uc_mcontext.fpregs;
	if (fp &&
	    ((fp & 63) || !vm_user_ok((void *)fp, cpu.xsave_size, false) ||
	     !fpu_area_ok((const uint8_t *)fp)))
		return false;
	r->r8 = g[REG_R8];
	r->r9 = g[REG_R9];
	r->r10 = g[REG_R10];
	r->r11 = g[REG_R11];
	r->r12 = g[REG_R12];
	r->r13 = g[REG_R13];
	r->r14 = g[REG_R14];
	r->r15 = g[REG_R15];
	r->rdi = g[REG_RDI];
	r->rsi = g[REG_RSI];
	r->rbp = g[REG_RBP];
	r->rbx = g[REG_RBX];
	r->rdx = g[REG_RDX];
	r->rax = g[REG_RAX];
	r->rcx = g[REG_RCX];
	r->rsp = g[REG_RSP];
	r->rip = g[REG_RIP];
	/* The program may change its arithmetic flags, never IF. */
	r->rflags = (r->rflags & ~RFLAGS_USER) | (g[REG_EFL] & RFLAGS_USER);
	/* cs and ss stay those of r, the program's own rt_sigreturn: the
	 * program cannot choose them (and a Xen PV guest's differ). */
	if (fp)
		cpu_fpu_restore((const void *)fp);
	else
		cpu_fpu_reset_ctl(MXCSR_INIT, FCW_INIT);
	memcpy(mask, &uc->uc_sigmask, sizeof(*mask));
	return true;
}
