/*
 * signalfd: signals read as data. A signalfd holds a set; it is
 * readable while a signal of the set is pending for the thread that
 * looks (sent to it or to the process), and a read takes such signals,
 * one struct signalfd_siginfo each, as rt_sigtimedwait would. The
 * program normally blocks them, so no handler runs. signal_send wakes
 * every signalfd whose set holds the signal it sent.
 *
 * Lock: big_lock (kern/lock.h): syscalls and interrupt handlers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "kern.h"

struct signalfd {
	uint64_t set;
	struct file *f;
	struct signalfd *next; /* every signalfd, for signalfd_notify */
};
static struct signalfd *all;

static void info_out(struct signalfd_siginfo *s, const struct ksiginfo *k)
{
	memset(s, 0, sizeof(*s));
	s->ssi_signo = k->signo;
	s->ssi_code = k->code;
	s->ssi_pid = k->pid;
	s->ssi_uid = k->uid;
	s->ssi_tid = k->timerid;
	s->ssi_overrun = k->overrun;
	s->ssi_int = (int32_t)k->value;
	s->ssi_ptr = k->value;
	s->ssi_addr = k->addr;
}

static long signalfd_file_read(struct file *f, struct uio *u)
{
	struct signalfd *s = f->priv;
	struct signalfd_siginfo si;
	if (u->resid < sizeof(si))
		return -EINVAL;
	long done = 0;
	for (;;) {
		struct ksiginfo k;
		while (u->resid - done >= sizeof(si) &&
		       signal_take(s->set, &k)) {
			info_out(&si, &k);
			if (uio_copy_to(u, &si, sizeof(si)) != sizeof(si))
				return done ? done : -EFAULT;
			done += sizeof(si);
		}
		if (done)
			return done;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (file_wait(f, EPOLLIN, 0) < 0)
			return -ERESTARTSYS;
	}
}

static unsigned signalfd_file_poll(struct file *f)
{
	struct signalfd *s = f->priv;
	uint64_t p = current ? current->sigpend | signal_proc_pend : 0;
	return p & s->set ? EPOLLIN | EPOLLRDNORM : 0;
}

static void signalfd_file_release(struct file *f)
{
	struct signalfd *s = f->priv;
	for (struct signalfd **pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	kfree(s);
}

static const struct file_ops signalfd_ops = {
	.name = "signalfd",
	.read = signalfd_file_read,
	.poll = signalfd_file_poll,
	.release = signalfd_file_release,
	.mode = 0600, /* an anonymous inode's, as on Linux */
};

void signalfd_notify(int sig)
{
	for (struct signalfd *s = all; s; s = s->next)
		if (s->set & SIGBIT(sig))
			file_wake(s->f, EPOLLIN | EPOLLRDNORM);
}

struct file *signalfd_open(uint64_t set, unsigned flags)
{
	struct signalfd *s = kmalloc(sizeof(*s));
	if (!s)
		return NULL;
	struct file *f =
		file_alloc(&signalfd_ops, O_RDONLY | (flags & SFD_NONBLOCK), s);
	if (!f) {
		kfree(s);
		return NULL;
	}
	s->set = set;
	s->f = f;
	s->next = all;
	all = s;
	return f;
}

int signalfd_set(struct file *f, uint64_t set)
{
	if (f->ops != &signalfd_ops)
		return -EINVAL;
	struct signalfd *s = f->priv;
	s->set = set;
	file_wake(f, EPOLLIN | EPOLLRDNORM); /* pending ones may be in it now */
	return 0;
}
