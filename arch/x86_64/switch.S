/*
 * switch_to(uint64_t *save_sp, uint64_t new_sp): save the callee-saved
 * registers on this stack, park its stack pointer in *save_sp, and resume
 * the thread whose stack pointer is new_sp. FPU state and the FS base are
 * switched in C (kern/sched.c) around this call.
 */
	.text
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * First switch into a new thread: thread_prepare left a switch frame whose
 * rbx is the thread's struct regs and whose return address is here.
 */
	.globl thread_trampoline
thread_trampoline:
	movq %rbx, %rdi
	call thread_first_run		/* never returns */
	ud2

/*
 * First switch into a kernel thread: kthread_start left fn in r12 and its
 * argument in r13; it runs in kernel context (interrupts stay off).
 */
	.globl kthread_trampoline
kthread_trampoline:
	movq %r12, %rdi
	movq %r13, %rsi
	call kthread_first_run		/* never returns */
	ud2

	.section .note.GNU-stack, "", @progbits
