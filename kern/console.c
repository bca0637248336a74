/*
 * The console: the program's stdout/stderr and kernel messages go to the
 * platform's console (Xen PV console, or COM1 without Xen). With
 * atman.debugcon, kernel messages are also written to port 0xe9, which
 * Xen shows in `xl dmesg` and QEMU in -debugcon.
 */
#include "kern.h"
#include "arch/x86_64/arch.h"

bool console_debugcon;

void console_write(const char *buf, size_t len)
{
	if (plat)
		plat->console_write(buf, len);
}

void console_kwrite(const char *buf, size_t len)
{
	/* Before a platform is chosen, port 0xe9 is all we have. */
	if (console_debugcon || !plat)
		for (size_t i = 0; i < len; i++)
			outb(0xe9, buf[i]);
	console_write(buf, len);
}

void console_flush(void)
{
	if (plat)
		plat->console_flush();
}
