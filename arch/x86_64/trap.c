/*
 * Exceptions and interrupt dispatch. An exception is fatal (a crash
 * report) except a touch of a lazily-backed stack page, which vm_fault
 * supplies. Interrupt handlers run with interrupts off and only wake
 * threads (kern/wait.c); the scheduler decides who runs after.
 */
#include <signal.h>

#include "arch.h"
#include "kern/kern.h"

static const char *const exc_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection fault",
	"page fault",
	"exception 15",
	"x87 floating-point exception",
	"alignment check",
	"machine check",
	"SIMD floating-point exception",
	"virtualization exception",
	"control protection exception",
};

/* The signal a fault in program code raises, as on Linux. */
static bool exc_signal(uint64_t vec, int *sig, int *code)
{
	switch (vec) {
	case 0: /* divide error */
		*sig = SIGFPE, *code = FPE_INTDIV;
		return true;
	case 3: /* int3 */
		*sig = SIGTRAP, *code = TRAP_BRKPT;
		return true;
	case 6: /* invalid opcode */
		*sig = SIGILL, *code = ILL_ILLOPN;
		return true;
	case 16: /* x87 */
	case 19: /* SIMD */
		*sig = SIGFPE, *code = FPE_FLTINV;
		return true;
	case 17: /* alignment check */
		*sig = SIGBUS, *code = BUS_ADRALN;
		return true;
	case 4:	 /* overflow */
	case 5:	 /* bound */
	case 12: /* stack segment */
	case 13: /* general protection */
		*sig = SIGSEGV, *code = SI_KERNEL;
		return true;
	}
	return false;
}

static irq_handler_t irq_handlers[256];

void irq_set_handler(int vec, irq_handler_t fn)
{
	irq_handlers[vec] = fn;
}

int irq_nesting;

void (*syscall_handler)(struct regs *r);

/*
 * A vector that interrupted one of our own stubs before its first
 * instruction: impossible on hardware (the gates clear IF), but seen in
 * the box, where the hypervisor under emulation occasionally delivers an
 * interrupt twice at once. The second frame lands on the first in the
 * same IST stack, so the interrupted context (rip, rsp, rflags) is gone:
 * returning would loop in the stub for ever. Say so instead.
 */
static void trap_check_twice(const struct regs *r)
{
	uintptr_t ip = r->rip;
	if ((ip >= (uintptr_t)exc_stubs &&
	     ip < (uintptr_t)exc_stubs + 32 * 16) ||
	    (ip >= (uintptr_t)irq_stub_0x24 && ip < (uintptr_t)irq_stubs_end))
		panic("vector %#lx delivered twice at once by the hypervisor: "
		      "the interrupted context is lost",
		      (unsigned long)(r->vec & 0xff));
}

void irq_dispatch(struct regs *r)
{
	trap_check_twice(r);
	irq_handler_t fn = irq_handlers[r->vec & 0xff];
	irq_nesting++;
	if (fn)
		fn(r);
	irq_nesting--;
}

extern char __atman_text_start[], __atman_text_end[];

static void page_fault(struct regs *r)
{
	uintptr_t addr = cpu_ops->fault_addr();
	bool write = r->err & 2;
	if (!(r->err & 1) && vm_fault(addr, write))
		return;

	char what[160];
	const char *why;
	if (addr < PAGE_SIZE)
		why = "NULL pointer dereference";
	else if (r->err & 16)
		why = "execute of a non-executable page";
	else if (write && (r->err & 1) &&
		 addr >= (uintptr_t)__atman_text_start &&
		 addr < (uintptr_t)__atman_text_end)
		why = "write to program code (read-only)";
	else if (r->err & 1)
		why = write ? "write to a read-only page"
			    : "protection violation";
	else if (vm_is_guard(addr) && addr < r->rsp + PAGE_SIZE &&
		 addr + 64 * 1024 > r->rsp)
		why = "stack overflow (hit the guard page)";
	else if (vm_is_guard(addr))
		why = "access to a PROT_NONE page";
	else if (!(r->err & 1) && addr >= VM_BASE && !vm_is_guard(addr) &&
		 (paging_get(addr) & PTE_LAZY))
		why = "out of memory backing a stack page";
	else
		why = "access to unmapped memory";
	/* The program's code faulted: its SIGSEGV handler, if it has one. */
	if (!cpu_in_kernel &&
	    signal_fault(r, SIGSEGV, (r->err & 1) ? SEGV_ACCERR : SEGV_MAPERR,
			 addr))
		return;
	ksnprintf(what, sizeof(what), "page fault: %s at address 0x%lx (%s)",
		  why, addr,
		  write		  ? "write"
		  : (r->err & 16) ? "exec"
				  : "read");
	crash(what, r, addr);
}

void trap_exception(struct regs *r)
{
	trap_check_twice(r);
	if (r->vec == 14) {
		page_fault(r);
		return;
	}
	int sig, code;
	if (!cpu_in_kernel && exc_signal(r->vec, &sig, &code) &&
	    signal_fault(r, sig, code, sig == SIGSEGV ? 0 : r->rip))
		return;
	char what[96];
	const char *name = r->vec < 32 && exc_names[r->vec] ? exc_names[r->vec]
							    : "exception";
	if (r->vec == 13 && r->err)
		ksnprintf(what, sizeof(what), "%s (error code 0x%lx)", name,
			  r->err);
	else
		ksnprintf(what, sizeof(what), "%s", name);
	crash(what, r, r->rip);
}

void trap_init(void)
{
	void *ist[3];
	for (int i = 0; i < 3; i++) {
		ist[i] = vm_alloc_stack(16384, false);
		if (!ist[i])
			panic("out of memory for interrupt stacks");
	}
	cpu_set_ist(ist);
}

void arch_regs_print(const struct regs *r)
{
	printk("rip %016lx rsp %016lx rbp %016lx\n", r->rip, r->rsp, r->rbp);
	printk("rax %016lx rbx %016lx rcx %016lx\n", r->rax, r->rbx, r->rcx);
	printk("rdx %016lx rsi %016lx rdi %016lx\n", r->rdx, r->rsi, r->rdi);
	printk("r8  %016lx r9  %016lx r10 %016lx\n", r->r8, r->r9, r->r10);
	printk("r11 %016lx r12 %016lx r13 %016lx\n", r->r11, r->r12, r->r13);
	printk("r14 %016lx r15 %016lx rfl %016lx\n", r->r14, r->r15, r->rflags);
	printk("fs  %016lx\n", cpu_get_fs());
}

/* Does a call instruction end at ret (6 readable bytes before it): a
 * direct one (e8 rel32), whose target goes to *target, or an indirect
 * one (ff /2: through a register, [reg+disp8] or [rip+disp32]), for
 * which *target is 0? */
bool arch_call_before(const uint8_t *p, uintptr_t *target)
{
	int32_t rel;
	memcpy(&rel, p - 4, sizeof(rel));
	*target = 0;
	if (p[-5] == 0xe8) {
		*target = (uintptr_t)p + rel;
		return true;
	}
	return (p[-2] == 0xff && (p[-1] & 0xf8) == 0xd0) ||
	       (p[-3] == 0xff && (p[-2] & 0xf8) == 0x50) ||
	       (p[-6] == 0xff && p[-5] == 0x15);
}
