/*
 * Exceptions and interrupt dispatch. An exception is fatal (a crash
 * report) except a touch of a lazily-backed stack page, which vm_fault
 * supplies. Interrupt handlers run with interrupts off and only wake
 * threads (kern/wait.c); the scheduler decides who runs after.
 */
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

static irq_handler_t irq_handlers[256];

void irq_set_handler(int vec, irq_handler_t fn)
{
	irq_handlers[vec] = fn;
}

int irq_nesting;

void (*syscall_handler)(struct regs *r);

void irq_dispatch(struct regs *r)
{
	irq_handler_t fn = irq_handlers[r->vec & 0xff];
	irq_nesting++;
	if (fn)
		fn(r);
	irq_nesting--;
}

extern char __atman_text_start[], __atman_text_end[];

static void page_fault(struct regs *r)
{
	uintptr_t addr = read_cr2();
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
		 paging_walk(addr, false) &&
		 (*paging_walk(addr, false) & PTE_LAZY))
		why = "out of memory backing a stack page";
	else
		why = "access to unmapped memory";
	ksnprintf(what, sizeof(what), "page fault: %s at address 0x%lx (%s)",
		  why, addr,
		  write		  ? "write"
		  : (r->err & 16) ? "exec"
				  : "read");
	crash(what, r, addr);
}

void trap_exception(struct regs *r)
{
	if (r->vec == 14) {
		page_fault(r);
		return;
	}
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
