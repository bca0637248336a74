/*
 * Every way into the kernel of a classic Xen PV guest, and every way out:
 * entry.S's counterpart. A 64-bit PV guest runs in ring 3 in one of two
 * modes Xen keeps apart: in guest kernel mode a `syscall` is a hypercall,
 * in guest user mode it comes to us. The program must run in user mode,
 * then (musl's syscalls). The kernel's C code runs in user mode too,
 * with events masked, on the threads' own stacks as under PVH: both
 * modes' page tables map the same address space. Guest kernel mode is
 * used only here, on the entry stack (the one given to stack_switch:
 * cpu_set_ist's first), by the entries and to make hypercalls:
 *
 * - A hypercall made in user mode (through the hypercall page, like any
 *   other) arrives as a syscall whose return address is in the hypercall
 *   page: pv_syscall_entry makes it in kernel mode and returns the
 *   result. So no C code needs to know which mode it runs in.
 * - A fault in user mode lands on the entry stack, never on the stack
 *   that faulted: a thread stack backed as it is touched, or one that
 *   overflowed into its guard page, is handled as under PVH (Xen could
 *   not deliver a fault in kernel mode on a page that is not there: it
 *   writes its frame below the faulting stack pointer).
 *
 * How Xen enters (its bounce frame, lowest address first):
 *   rcx r11 [error code] rip cs rflags rsp ss
 * at the entry stack's top from user mode, else below the current stack
 * pointer (16-byte aligned). CS has RPL 3 from user mode, 0 from kernel
 * mode; the rflags' IF is the event mask as it was (clear: masked).
 * Every entry is registered to mask events. Xen's iret hypercall (the
 * way back from kernel mode) switches to user mode when the frame's CS
 * has RPL 3, and sets the event mask from the frame's IF, in one step.
 * Back from user-mode kernel code to the program is a plain iretq.
 */
#define __ASSEMBLY__ /* Xen's headers: the constants, not the C types */
#include <xen/xen.h>

#define REGS_SIZE (22 * 8)
#define REGS_RIP (17 * 8)	/* offsets in struct regs */
#define REGS_CS (18 * 8)
#define REGS_RFLAGS (19 * 8)
#define REGS_RSP (20 * 8)
#define REGS_SS (21 * 8)
#define VEC_UPCALL 0xf3		/* arch.h: the event upcall's "vector" */
#define RFLAGS_IF 0x200
/* A private syscall number (Linux has none this high) that only asks Xen
 * to come by: an event that came while masked is delivered then. */
#define PV_POKE 0x61746d6e	/* "atmn" */

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

/* iret hypercall: the frame below our pushes is (flags rip cs rflags rsp
 * ss); the stub in the hypercall page pushes rcx r11 rax. */
.macro XEN_IRET
	jmp hypercall_page + __HYPERVISOR_iret * 32
.endm

/*
 * From kernel mode on the entry stack, with a struct regs at %rsp for
 * program code the entry interrupted: copy it to that thread's stack
 * below the red zone (a fault there lands on this stack), and go on at
 * \cont in user mode on that stack, events still masked.
 */
.macro TO_USER_KERNEL cont
	movq REGS_RSP(%rsp), %rdi
	subq $(128 + REGS_SIZE), %rdi
	andq $-16, %rdi
	movq %rdi, %rbx
	movq %rsp, %rsi
	movl $(REGS_SIZE / 8), %ecx
	rep movsq
	pushq $FLAT_USER_SS
	pushq %rbx			/* rsp: the copy */
	pushq $2			/* rflags: IF clear, events stay masked */
	pushq $FLAT_USER_CS
	pushq $\cont
	pushq $0			/* flags: not VGCF_in_syscall */
	XEN_IRET
.endm

	.text

/* Exceptions 0-31, one 16-byte stub each (pvcpu.c builds the trap table
 * from them); vectors 2, 8 and 18 are Xen's own. */
.macro EXC vec, has_err
	.p2align 4
	popq %rcx
	popq %r11
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp pv_exc_common
.endm

	.p2align 4
	.globl pv_exc_stubs
pv_exc_stubs:
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

/* An exception is handled in kernel mode where it landed (the entry
 * stack, from user mode); its handler never switches threads. */
pv_exc_common:
	cld
	PUSH_REGS
	movq %rsp, %rdi
	call trap_exception		/* returns only if the fault was handled */
	jmp pv_iret_regs

/* Event-channel upcall: the PVH upcall vector's counterpart. Events are
 * unmasked only in program code (or on the way back to it). */
	.p2align 4
	.globl pv_event_entry
pv_event_entry:
	popq %rcx
	popq %r11
	pushq $0
	pushq $VEC_UPCALL
	cld
	PUSH_REGS
	testb $3, REGS_CS(%rsp)
	jz 1f
	TO_USER_KERNEL pv_user_irq
1:	movq %rsp, %rdi			/* never expected: kernel mode is masked */
	call irq_dispatch
	jmp pv_iret_regs

/* As irq_common does under PVH, in user mode on the thread's stack. */
pv_user_irq:
	movb $1, cpu_in_kernel(%rip)
	movq %rsp, %rdi
	call irq_dispatch
	call sched_preempt
	/* Back to the program: its signals; not if this interrupted our
	 * own way back to it (pv_user_return, after the unmask): they
	 * wait for the next entry, the context is not the program's. */
	cmpq $pv_user_return, REGS_RIP(%rsp)
	jb 1f
	cmpq $pv_user_return_end, REGS_RIP(%rsp)
	jb 2f
1:	movq %rsp, %rdi
	call signal_deliver_irq
2:	movb $0, cpu_in_kernel(%rip)
	jmp pv_user_return

/* Xen could not load a segment register on its way back to us: we use
 * none, so this is a broken invariant. */
	.p2align 4
	.globl pv_failsafe_entry
pv_failsafe_entry:
	andq $-16, %rsp
	call pv_failsafe
	ud2

/*
 * A syscall instruction in user mode. RCX and R11 hold what the
 * instruction left (return address, RFLAGS) once the frame's copies are
 * popped; the frame (rip cs rflags rsp ss) holds the caller's RSP.
 * Events are masked (CALLBACKF_mask_events). Three kinds: a hypercall
 * from kernel code (the return address is in the hypercall page), a
 * poke, and the program's system calls.
 */
	.p2align 4
	.globl pv_syscall_entry
pv_syscall_entry:
	popq %rcx
	popq %r11
	cmpq $hypercall_page, %rcx
	jb 1f
	cmpq $(hypercall_page + 4096), %rcx
	jb pv_forward
1:	cmpq $PV_POKE, %rax
	jne 2f
	cmpq $pv_poke_ret, %rcx
	je 3f
2:	pushq $0			/* err */
	pushq $-1			/* vec: -1 marks a syscall frame */
	cld
	PUSH_REGS
	TO_USER_KERNEL pv_user_syscall
3:	pushq $0			/* back, as the frame says */
	XEN_IRET

pv_user_syscall:
	movb $1, cpu_in_kernel(%rip)
	movq %rsp, %rdi
	call *syscall_handler(%rip)	/* result goes into regs->rax */
	movb $0, cpu_in_kernel(%rip)
	jmp pv_user_return

/*
 * The hypercall page's stub (mov $N, %eax; syscall) ran in user mode:
 * make hypercall N in kernel mode with the arguments as they are (rdi
 * rsi rdx r10 r8), and return its result to the stub, which returns to
 * its caller. The iret hypercall (23) is the exception: its frame is on
 * the caller's stack already (the stub pushed the rest), so it is made
 * from there, and does not come back.
 */
pv_forward:
	cmpl $__HYPERVISOR_iret, %eax
	je 1f
	movl %eax, %ecx
	shlq $5, %rcx
	addq $hypercall_page, %rcx
	call *%rcx
	pushq $0			/* back to the stub, rax = the result */
	XEN_IRET
1:	movq 24(%rsp), %rsp		/* the frame's rsp: the iret context */
	syscall				/* in kernel mode: the hypercall */
	ud2

/*
 * void pv_poke(void): from user mode, let Xen deliver what came while
 * events were masked (pvcpu.c calls it after unmasking, when an event
 * is pending). Clobbers rax, rcx, r11.
 */
	.globl pv_poke
pv_poke:
	movl $PV_POKE, %eax
	syscall
pv_poke_ret:
	ret

/*
 * Back from user-mode kernel code to the program context in the struct
 * regs at %rsp (after a syscall or an interrupt of program code): events
 * on again if it had them (pv_irq_restore pokes Xen for one pending
 * since), then a plain iretq, ring 3 to ring 3. An event between the
 * unmask and the iretq interrupts this code as it would the program.
 */
	.globl pv_user_return
pv_user_return:
	testl $RFLAGS_IF, REGS_RFLAGS(%rsp)
	jz 1f
	movl $RFLAGS_IF, %edi
	call pv_irq_restore
1:	POP_REGS
	addq $16, %rsp			/* vec, err */
	iretq
pv_user_return_end:

/*
 * pv_regs_enter(struct regs *r): leave the kernel for good into program
 * context r (a new thread, or _start), in user mode: the iret hypercall,
 * which works from both modes (from user mode through pv_forward).
 */
	.globl pv_regs_enter
pv_regs_enter:
	movq %rdi, %rsp
	movq $FLAT_USER_CS, REGS_CS(%rsp)
	movq $FLAT_USER_SS, REGS_SS(%rsp)
	movb $0, cpu_in_kernel(%rip)
	/* fall through */

/* Return to the context in the struct regs at %rsp: kernel mode (an
 * exception's), or user mode if its CS says so. */
pv_iret_regs:
	POP_REGS
	addq $16, %rsp			/* vec, err */
	pushq $0			/* flags: not VGCF_in_syscall */
	XEN_IRET

	.section .note.GNU-stack, "", @progbits
