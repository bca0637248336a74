/*
 * The console: the program's stdout/stderr and kernel messages go to the
 * console driver registered at start (Xen's PV console, or COM1 without
 * Xen). With atman.debugcon, kernel messages are also written to port
 * 0xe9, which Xen shows in `xl dmesg` and QEMU in -debugcon.
 *
 * It is also a file kind, a terminal: fds 0, 1 and 2. Input wakes its
 * readers and pollers through file_wake when the driver's interrupt
 * calls console_input.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kern.h"
#include "arch.h"

bool console_debugcon;
static const struct console_ops *cons;

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
	file_wake(&console_file, EPOLLIN | EPOLLRDNORM);
}

/* Input poll took from the driver to see if there was any: the driver
 * cannot peek. The next read gets it first. */
static char pending[64];
static size_t npending;

static size_t console_take(char *buf, size_t len)
{
	if (!npending)
		return console_read(buf, len);
	size_t n = MIN(len, npending);
	memcpy(buf, pending, n);
	memmove(pending, pending + n, npending - n);
	npending -= n;
	return n;
}

static long console_file_read(struct file *f, struct uio *u)
{
	for (;;) {
		void *p;
		long len = uio_peek(u, &p, u->resid);
		if (len <= 0)
			return len;
		size_t n = console_take(p, len);
		if (n) {
			uio_skip(u, n);
			return n;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (file_wait(f, EPOLLIN, 0) < 0)
			return -ERESTARTSYS;
	}
}

static long console_file_write(struct file *f, struct uio *u)
{
	(void)f;
	long done = 0;
	for (;;) {
		void *p;
		long n = uio_peek(u, &p, u->resid);
		if (n <= 0)
			return done ? done : n;
		console_write(p, n);
		uio_skip(u, n);
		done += n;
	}
}

static unsigned console_file_poll(struct file *f)
{
	(void)f;
	if (!npending)
		npending = console_read(pending, sizeof(pending));
	return EPOLLOUT | EPOLLWRNORM | (npending ? EPOLLIN | EPOLLRDNORM : 0);
}

static long console_file_ioctl(struct file *f, unsigned long cmd,
			       unsigned long arg)
{
	(void)f;
	if (cmd == TIOCGWINSZ) {
		/* Answering makes musl line-buffer stdout, as on a tty. */
		struct winsize *ws = (struct winsize *)arg;
		if (!vm_user_ok(ws, sizeof(*ws), true))
			return -EFAULT;
		*ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
		return 0;
	}
	return -ENOTTY;
}

static bool console_file_device(struct file *f)
{
	(void)f;
	return true; /* input comes by interrupt */
}

static const struct file_ops console_file_ops = {
	.name = "console",
	.read = console_file_read,
	.write = console_file_write,
	.poll = console_file_poll,
	.ioctl = console_file_ioctl,
	.device = console_file_device,
	.mode = S_IFCHR | 0620,
};

struct file console_file = {
	.ops = &console_file_ops,
	.refs = 1, /* the kernel's own: it is never released */
	.flags = O_RDWR,
	.wq = { DLIST_INIT(console_file.wq.hooks) },
};
