/*
 * The process: starting the program: its first thread, an 8 MiB stack (backed as it is
 * touched) holding what Linux would put there, and a jump to musl's
 * _start, found in the image's own ELF header.
 */
#include <elf.h>

#include "kern.h"
#include "arch.h"

#define MAIN_STACK (8UL << 20)

struct mem_region ram[BOOT_MEM_MAX];
int nram;
struct cmdline kcmdline;
const char *prog_name = "program";
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

noreturn void proc_start(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__atman_image_start;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		panic("no ELF header at the start of the image");

	struct thread *t = thread_new(); /* tid 1 */
	if (!t)
		panic("out of memory for the first thread");
	cpu_fpu_init_state(t->fpu);
	sched_init(t);
	/* Now threads exist and this one may sleep (on the boot stack). */
	if (proc_before_main)
		proc_before_main();

	uintptr_t top = (uintptr_t)vm_alloc_stack(MAIN_STACK, true);
	if (!top)
		panic("out of memory for the main stack");
	uint8_t rnd[16];
	random_bytes(rnd, sizeof(rnd));
	struct auxv_pair aux[] = {
		{ AT_PHDR, (uintptr_t)__atman_image_start + eh->e_phoff },
		{ AT_PHENT, eh->e_phentsize },
		{ AT_PHNUM, eh->e_phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_ENTRY, eh->e_entry },
		{ AT_HWCAP, cpu.hwcap },
		{ AT_CLKTCK, 100 },
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
	 * instruction (bench/boot reads this line). */
	if (cmdline_opt(&kcmdline, "atman.boottime")) {
		uint64_t ns = plat->tsc_ns(rdtsc() - boot_tsc);
		printk("atman: boot: %lu.%03lu ms from the first instruction "
		       "to "
		       "the program's start\n",
		       (unsigned long)(ns / 1000000),
		       (unsigned long)(ns / 1000 % 1000));
	}

	struct regs r = {
		.rip = eh->e_entry,
		.cs = SEL_CODE,
		.rflags = RFLAGS_IF | 0x2,
		.rsp = sp,
		.ss = SEL_DATA,
	};
	regs_enter(&r);
}
