/*
 * plat/pc: the platform without Xen (QEMU -kernel): TSC, local APIC
 * timer, CMOS clock, the 8259s and COM1. Declarations grouped by the file
 * that implements them.
 */
#ifndef ATMAN_PC_H
#define ATMAN_PC_H

/* pc.c: the platform */
extern const struct platform pc_platform;

/* com1.c: the console on the first serial port, and the 8259s that
 * bring its input interrupt */
struct console_ops;
extern const struct console_ops com1_ops;
void pic_init(void);
void com1_init(void);

#endif
