/*
 * The console without Xen: COM1 (a 16550 UART), 115200 8n1. Output is
 * polled (the UART takes a byte at a time); input raises IRQ 4 through
 * the 8259, whose handler wakes the console's readers. The 8259s are
 * remapped away from the exception vectors and masked but for IRQ 4:
 * the local APIC timer (pc.c) is the only other interrupt.
 */
#include "pc.h"
#include "arch.h"
#include "kern/kern.h"

#define COM1	    0x3f8
#define COM1_IRQ    4
#define UART_DATA   0 /* with DLAB: divisor low byte */
#define UART_IER    1 /* with DLAB: divisor high byte */
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define IER_RX	    0x01 /* interrupt when a byte arrives */
#define LCR_DLAB    0x80
#define LCR_8N1	    0x03
#define FCR_FIFO    0xc7 /* enable and clear, 14-byte trigger */
#define MCR_OUT2    0x08 /* gates the UART's interrupt line on a PC */
#define MCR_DTR_RTS 0x03
#define LSR_DR	    0x01   /* data ready */
#define LSR_THRE    0x20   /* room for the next byte */
#define LSR_TEMT    0x40   /* everything sent */
#define UART_WAIT   100000 /* polls before giving up on a dead UART */

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI	  0x20
#define ICW1_INIT 0x11

static void uart_putc(char c)
{
	for (int i = 0; i < UART_WAIT && !(inb(COM1 + UART_LSR) & LSR_THRE);
	     i++)
		cpu_relax();
	outb(COM1 + UART_DATA, c);
}

static void com1_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			uart_putc('\r');
		uart_putc(buf[i]);
	}
}

static size_t com1_read(char *buf, size_t len)
{
	size_t n = 0;
	while (n < len && (inb(COM1 + UART_LSR) & LSR_DR))
		buf[n++] = inb(COM1 + UART_DATA);
	return n;
}

static void com1_flush(void)
{
	for (int i = 0; i < UART_WAIT && !(inb(COM1 + UART_LSR) & LSR_TEMT);
	     i++)
		cpu_relax();
}

/* A byte arrived: readers look again; the byte stays in the UART (or
 * its FIFO) until one reads it. The UART keeps its line raised while
 * data is ready, so the interrupt is masked at the UART until a reader
 * has drained it (com1_read re-arms it via com1_rearm). */
static void com1_irq(struct regs *r)
{
	(void)r;
	outb(COM1 + UART_IER, 0);
	outb(PIC1_CMD, PIC_EOI);
	console_input();
}

static size_t com1_read_rearm(char *buf, size_t len)
{
	size_t n = com1_read(buf, len);
	/* Nothing left to read: interrupt on the next byte. */
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		outb(COM1 + UART_IER, IER_RX);
	return n;
}

void pic_init(void)
{
	/* Remap the 8259s to VEC_PIC_BASE..+15 (cascade on IRQ 2, 8086
	 * mode), then mask all but COM1. */
	outb(PIC1_CMD, ICW1_INIT);
	outb(PIC2_CMD, ICW1_INIT);
	outb(PIC1_DATA, VEC_PIC_BASE);
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff & ~(1 << COM1_IRQ));
	outb(PIC2_DATA, 0xff);
}

void com1_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 0x01); /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_FIFO);
	outb(COM1 + UART_MCR, MCR_OUT2 | MCR_DTR_RTS);
	irq_set_handler(VEC_COM1, com1_irq);
	outb(COM1 + UART_IER, IER_RX);
}

const struct console_ops com1_ops = {
	.write = com1_write,
	.read = com1_read_rearm,
	.flush = com1_flush,
};
