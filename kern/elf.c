/*
 * The ELF parser for static Linux programs (bin/atman image carries one
 * inside the image; kern/exec.c loads it). It trusts nothing in the file:
 * every offset and size is checked against the file's length and for
 * overflow, and a program the loader cannot run is refused with the
 * reason, never half loaded. Pure logic, so the host unit test and the
 * fuzz target run exactly this code.
 */
#include <elf.h>
#include <errno.h>

#include "kern.h"

static const char *refuse(struct elf_image *im, const char *why)
{
	im->why = why;
	return why;
}

/* Does [off, off + len) lie inside a file of size size? */
static bool inside(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* A PT_DYNAMIC that names a library (DT_NEEDED) is not static. */
static bool needs_libs(const uint8_t *f, size_t size, const Elf64_Phdr *ph)
{
	if (!inside(ph->p_offset, ph->p_filesz, size))
		return false;
	const uint8_t *d = f + ph->p_offset;
	for (uint64_t i = 0; i + sizeof(Elf64_Dyn) <= ph->p_filesz;
	     i += sizeof(Elf64_Dyn)) {
		Elf64_Dyn dyn;
		memcpy(&dyn, d + i, sizeof(dyn));
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_NEEDED)
			return true;
	}
	return false;
}

/* Linux puts nothing of its own in the lower half; here the kernel
 * and its RAM mapping sit below 4 MiB and Xen's and the PC's frames
 * above 3 GiB. */
static int check_range(struct elf_image *im)
{
	if (im->lo < ELF_LOAD_MIN || im->hi > ELF_LOAD_MAX) {
		refuse(im, "it loads outside 0x400000-0xc0000000, where static "
			   "programs load (below is the kernel)");
		return -ENOEXEC;
	}
	return 0;
}

static int seg_prot(uint32_t flags)
{
	return (flags & PF_R ? VM_READ : 0) | (flags & PF_W ? VM_WRITE : 0) |
	       (flags & PF_X ? VM_EXEC : 0);
}

int elf_parse(const void *file, size_t size, struct elf_image *im)
{
	const uint8_t *f = file;
	Elf64_Ehdr eh;
	memset(im, 0, sizeof(*im));
	if (size < EI_NIDENT || memcmp(f, ELFMAG, SELFMAG)) {
		refuse(im, "not an ELF file");
		return -ENOEXEC;
	}
	if (f[EI_CLASS] != ELFCLASS64) {
		refuse(im, "a 32-bit ELF (only 64-bit x86_64 programs run)");
		return -ENOEXEC;
	}
	if (size < sizeof(eh) || f[EI_DATA] != ELFDATA2LSB) {
		refuse(im, "not a little-endian x86_64 ELF");
		return -ENOEXEC;
	}
	memcpy(&eh, f, sizeof(eh));
	if (eh.e_machine != EM_X86_64) {
		refuse(im, "an ELF for another architecture (not x86_64)");
		return -ENOEXEC;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		refuse(im, "not an executable (a relocatable object or core)");
		return -ENOEXEC;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phnum > ELF_MAX_PHDRS ||
	    !inside(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr),
		    size)) {
		refuse(im, "bad program headers");
		return -ENOEXEC;
	}
	im->pie = eh.e_type == ET_DYN;
	im->bias = im->pie ? ELF_PIE_BASE : 0;
	im->phnum = eh.e_phnum;

	uint64_t lo = UINT64_MAX, hi = 0, phdr = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, f + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_INTERP: {
			/* Name the dynamic linker it asks for, if the name is
			 * a sane string; the reason stays clear otherwise. */
			im->interp = "a dynamic linker";
			if (inside(ph.p_offset, ph.p_filesz, size) &&
			    ph.p_filesz > 1 && ph.p_filesz <= 256 &&
			    !f[ph.p_offset + ph.p_filesz - 1] &&
			    strlen((const char *)f + ph.p_offset) ==
				    ph.p_filesz - 1)
				im->interp = (const char *)f + ph.p_offset;
			refuse(im, "not static: needs");
			return -ENOEXEC;
		}
		case PT_DYNAMIC:
			if (needs_libs(f, size, &ph)) {
				refuse(im,
				       "not static: needs shared libraries");
				return -ENOEXEC;
			}
			break;
		case PT_PHDR:
			phdr = ph.p_vaddr;
			break;
		case PT_GNU_STACK:
			im->exec_stack = ph.p_flags & PF_X;
			break;
		case PT_LOAD: {
			if (!ph.p_memsz)
				break;
			if (im->nseg == ELF_MAX_SEGS) {
				refuse(im, "too many loadable segments");
				return -ENOEXEC;
			}
			if (ph.p_filesz > ph.p_memsz ||
			    !inside(ph.p_offset, ph.p_filesz, size) ||
			    (ph.p_vaddr - ph.p_offset) % KPAGE_SIZE ||
			    ph.p_vaddr > ELF_VA_MAX ||
			    ph.p_memsz > ELF_VA_MAX - ph.p_vaddr) {
				refuse(im, "a loadable segment is malformed");
				return -ENOEXEC;
			}
			struct elf_seg *s = &im->seg[im->nseg++];
			s->va = ph.p_vaddr + im->bias;
			s->filesz = ph.p_filesz;
			s->memsz = ph.p_memsz;
			s->off = ph.p_offset;
			s->prot = seg_prot(ph.p_flags);
			lo = MIN(lo, ALIGN_DOWN(s->va, KPAGE_SIZE));
			hi = MAX(hi, ALIGN_UP(s->va + s->memsz, KPAGE_SIZE));
			/* The program headers as the program sees them:
			 * where the segment holding them lands. */
			if (!phdr && eh.e_phoff >= ph.p_offset &&
			    eh.e_phoff - ph.p_offset < ph.p_filesz)
				phdr = ph.p_vaddr + (eh.e_phoff - ph.p_offset);
			break;
		}
		}
	}
	if (!im->nseg) {
		refuse(im, "no loadable segments");
		return -ENOEXEC;
	}
	im->lo = lo;
	im->hi = hi;
	im->phdr = phdr ? phdr + im->bias : 0;
	im->entry = eh.e_entry + im->bias;
	bool entry_ok = false;
	for (int i = 0; i < im->nseg; i++) {
		const struct elf_seg *s = &im->seg[i];
		if (s->prot & VM_EXEC && im->entry >= s->va &&
		    im->entry - s->va < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok) {
		refuse(im, "its entry point is not in its code");
		return -ENOEXEC;
	}
	if (!im->phdr) {
		/* musl and Go find PT_TLS through AT_PHDR. */
		refuse(im, "its program headers are not in a loaded segment");
		return -ENOEXEC;
	}
	return check_range(im);
}
