/*
 * Crash reports: what happened, where (symbolized), the registers and a
 * backtrace; then the console is flushed and the domain shuts down with
 * SHUTDOWN_crash. The first line always starts "atman: crash:", which is
 * what bin/atman and the test harness look for.
 */
#include "kern.h"
#include "arch.h"

extern char __atman_text_start[], __atman_text_end[];
extern char __atman_syms_start[], __atman_syms_end[];
static int crashing;
/* A carried program's code (exec.c sets it): crash reports name it too. */
uintptr_t exec_text_lo, exec_text_hi;
bool kcrashing; /* the console polls from now on */

static bool in_text(uintptr_t a)
{
	return (a >= (uintptr_t)__atman_text_start &&
		a < (uintptr_t)__atman_text_end) ||
	       (a >= exec_text_lo && a < exec_text_hi);
}

/* The function around pc, or NULL outside the program's code (a jump to
 * the heap is not "_fini+0x804070161d"). */
const char *ksym(uintptr_t pc, uintptr_t *off)
{
	static struct sym_table table;
	static bool parsed;
	if (!parsed) {
		parsed = true;
		sym_table_parse(&table, __atman_syms_start,
				__atman_syms_end - __atman_syms_start);
	}
	return in_text(pc) ? sym_lookup(&table, pc, off) : NULL;
}

static void print_pc(const char *prefix, uintptr_t pc)
{
	uintptr_t off;
	const char *name = ksym(pc, &off);
	if (name)
		printk("%s%s+0x%lx (0x%lx)\n", prefix, name, off, pc);
	else
		printk("%s0x%lx\n", prefix, pc);
}

/* Is ret a return address (a call instruction ends there)? *target:
 * the call's target when the instruction says (arch_call_before). */
static bool after_call(uintptr_t ret, uintptr_t *target)
{
	if (!in_text(ret) || ret < (uintptr_t)__atman_text_start + 6)
		return false;
	return arch_call_before((const uint8_t *)ret, target);
}

/*
 * gcc sets up no frame in a leaf function even with frame pointers, and
 * a crash at a function's first instruction (or after a jump to no code
 * at all: a NULL or wild function pointer) comes before any frame: then
 * the caller is not in the rbp chain but at [rsp]. Take [rsp] when it is
 * the return address of a call to rip's function, or of any call when
 * rip is a function's first byte or outside the code.
 */
static uintptr_t frameless_caller(uintptr_t rip, uintptr_t rsp)
{
	uintptr_t off = 0, target;
	if (!rsp || (rsp & 7) || !vm_user_ok((void *)rsp, 8, false))
		return 0;
	bool in_fn = ksym(rip, &off) != NULL;
	uintptr_t ret = *(uintptr_t *)rsp;
	if (!after_call(ret, &target))
		return 0;
	if (!in_fn || off == 0 || target == rip - off)
		return ret;
	return 0;
}

void backtrace_print(uintptr_t rip, uintptr_t rbp, uintptr_t rsp)
{
	printk("backtrace:\n");
	print_pc("  #0 ", rip);
	int n = 1;
	uintptr_t caller = frameless_caller(rip, rsp);
	if (caller) {
		print_pc("  #1 ", caller);
		n++;
	}
	uintptr_t fp = rbp;
	/* Frame pointers: [fp] = caller's fp, [fp+8] = return address.
	 * Code without frame pointers (musl) ends the chain early. */
	uintptr_t prev = 0;
	int repeats = 0, walked = 0;
	while (n < 32 && walked++ < 100000 && fp && !(fp & 7) &&
	       vm_user_ok((void *)fp, 16, false)) {
		uintptr_t ret = ((uintptr_t *)fp)[1];
		if (!in_text(ret))
			break;
		if (ret == prev) {
			/* Deep recursion: one line for the whole run. */
			repeats++;
		} else {
			if (repeats)
				printk("  ... the same %d more times\n",
				       repeats);
			repeats = 0;
			char pre[16];
			ksnprintf(pre, sizeof(pre), "  #%d ", n++);
			print_pc(pre, ret);
		}
		prev = ret;
		uintptr_t next = ((uintptr_t *)fp)[0];
		if (next <= fp)
			break;
		fp = next;
	}
	if (repeats)
		printk("  ... the same %d more times\n", repeats);
	if (n >= 4 || !rsp)
		return;
	/* A short chain: also list text addresses found on the stack, as
	 * Linux does; they are likely, not certain, return addresses. */
	int shown = 0;
	for (uintptr_t p = ALIGN_UP(rsp, 8); shown < 12 && p < rsp + 4096;
	     p += 8) {
		if ((p & (PAGE_SIZE - 1)) == 0 || p == ALIGN_UP(rsp, 8))
			if (!vm_user_ok((void *)p, 8, false))
				break;
		uintptr_t v = *(uintptr_t *)p;
		if (in_text(v) && v != rip) {
			print_pc("   ? ", v);
			shown++;
		}
	}
}

noreturn void crash(const char *what, struct regs *r, uintptr_t addr)
{
	irq_disable();
	kcrashing = true;
	if (crashing++)
		plat->shutdown(SHUTDOWN_CRASH, 139);
	(void)addr;
	if (what) /* NULL: the caller has printed the first line */
		printk("\natman: crash: %s\n", what);
	if (r) {
		print_pc("in ", r->rip);
		arch_regs_print(r);
		backtrace_print(r->rip, r->rbp, r->rsp);
	}
	console_flush();
	plat->shutdown(SHUTDOWN_CRASH, 139);
}

noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	irq_disable();
	kcrashing = true;
	if (crashing++)
		plat->shutdown(SHUTDOWN_CRASH, 139);
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("\natman: crash: kernel panic at %s:%d: %s\n", file, line, msg);
	uintptr_t rbp, rsp;
	arch_frame(rbp, rsp);
	backtrace_print((uintptr_t)__builtin_return_address(0), rbp, 0);
	console_flush();
	plat->shutdown(SHUTDOWN_CRASH, 139);
}
