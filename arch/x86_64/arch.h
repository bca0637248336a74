/*
 * arch/x86_64: the internal interface of the CPU layer. Declarations are
 * grouped by the file that implements them.
 */
#ifndef ATMAN_ARCH_H
#define ATMAN_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS	 0x18

#define RFLAGS_IF 0x200UL

#define VEC_PIC_BASE 0x20 /* the 8259s' IRQ 0-15, bare metal only */
#define VEC_COM1     (VEC_PIC_BASE + 4)
#define VEC_TIMER    0xf0 /* local APIC timer, bare metal only */
#define VEC_UPCALL   0xf3 /* Xen event channel upcall */
#define VEC_SPURIOUS 0xff

/*
 * The saved context of a trap, interrupt or syscall, lowest address
 * first. entry.S builds it; REGS_RSP there must match.
 */
struct regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err; /* vec is -1 for a syscall */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct regs) == 22 * 8, "entry.S knows this size");

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
/* The TSC at the first instruction of the boot (boot.S, pvboot.S). */
extern uint64_t boot_tsc;
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
/*
 * What differs between the two ways this CPU runs us: on the bare CPU in
 * ring 0 (PVH, and the PC: cpu.c, paging.c, entry.S), or as a classic
 * Xen PV guest in ring 3, where privileged work is a hypercall and the
 * program runs in PV user mode (plat/xen/pvcpu.c, pvmmu.c, pventry.S).
 * The boot entry picks one (struct boot_info); kern_start installs it
 * before anything else runs. Nothing above the CPU layer asks which.
 */
struct cpu_ops {
	const char *name;
	void (*init)(void); /* after cpu_detect: traps, syscalls, FPU */
	/* Where traps land: three stacks (the native IST; PV uses the
	 * first as the stack Xen switches to from user mode). */
	void (*set_stacks)(void *top[3]);
	/* The interrupt flag (PV: the event mask) as it was, then off. */
	unsigned long (*irq_save)(void);
	void (*irq_restore)(unsigned long flags);
	/* A direct call from the program into the kernel (kern_enter):
	 * big_lock taken (interrupts off), whatever else the flavour
	 * needs; and back. */
	unsigned long (*call_enter)(void);
	void (*call_leave)(unsigned long flags);
	uintptr_t (*fault_addr)(void); /* of the page fault being handled */
	void (*set_fs)(uint64_t base);
	uint64_t (*get_fs)(void);
	void (*debugcon_write)(const char *buf, size_t len);
	/* Leave the kernel for good into the program context r. */
	void (*regs_enter)(struct regs *r) __attribute__((__noreturn__));
	/* The entries can run a thread's kernel code on a kernel stack of
	 * its own (kstack_top; a loaded Linux program's threads). */
	bool kstacks;
};
extern const struct cpu_ops *cpu_ops;
extern const struct cpu_ops cpu_native;

static inline unsigned long arch_irq_save(void)
{
	return cpu_ops->irq_save();
}
static inline void arch_irq_restore(unsigned long flags)
{
	cpu_ops->irq_restore(flags);
}
static inline void irq_disable(void)
{
	(void)cpu_ops->irq_save();
}
static inline void cpu_set_fs(uint64_t base)
{
	cpu_ops->set_fs(base);
}
static inline uint64_t cpu_get_fs(void)
{
	return cpu_ops->get_fs();
}
static inline void arch_debugcon_write(const char *buf, size_t len)
{
	cpu_ops->debugcon_write(buf, len);
}
/* The caller's frame pointer and stack pointer, for backtraces. */
#define arch_frame(rbp, rsp)                                                   \
	__asm__ volatile("mov %%rbp, %0; mov %%rsp, %1" : "=r"(rbp), "=r"(rsp))

/* Port 0xe9: Xen's (HVM/PVH) and QEMU's debug console (xl dmesg,
 * -debugcon). */
#define DEBUGCON_PORT 0xe9

/* entry.S, switch.S */
extern char exc_stubs[];
extern char irq_stub_0x24[], irq_stub_0xf0[], irq_stub_0xf3[], irq_stub_0xff[];
extern char irq_stubs_end[];
extern char syscall_entry[];
extern char thread_trampoline[];
extern char kthread_trampoline[];
extern volatile uint8_t cpu_in_kernel;
void native_regs_enter(struct regs *r) __attribute__((__noreturn__));
void switch_to(uint64_t *save_sp, uint64_t new_sp);
/* Leave the kernel for good into the program context r (a new thread,
 * or the program's _start): the CPU flavour's way. */
static inline __attribute__((__noreturn__)) void regs_enter(struct regs *r)
{
	cpu_ops->regs_enter(r);
}

/* sigframe.c: Linux's rt_sigframe on the program's stack */
#define ARCH_SYSCALL_INSN_LEN 2 /* 0f 05: rip - 2 runs it again */
struct ksiginfo;
struct ksigaction;
struct thread;
bool arch_regs_syscall(const struct regs *r); /* a syscall's frame? */
/* Make r enter a's handler for info, on the thread's stack or its
 * alternate one, the context and oldmask saved in the frame. False if
 * the frame does not fit or has no restorer. */
bool arch_signal_enter(struct regs *r, const struct ksiginfo *info,
		       const struct ksigaction *a, uint64_t oldmask,
		       struct thread *t);
/* rt_sigreturn: r from the frame at r->rsp; *mask the mask it saved.
 * False if the frame is not readable or its FPU state would fault. */
bool arch_signal_leave(struct regs *r, struct thread *t, uint64_t *mask);

/* cpu.c: descriptor tables, features, FPU and TLS state */
struct cpu_features {
	char vendor[13];
	bool nx, xsave, rdrand, rdseed, fsgsbase, apic;
	uint32_t xsave_size; /* bytes of FPU state per thread */
	uint64_t xcr0;
	uint32_t hwcap; /* AT_HWCAP: CPUID.1:EDX, as Linux reports it */
};
extern struct cpu_features cpu;
void cpu_init(void); /* features, then cpu_ops->init */
/* XCR0 (at most the components in allowed) and the FPU area's size;
 * allowed 0: FXSAVE. */
void cpu_xsave_setup(uint64_t allowed);
static inline void cpu_set_ist(void *ist_top[3])
{
	cpu_ops->set_stacks(ist_top);
}
void cpu_fpu_init_state(void *area);
void cpu_fpu_save(void *area);
void cpu_fpu_restore(const void *area);
bool cpu_rdrand(uint64_t *v);
bool cpu_rdseed(uint64_t *v);
void cpu_idle(void); /* sti; hlt; cli: wait for one interrupt */
/* The FPU state a thread keeps across a function call (the C ABI's
 * callee-saved part): the SSE and x87 control words. */
static inline void cpu_fpu_save_ctl(uint32_t *mxcsr, uint16_t *fcw)
{
	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(*mxcsr), "=m"(*fcw));
}
static inline void cpu_fpu_load_ctl(uint32_t mxcsr, uint16_t fcw)
{
	__asm__ volatile("fldcw %0; ldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
}
/* The control words, and an empty x87 stack. */
static inline void cpu_fpu_reset_ctl(uint32_t mxcsr, uint16_t fcw)
{
	__asm__ volatile("fninit; fldcw %0; ldmxcsr %1"
			 :
			 : "m"(fcw), "m"(mxcsr));
}

/*
 * paging.c: 4-level page tables, one address space. An entry, as the
 * kernel reads and writes it, holds a (guest-)physical frame address and
 * these flags; the Xen PV flavour (plat/xen/pvmmu.c) translates to and
 * from machine frames underneath. Writes may be queued: paging_commit
 * makes every earlier paging_set take effect, TLB included, and must
 * come before the memory is used through the new entries.
 */
#define PTE_P	  0x001UL
#define PTE_W	  0x002UL
#define PTE_U	  0x004UL /* Xen PV sets it everywhere; native never */
#define PTE_PWT	  0x008UL
#define PTE_PCD	  0x010UL
#define PTE_PS	  0x080UL
#define PTE_LAZY  0x200UL /* software, P=0: allocate a zero page on touch */
#define PTE_FRAME 0x400UL /* software, P=0: PROT_NONE, frame kept */
#define PTE_RESV  0x800UL /* software, with PTE_LAZY: a page is reserved */
#define PTE_NX	  (1UL << 63)
#define PTE_ADDR  0x000ffffffffff000UL
typedef uint64_t pte_t;
/* Does a page-table page map nothing? Eight entries at a time: this runs
 * at every munmap. */
static inline bool paging_table_empty(const pte_t *t)
{
	for (int i = 0; i < 512; i += 8)
		if (t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] |
		    t[i + 5] | t[i + 6] | t[i + 7])
			return false;
	return true;
}
struct paging_ops {
	void (*init)(void); /* RAM identity-mapped, the image protected */
	pte_t (*get)(uintptr_t va); /* 0: nothing there, nor a table */
	/* 0, or -ENOMEM when a page-table page cannot be had. Setting 0
	 * where nothing is mapped makes the tables for va. */
	int (*set)(uintptr_t va, pte_t pte);
	void (*commit)(void);
	/* Free the page-table pages left empty in [start, end) (after
	 * unmapping there); start must be above the identity-mapped RAM. */
	void (*prune)(uintptr_t start, uintptr_t end);
	/* Identity-map device or Xen-provided frames outside the RAM map. */
	int (*map_phys)(uint64_t paddr, size_t len, uint64_t flags);
};
extern const struct paging_ops *paging_ops;
extern const struct paging_ops paging_native;
static inline void paging_init(void)
{
	paging_ops->init();
}
static inline pte_t paging_get(uintptr_t va)
{
	return paging_ops->get(va);
}
static inline int paging_set(uintptr_t va, pte_t pte)
{
	return paging_ops->set(va, pte);
}
static inline void paging_commit(void)
{
	paging_ops->commit();
}
static inline void paging_prune(uintptr_t start, uintptr_t end)
{
	paging_ops->prune(start, end);
}
int paging_map_phys(uint64_t paddr, size_t len, uint64_t flags);
uint64_t paging_nx(void); /* PTE_NX where the CPU has it, else 0 */
/* The image's regions and their protections, for both flavours'
 * init: calls map(start, end, flags) for each, in order (a later
 * call wins where two overlap). */
void paging_map_image(void (*map)(uintptr_t s, uintptr_t e, uint64_t f));

/* trap.c: exceptions and interrupt dispatch */
typedef void (*irq_handler_t)(struct regs *r);
void trap_init(void);
void irq_set_handler(int vec, irq_handler_t fn);
void trap_exception(struct regs *r);
void irq_dispatch(struct regs *r);
void arch_regs_print(const struct regs *r); /* for crash reports */
/* Does a call instruction end just before p? (backtraces) */
bool arch_call_before(const uint8_t *p, uintptr_t *target);
/* What a syscall instruction runs (entry.S calls it with the saved
 * registers; the result goes in r->rax): set at start by the layer
 * that serves syscalls. */
extern void (*syscall_handler)(struct regs *r);

#endif
