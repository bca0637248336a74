/*
 * PVH entry: Xen (or QEMU's PVH loader) starts us in 32-bit protected mode,
 * paging off, flat segments, %ebx = physical address of hvm_start_info.
 * We build throwaway page tables that identity-map the first 4 GiB with
 * 2 MiB pages, enter long mode and call pvh_entry(start_info_paddr). paging.c
 * replaces these tables with 4 KiB-granular ones as soon as it can.
 *
 * This file and start/pvh.c are the only places that know we came in
 * through PVH; a classic PV entry would be a second entry here.
 */
#include <xen/elfnote.h>

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_ET 0x00000010
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define MSR_EFER 0xc0000080
#define EFER_SCE 0x00000001
#define EFER_LME 0x00000100

	.section .note.atman.pvh, "a"
	.p2align 2
	.long 4				/* namesz: "Xen\0" */
	.long 4				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start

	.section .text.atman.boot, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cld
	/* The boot's first moment, for atman.boottime (kern/proc.c). */
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl $boot_stack_top, %esp
	movl %ebx, %esi			/* keep start_info across the setup */

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; each PD maps 1 GiB. */
	movl $boot_pdpt, %eax
	orl $0x3, %eax
	movl %eax, boot_pml4
	movl $boot_pd, %eax
	orl $0x3, %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(,%ecx,8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 1b

	/* 2048 entries of 2 MiB: present, writable, PS. */
	movl $0x83, %eax
	xorl %ecx, %ecx
2:	movl %eax, boot_pd(,%ecx,8)
	movl $0, boot_pd+4(,%ecx,8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	/* CR0, CR4 and EFER are written whole, not read and or-ed: under
	 * Xen each access is a trap, and PVH starts us with every bit but
	 * CR0.PE clear. The FPU and SSE bits go in at once too (every
	 * 64-bit CPU has SSE), and SYSCALL: cpu.c's native_init knows
	 * these values and adds only what depends on CPUID. */
	movl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl $(EFER_LME | EFER_SCE), %eax
	xorl %edx, %edx
	wrmsr
	movl $(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $long_entry

	.code64
long_entry:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi			/* pvh_entry(start_info_paddr) */
	call pvh_entry
3:	cli
	hlt
	jmp 3b

	.section .rodata
	.p2align 4
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_desc:
	.word boot_gdt_desc - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.p2align 12
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096			/* unmapped by paging_init */
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	/* The TSC at the first instruction of either entry (pvboot.S). */
	.data
	.balign 8
	.globl boot_tsc
boot_tsc:
	.quad 0

	.section .note.GNU-stack, "", @progbits
