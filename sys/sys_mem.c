/*
 * Memory syscalls: argument checks, then kern/vm.c; mappings of files
 * through kern/fmap.c (copies: MAP_SHARED written back on msync,
 * munmap, fsync, mremap and exit).
 */
#include <errno.h>
#include <sys/mman.h>

#include "sys.h"
#include "kern/kern.h"
#include "arch.h"

/* Mappings of files are the file system part's (docs/architecture.md,
 * "Parts"): without it no descriptor is a file that maps (-ENODEV, as
 * for a pipe's), and no mapping has a file to write back. */
#pragma weak fmap_map
#pragma weak fmap_msync
#pragma weak fmap_forget

long sys_brk(unsigned long brk)
{
	return vm_brk(brk);
}

long sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
	      long off)
{
	if (off & 4095)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	int type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return vm_mmap(addr, len, prot, flags);
	if (off < 0)
		return -EINVAL;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (len && !fmap_map)
		r = -ENODEV;
	else if (len)
		r = fmap_map(addr, len, prot, flags, f, (uint64_t)off);
	file_put(f);
	return r;
}

long sys_msync(unsigned long addr, size_t len, int flags)
{
	if (addr & 4095 || flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE) ||
	    (flags & MS_ASYNC && flags & MS_SYNC))
		return -EINVAL;
	if (addr + len < addr)
		return -ENOMEM;
	if (!fmap_msync)
		return 0;	      /* no mapping of a file to write back */
	return fmap_msync(addr, len); /* MS_ASYNC too: at once */
}

long sys_munmap(unsigned long addr, size_t len)
{
	/* A detached pthread unmaps its own stack and then exits without
	 * touching it again (musl's __unmapself), but our kernel code is
	 * still running on that stack: give it back once the thread is
	 * gone. */
	uintptr_t sp = current->uregs->rsp;
	if (sp > addr && sp - addr <= len && !current->unmap_len) {
		current->unmap_start = addr;
		current->unmap_len = len;
		return 0;
	}
	if (!(addr & 4095) && len && fmap_forget)
		fmap_forget(addr, len);
	return vm_munmap(addr, len);
}

long sys_mprotect(unsigned long addr, size_t len, int prot)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	return vm_mprotect(addr, len, prot);
}

long sys_mremap(unsigned long old, size_t old_len, size_t new_len, int flags,
		unsigned long new_addr)
{
	if (!(old & 4095) && old_len && fmap_forget)
		fmap_forget(old, old_len); /* a private copy from now on */
	return vm_mremap(old, old_len, new_len, flags, new_addr);
}

long sys_madvise(unsigned long addr, size_t len, int advice)
{
	return vm_madvise(addr, len, advice);
}
