/*
 * The process: starting the program: its first thread, an 8 MiB stack (backed as it is
 * touched) holding what Linux would put there, and a jump to musl's
 * _start, found in the image's own ELF header.
 */
#include <elf.h>
#include <sys/mman.h>

#include "kern.h"
#include "arch.h"

struct mem_region ram[BOOT_MEM_MAX];
int nram;
struct cmdline kcmdline;
const char *prog_name = "program";
static char proc_comm[PROC_COMM_LEN];

const char *proc_name(void)
{
	return proc_comm[0] ? proc_comm : prog_name;
}

void proc_set_name(const char *name)
{
	size_t n = strnlen(name, PROC_COMM_LEN - 1);
	memcpy(proc_comm, name, n);
	proc_comm[n] = 0;
}
bool kquiet;
void (*proc_before_main)(void);
const struct platform *plat;

void (*proc_before_exit)(void);
int kexit_reason = SHUTDOWN_OFF;

noreturn void kexit(int status)
{
	/* Once: the hook may fail and end up here again. */
	void (*before)(void) = proc_before_exit;
	proc_before_exit = NULL;
	if (before && can_sleep())
		before();
	if (status)
		printk("atman: exit status %d\n", status);
	console_flush();
	plat->shutdown(kexit_reason, status);
}

extern char __atman_image_start[];
extern char __atman_prog_start[], __atman_prog_end[];
/* The loader is a part of its own: only an image that carries a program
 * (bin/atman image, linked with atman.o) has it. */
#pragma weak exec_load

/* A program the loader refuses: why, and the status a shell gives a
 * file it cannot execute. */
#define STATUS_NOEXEC 126

noreturn void proc_start(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__atman_image_start;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		panic("no ELF header at the start of the image");
	/* An atman-cc image runs the program linked into it; one of bin/atman
	 * image loads the static Linux program it carries. */
	uintptr_t phdr = (uintptr_t)__atman_image_start + eh->e_phoff;
	uintptr_t entry = eh->e_entry;
	unsigned phnum = eh->e_phnum;
	bool exec_stack = false;
	if ((uintptr_t)__atman_prog_end > (uintptr_t)__atman_prog_start) {
		struct elf_image im;
		if (!exec_load)
			panic("a program carried, but no loader linked");
		if (exec_load(__atman_prog_start,
			      __atman_prog_end - __atman_prog_start, &im)) {
			printk("atman: cannot run %s: %s%s%s\n", prog_name,
			       im.why, im.interp ? " " : "",
			       im.interp ? im.interp : "");
			kexit(STATUS_NOEXEC);
		}
		phdr = im.phdr;
		entry = im.entry;
		phnum = im.phnum;
		exec_stack = im.exec_stack;
		vm_overcommit = true;
		/* PV's entries do not switch to one yet: its kernel code
		 * stays on the thread's stack (docs/architecture.md). */
		thread_kstacks = cpu_ops->kstacks;
	}

	boot_mark("exec");
	struct thread *t = thread_new(); /* tid 1 */
	if (!t)
		panic("out of memory for the first thread");
	cpu_fpu_init_state(t->fpu);
	sched_init(t);
	boot_mark("thread");
	/* Now threads exist and this one may sleep (on the boot stack). */
	if (proc_before_main)
		proc_before_main();

	uintptr_t top = (uintptr_t)vm_alloc_stack(MAIN_STACK, true);
	if (!top)
		panic("out of memory for the main stack");
	boot_mark("stack");
	if (exec_stack) /* PT_GNU_STACK asked for it, as Linux honours */
		vm_mprotect(top - MAIN_STACK, MAIN_STACK,
			    PROT_READ | PROT_WRITE | PROT_EXEC);
	uint8_t rnd[16];
	random_bytes(rnd, sizeof(rnd));
	struct auxv_pair aux[] = {
		{ AT_PHDR, phdr },
		{ AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 }, /* no interpreter */
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, entry },
		{ AT_HWCAP, cpu.hwcap },
		{ AT_HWCAP2, 0 },
		{ AT_CLKTCK, 100 },
		{ AT_PLATFORM, (uintptr_t) "x86_64" }, /* copied to the stack */
		{ AT_EXECFN, 0 }, /* argv[0]'s copy: initstack_build */
		{ AT_UID, 0 },
		{ AT_EUID, 0 },
		{ AT_GID, 0 },
		{ AT_EGID, 0 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, 0 }, /* filled in by initstack_build */
	};
	/* Lazily backed, so building the initial stack touches only the
	 * top pages. */
	uintptr_t sp = initstack_build(
		top, top - MAIN_STACK, prog_name, kcmdline.arg, kcmdline.narg,
		kcmdline.env, kcmdline.nenv, aux, ARRAY_SIZE(aux), rnd);
	if (!sp)
		panic("arguments do not fit on the stack");

	/* The boot's cost, measured by the TSC from the entry's first
	 * instruction (bench/boot reads it). */
	if (cmdline_opt(&kcmdline, "atman.boottime"))
		boot_report();

	struct regs r = {
		.rip = entry,
		.cs = SEL_CODE,
		.rflags = RFLAGS_IF | 0x2,
		.rsp = sp,
		.ss = SEL_DATA,
	};
	regs_enter(&r);
}
