/*
 * Every way into the kernel: exceptions, interrupts, the syscall
 * instruction. All of them build a struct regs (arch.h) and leave through
 * regs_return, which ends in iretq (a syscall has a quicker way back).
 *
 * The program runs in ring 0, so nothing switches stacks for us:
 * - every IDT vector has an IST stack (the program's code uses the red
 *   zone, so the CPU must not push onto the interrupted stack);
 * - syscall_entry steps over the 128-byte red zone before it pushes.
 * Kernel code runs with IF=0 and never takes an interrupt, except while
 * idle in sched_idle (cpu_in_kernel tells the two cases apart).
 */
#define REGS_SIZE (22 * 8)
#define REGS_RIP (17 * 8)	/* offsets in struct regs */
#define REGS_RFLAGS (19 * 8)
#define REGS_RSP (20 * 8)
#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200

.macro PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

	.text

/* Exceptions 0-31: IST2 (NMI, #DF, #MC: IST3); see cpu.c. */
.macro EXC vec, has_err
	.p2align 4
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp exc_common
.endm

	.p2align 4
	.globl exc_stubs
exc_stubs:
	EXC 0, 0
	EXC 1, 0
	EXC 2, 0
	EXC 3, 0
	EXC 4, 0
	EXC 5, 0
	EXC 6, 0
	EXC 7, 0
	EXC 8, 1
	EXC 9, 0
	EXC 10, 1
	EXC 11, 1
	EXC 12, 1
	EXC 13, 1
	EXC 14, 1
	EXC 15, 0
	EXC 16, 0
	EXC 17, 1
	EXC 18, 0
	EXC 19, 0
	EXC 20, 0
	EXC 21, 1
	EXC 22, 0
	EXC 23, 0
	EXC 24, 0
	EXC 25, 0
	EXC 26, 0
	EXC 27, 0
	EXC 28, 0
	EXC 29, 1
	EXC 30, 1
	EXC 31, 0

exc_common:
	cld
	PUSH_REGS
	movq %rsp, %rdi
	call trap_exception		/* returns only if the fault was handled */
	POP_REGS
	addq $16, %rsp
	iretq

/* Device interrupts (IST1). One stub per vector we program. */
.macro IRQ vec
	.p2align 4
	.globl irq_stub_\vec
irq_stub_\vec:
	pushq $0
	pushq $\vec
	jmp irq_common
.endm
	IRQ 0x24		/* COM1 through the 8259 (no Xen) */
	IRQ 0xf0		/* local APIC timer (no Xen) */
	IRQ 0xf3		/* Xen event channel upcall */
	IRQ 0xff		/* spurious / anything else */
	.globl irq_stubs_end
irq_stubs_end:

irq_common:
	cld
	PUSH_REGS
	cmpb $0, cpu_in_kernel(%rip)
	jne 1f
	/*
	 * We interrupted program code. Continue on that thread's own stack,
	 * below its red zone (or on its kernel stack: kern/thread.c), so the
	 * thread can be switched out (preempted) while IST1 takes the next
	 * interrupt.
	 */
	movq %rsp, %rsi
	movq REGS_RSP(%rsp), %rdi
	subq $(128 + REGS_SIZE), %rdi
	cmpq $0, kstack_top(%rip)	/* a kernel stack of its own? */
	je 2f
	movq kstack_top(%rip), %rdi
	subq $REGS_SIZE, %rdi
2:	andq $-16, %rdi
	movq %rdi, %rdx
	movl $(REGS_SIZE / 8), %ecx
	rep movsq
	movq %rdx, %rsp
	movb $1, cpu_in_kernel(%rip)
	movq %rsp, %rdi
	call irq_dispatch
	call sched_preempt
	movq %rsp, %rdi			/* back to the program: its signals */
	call signal_deliver_irq
	movb $0, cpu_in_kernel(%rip)
	jmp regs_return
1:	movq %rsp, %rdi
	call irq_dispatch
	jmp regs_return

/*
 * SYSCALL from the program (ring 0 to ring 0): RCX = return address,
 * R11 = RFLAGS, and FMASK has cleared IF and DF. RSP is still the
 * program's, with live data in the red zone below it: step over it first.
 */
	.p2align 4
	.globl syscall_entry
syscall_entry:
	cmpq $0, kstack_top(%rip)	/* RFLAGS are in r11 already */
	jne 1f
	leaq -128(%rsp), %rsp
	pushq $0x10			/* ss */
	pushq %rsp			/* rsp: the value before this push... */
	addq $136, (%rsp)		/* ...plus the red zone and the ss slot */
	jmp 2f
	/* A thread with a kernel stack (a loaded Linux program's: Go's
	 * goroutine stacks are too small for the kernel). One CPU and IF=0:
	 * nothing runs between the two moves. */
1:	movq %rsp, syscall_rsp(%rip)
	movq kstack_top(%rip), %rsp
	pushq $0x10			/* ss */
	pushq syscall_rsp(%rip)		/* rsp */
2:	pushq %r11			/* rflags */
	pushq $0x08			/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* err */
	pushq $-1			/* vec: -1 marks a syscall frame */
	PUSH_REGS
	movb $1, cpu_in_kernel(%rip)
	movq %rsp, %rbx			/* the program's rbx is saved in regs */
	andq $-16, %rsp
	movq %rbx, %rdi
	call *syscall_handler(%rip)	/* result goes into regs->rax */
	movq %rbx, %rsp
	movb $0, cpu_in_kernel(%rip)
	/*
	 * Back to the program without iretq, whose checks of the segments
	 * make it the dearest instruction of a syscall under emulation
	 * (and it is not needed: ring 0 to ring 0, same segments). RIP goes
	 * through a variable: with interrupts off until the sti, and the
	 * sti's one-instruction shadow covering the jmp, nothing runs in
	 * between to change it. A frame with IF clear (never the program's
	 * own) or TF set (its trap would come before the jmp) goes the
	 * general way.
	 */
	movl REGS_RFLAGS(%rsp), %eax
	andl $(RFLAGS_IF | RFLAGS_TF), %eax
	cmpl $RFLAGS_IF, %eax
	jne regs_return
	movq REGS_RIP(%rsp), %rax
	movq %rax, sysret_rip(%rip)
	POP_REGS
	addq $(4 * 8), %rsp		/* vec, err, rip, cs: at rflags */
	andq $~RFLAGS_IF, (%rsp)	/* IF stays off until the sti */
	popfq
	movq (%rsp), %rsp		/* the program's stack */
	sti
	jmp *sysret_rip(%rip)

/* Return to the context described by the struct regs at RSP. */
	.globl regs_return
regs_return:
	POP_REGS
	addq $16, %rsp
	iretq

/*
 * native_regs_enter(struct regs *r): leave the kernel for good into the
 * context r (a new thread, or the program's _start).
 */
	.globl native_regs_enter
native_regs_enter:
	movq %rdi, %rsp
	movb $0, cpu_in_kernel(%rip)
	jmp regs_return

	.local syscall_rsp
	.comm syscall_rsp, 8, 8
	.local sysret_rip
	.comm sysret_rip, 8, 8

	.section .note.GNU-stack, "", @progbits
