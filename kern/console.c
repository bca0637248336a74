/*
 * The console: the program's stdout/stderr and kernel messages go to the
 * console driver registered at start (Xen's PV console, or COM1 without
 * Xen). With atman.debugcon, kernel messages are also written to port
 * 0xe9, which Xen shows in `xl dmesg` and QEMU in -debugcon.
 */
#include "kern.h"
#include "arch.h"

bool console_debugcon;
static const struct console_ops *cons;
struct waitq console_readers;

void console_register(const struct console_ops *ops)
{
	cons = ops;
}

void console_write(const char *buf, size_t len)
{
	if (cons)
		cons->write(buf, len);
}

void console_kwrite(const char *buf, size_t len)
{
	/* Before a console driver is up, port 0xe9 is all we have. */
	if (console_debugcon || !cons)
		arch_debugcon_write(buf, len);
	console_write(buf, len);
}

size_t console_read(char *buf, size_t len)
{
	return cons ? cons->read(buf, len) : 0;
}

void console_flush(void)
{
	if (cons)
		cons->flush();
}

void console_input(void)
{
	wake_all(&console_readers);
}
