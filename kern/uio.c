/*
 * The program's buffers of one read or write, as a file kind consumes
 * them. An entry of the iovec array is read once, when it is reached, and
 * each piece is checked against the page tables just before it is used:
 * nothing runs between that check and the copy (interrupts are off), so
 * a buffer the program changed or unmapped while the call slept is
 * -EFAULT, never a kernel fault.
 */
#include <errno.h>
#include <sys/uio.h>

#include "kern.h"

void uio_init(struct uio *u, const struct iovec *iov, int iovcnt, size_t total,
	      bool to_program)
{
	*u = (struct uio){ .iov = iov,
			   .iovcnt = iovcnt,
			   .i = -1,
			   .resid = total,
			   .to_program = to_program };
}

/* Make the current entry one with bytes left: 1, or 0 at the end, or
 * -EFAULT when the array itself cannot be read. */
static int uio_next(struct uio *u)
{
	while (!u->len) {
		if (!u->resid || u->i + 1 >= u->iovcnt)
			return 0;
		const struct iovec *v = &u->iov[u->i + 1];
		if (!vm_user_ok(v, sizeof(*v), false))
			return -EFAULT;
		struct iovec e = *v; /* once: the program may change it */
		u->i++;
		u->base = (uintptr_t)e.iov_base;
		u->len = MIN(e.iov_len, u->resid);
	}
	return 1;
}

long uio_peek(struct uio *u, void **p, size_t max)
{
	int r = uio_next(u);
	if (r <= 0)
		return r;
	size_t n = MIN(u->len, max);
	if (!vm_user_ok((void *)u->base, n, u->to_program))
		return -EFAULT;
	*p = (void *)u->base;
	return n;
}

void uio_skip(struct uio *u, size_t n)
{
	kassert(n <= u->len && n <= u->resid);
	u->base += n;
	u->len -= n;
	u->resid -= n;
}

static long uio_copy(struct uio *u, void *kbuf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		void *p;
		long k = uio_peek(u, &p, n - done);
		if (k <= 0) {
			if (!done && k < 0)
				return k;
			break;
		}
		if (u->to_program)
			memcpy(p, (char *)kbuf + done, k);
		else
			memcpy((char *)kbuf + done, p, k);
		uio_skip(u, k);
		done += k;
	}
	return done;
}

long uio_copy_to(struct uio *u, const void *src, size_t n)
{
	kassert(u->to_program);
	return uio_copy(u, (void *)src, n);
}

long uio_copy_from(struct uio *u, void *dst, size_t n)
{
	kassert(!u->to_program);
	return uio_copy(u, dst, n);
}
