/* kern/elf.c: static programs accepted with the right segments, bias,
 * entry and program headers; everything else refused with its reason,
 * never read past the end of the file (ASan watches). */
#include <elf.h>
#include <errno.h>
#include <stdint.h>

#include "kern/kern.h"
#include "test.h"

#define FILESZ 0x3000

static uint8_t file[FILESZ];

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(file + sizeof(Elf64_Ehdr)) + i;
}

/* A Go-shaped static program: text R-X at 0x400000 holding the headers,
 * data RW- with bss, a GNU_STACK; n extra headers follow. */
static void build(uint16_t type, uint64_t base)
{
	memset(file, 0, sizeof(file));
	Elf64_Ehdr *e = eh();
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = type;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = base + 0x1000;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	*ph(0) = (Elf64_Phdr){ .p_type = PT_LOAD,
			       .p_flags = PF_R | PF_X,
			       .p_offset = 0,
			       .p_vaddr = base,
			       .p_filesz = 0x1800,
			       .p_memsz = 0x1800,
			       .p_align = 0x1000 };
	*ph(1) = (Elf64_Phdr){ .p_type = PT_LOAD,
			       .p_flags = PF_R | PF_W,
			       .p_offset = 0x2000,
			       .p_vaddr = base + 0x3000,
			       .p_filesz = 0x100,
			       .p_memsz = 0x5000,
			       .p_align = 0x1000 };
	*ph(2) = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

static struct elf_image im;

static void static_exec(void)
{
	build(ET_EXEC, 0x400000);
	CHECK_EQ(elf_parse(file, FILESZ, &im), 0);
	CHECK(!im.pie);
	CHECK(!im.exec_stack);
	CHECK_EQ(im.bias, 0);
	CHECK_EQ(im.nseg, 2);
	CHECK_EQ(im.lo, 0x400000);
	CHECK_EQ(im.hi, 0x408000);
	CHECK_EQ(im.entry, 0x401000);
	CHECK_EQ(im.phdr, 0x400000 + sizeof(Elf64_Ehdr));
	CHECK_EQ(im.phnum, 3);
	CHECK_EQ(im.seg[0].prot, VM_READ | VM_EXEC);
	CHECK_EQ(im.seg[1].prot, VM_READ | VM_WRITE);
	CHECK_EQ(im.seg[1].va, 0x403000);
	CHECK_EQ(im.seg[1].filesz, 0x100);
	CHECK_EQ(im.seg[1].memsz, 0x5000);
	CHECK_EQ(im.seg[1].off, 0x2000);
	CHECK(im.interp == NULL);
}

static void static_pie_biased(void)
{
	build(ET_DYN, 0);
	*ph(2) = (Elf64_Phdr){ .p_type = PT_PHDR,
			       .p_flags = PF_R,
			       .p_offset = sizeof(Elf64_Ehdr),
			       .p_vaddr = sizeof(Elf64_Ehdr) };
	eh()->e_phnum = 3;
	CHECK_EQ(elf_parse(file, FILESZ, &im), 0);
	CHECK(im.pie);
	CHECK_EQ(im.bias, ELF_PIE_BASE);
	CHECK_EQ(im.lo, ELF_PIE_BASE);
	CHECK_EQ(im.entry, ELF_PIE_BASE + 0x1000);
	CHECK_EQ(im.phdr, ELF_PIE_BASE + sizeof(Elf64_Ehdr));
	CHECK_EQ(im.seg[1].va, ELF_PIE_BASE + 0x3000);
}

static void exec_stack(void)
{
	build(ET_EXEC, 0x400000);
	ph(2)->p_flags |= PF_X;
	CHECK_EQ(elf_parse(file, FILESZ, &im), 0);
	CHECK(im.exec_stack);
}

/* Each refusal: -ENOEXEC and its reason, whose first words are given. */
static void refused(const char *want)
{
	CHECK_EQ(elf_parse(file, FILESZ, &im), -ENOEXEC);
	CHECK(im.why != NULL);
	if (im.why && strncmp(im.why, want, strlen(want))) {
		printf("  why: \"%s\", wanted \"%s...\"\n", im.why, want);
		test_fails++;
	}
}

static void not_elf(void)
{
	build(ET_EXEC, 0x400000);
	file[1] = 'X';
	refused("not an ELF file");
	CHECK_EQ(elf_parse(file, 3, &im), -ENOEXEC);
}

static void elf32(void)
{
	build(ET_EXEC, 0x400000);
	file[EI_CLASS] = ELFCLASS32;
	refused("a 32-bit ELF");
}

static void other_arch(void)
{
	build(ET_EXEC, 0x400000);
	eh()->e_machine = EM_AARCH64;
	refused("an ELF for another architecture");
	build(ET_EXEC, 0x400000);
	file[EI_DATA] = ELFDATA2MSB;
	refused("not a little-endian");
}

static void not_executable(void)
{
	build(ET_REL, 0x400000);
	refused("not an executable");
	build(ET_CORE, 0x400000);
	refused("not an executable");
}

static void dynamic(void)
{
	build(ET_DYN, 0);
	static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
	memcpy(file + 0x1200, interp, sizeof(interp));
	*ph(2) = (Elf64_Phdr){ .p_type = PT_INTERP,
			       .p_offset = 0x1200,
			       .p_filesz = sizeof(interp) };
	refused("not static: needs");
	CHECK_STR(im.interp, interp);
	/* An interpreter whose name runs off the file: still refused,
	 * the name not read. */
	ph(2)->p_filesz = FILESZ;
	refused("not static: needs");
	CHECK_STR(im.interp, "a dynamic linker");
	ph(2)->p_offset = UINT64_MAX - 4;
	refused("not static: needs");
}

static void needs_libraries(void)
{
	build(ET_DYN, 0);
	Elf64_Dyn d[2] = { { .d_tag = DT_NEEDED, .d_un.d_val = 1 },
			   { .d_tag = DT_NULL } };
	memcpy(file + 0x2000, d, sizeof(d));
	*ph(2) = (Elf64_Phdr){ .p_type = PT_DYNAMIC,
			       .p_offset = 0x2000,
			       .p_filesz = sizeof(d) };
	refused("not static: needs shared libraries");
	/* A static-PIE's own PT_DYNAMIC (relocations, no library) is fine. */
	d[0].d_tag = DT_RELA;
	memcpy(file + 0x2000, d, sizeof(d));
	CHECK_EQ(elf_parse(file, FILESZ, &im), 0);
}

static void bad_headers(void)
{
	build(ET_EXEC, 0x400000);
	eh()->e_phentsize = 32;
	refused("bad program headers");
	build(ET_EXEC, 0x400000);
	eh()->e_phnum = 0;
	refused("bad program headers");
	build(ET_EXEC, 0x400000);
	eh()->e_phoff = FILESZ - 8;
	refused("bad program headers");
	build(ET_EXEC, 0x400000);
	eh()->e_phoff = UINT64_MAX - 16;
	refused("bad program headers");
	build(ET_EXEC, 0x400000);
	eh()->e_phnum = ELF_MAX_PHDRS + 1;
	refused("bad program headers");
}

static void bad_segments(void)
{
	build(ET_EXEC, 0x400000);
	ph(1)->p_filesz = 0x6000; /* more file than memory */
	refused("a loadable segment is malformed");
	build(ET_EXEC, 0x400000);
	ph(1)->p_offset = FILESZ - 0x10; /* past the end */
	ph(1)->p_vaddr = 0x403000 + ((FILESZ - 0x10) & 0xfff);
	refused("a loadable segment is malformed");
	build(ET_EXEC, 0x400000);
	ph(1)->p_vaddr = 0x403010; /* offset and address disagree in page */
	refused("a loadable segment is malformed");
	build(ET_EXEC, 0x400000);
	ph(1)->p_memsz = UINT64_MAX - 0x1000; /* wraps */
	refused("a loadable segment is malformed");
	build(ET_EXEC, 0x400000);
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_type = PT_NOTE;
	refused("no loadable segments");
}

static void where_it_loads(void)
{
	build(ET_EXEC, 0x100000); /* over the kernel */
	refused("it loads outside");
	build(ET_EXEC, 0xbfffe000); /* runs past 3 GiB */
	refused("it loads outside");
	build(ET_EXEC, 0x200000000UL);
	refused("it loads outside");
	build(ET_EXEC, ELF_LOAD_MAX - 0x8000); /* just fits */
	CHECK_EQ(elf_parse(file, FILESZ, &im), 0);
}

static void entry_and_phdrs(void)
{
	build(ET_EXEC, 0x400000);
	eh()->e_entry = 0x403000; /* in data */
	refused("its entry point is not in its code");
	build(ET_EXEC, 0x400000);
	eh()->e_phoff = 0x1900; /* in the file, loaded nowhere */
	memcpy(file + 0x1900, ph(0), 3 * sizeof(Elf64_Phdr));
	refused("its program headers are not in a loaded segment");
}

static void too_many_segments(void)
{
	build(ET_EXEC, 0x400000);
	eh()->e_phnum = ELF_MAX_SEGS + 1;
	for (int i = 0; i <= ELF_MAX_SEGS; i++) {
		*ph(i) = *ph(0);
		ph(i)->p_vaddr = 0x400000 + 0x2000 * i;
		ph(i)->p_offset = 0;
		ph(i)->p_filesz = ph(i)->p_memsz = 0x1000;
	}
	refused("too many loadable segments");
}

int main(int argc, char **argv)
{
	test_init("elf", argc, argv);
	RUN(static_exec);
	RUN(static_pie_biased);
	RUN(exec_stack);
	RUN(not_elf);
	RUN(elf32);
	RUN(other_arch);
	RUN(not_executable);
	RUN(dynamic);
	RUN(needs_libraries);
	RUN(bad_headers);
	RUN(bad_segments);
	RUN(where_it_loads);
	RUN(entry_and_phdrs);
	RUN(too_many_segments);
	return test_summary();
}
