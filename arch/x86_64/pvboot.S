/*
 * Classic PV entry: the same image, started by Xen's PV domain builder
 * (xl's type = "pv"). Its ELF notes (beside boot.S's PVH one) say how:
 * load at the ELF's own addresses (virtual base 0, so virtual ==
 * pseudo-physical as under PVH), enter at pv_start, and fill our
 * hypercall page. Xen starts us in 64-bit guest kernel mode (ring 3)
 * on its own page tables (start_info's pt_base) and boot stack, events
 * masked, %rsi = the start_info page.
 *
 * We move to our own boot stack and call pv_entry(start_info, end): end
 * is where Xen's boot stack, the last thing it put after the image,
 * stops: the bootstrap region (p2m list, start_info, xenstore and
 * console pages, page tables, stack) is [image end, end).
 */
#include <xen/elfnote.h>

/* One Xen note: the name "Xen", then a string or an address. */
.macro NOTE_HEAD type
	.p2align 2
	.long 4				/* namesz: "Xen\0" */
	.long 2f - 1f			/* descsz */
	.long \type
	.asciz "Xen"
1:
.endm
.macro NOTE_STR type, str
	NOTE_HEAD \type
	.asciz "\str"
2:	.p2align 2
.endm
.macro NOTE_ADDR type, addr
	NOTE_HEAD \type
	.quad \addr
2:	.p2align 2
.endm

	.section .note.atman.pv, "a"
	NOTE_STR XEN_ELFNOTE_GUEST_OS, AtmanOS
	/* The domain builder loads only "generic" (or Linux) images. */
	NOTE_STR XEN_ELFNOTE_LOADER, generic
	NOTE_STR XEN_ELFNOTE_XEN_VERSION, xen-3.0
	NOTE_ADDR XEN_ELFNOTE_VIRT_BASE, 0
	NOTE_ADDR XEN_ELFNOTE_PADDR_OFFSET, 0
	NOTE_ADDR XEN_ELFNOTE_ENTRY, pv_start
	NOTE_ADDR XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

	.section .text.atman.boot, "ax"
	.code64
	.globl pv_start
pv_start:
	cld
	/* The boot's first moment, for atman.boottime (kern/proc.c). */
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, boot_tsc(%rip)
	movq %rsi, %rdi			/* start_info */
	movq %rsp, %rsi			/* the end of the bootstrap region */
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call pv_entry
	ud2

	.section .note.GNU-stack, "", @progbits
