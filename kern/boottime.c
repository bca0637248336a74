/*
 * Where the boot's time goes (atman.boottime): the start code marks the
 * end of each step with the TSC; before the program's _start, the report
 * prints each step's share, from the entry's first instruction
 * (boot_tsc), and the total bench/boot reads. Marking is one rdtsc into a
 * table, cheap enough to stay on every boot; only the report is optional.
 * Where the platform can say (Xen's runstate), each step also shows how
 * long the vCPU was on the CPU, waiting for it, or blocked.
 */
#include "kern.h"
#include "arch.h"

#define BOOT_MARKS_MAX 40

static struct boot_mark {
	const char *what;
	uint64_t tsc;
	bool has_cpu; /* cpu is valid */
	struct plat_cpu_time cpu;
} marks[BOOT_MARKS_MAX];
static unsigned nmarks;
static bool cpu_time_wanted;

void boot_mark(const char *what)
{
	if (nmarks == BOOT_MARKS_MAX)
		return;
	struct boot_mark *m = &marks[nmarks++];
	m->what = what;
	m->tsc = rdtsc();
	/* Until the platform can say (PV: once shared_info is mapped),
	 * each mark asks. */
	m->has_cpu = cpu_time_wanted && plat->cpu_time(&m->cpu) == 0;
}

void boot_trace_cpu(void)
{
	cpu_time_wanted = plat->cpu_time != NULL;
}

static void ms(uint64_t ns, char *buf, size_t len)
{
	ksnprintf(buf, len, "%lu.%03lu", (unsigned long)(ns / 1000000),
		  (unsigned long)(ns / 1000 % 1000));
}

static void line(const struct boot_mark *m, const struct boot_mark *prev,
		 uint64_t tsc0)
{
	char t[24], r[24], w[24], b[24];
	ms(plat->tsc_ns(m->tsc - tsc0), t, sizeof(t));
	if (!m->has_cpu || !prev || !prev->has_cpu) {
		printk("atman: boot step %s %s ms\n", m->what, t);
		return;
	}
	ms(m->cpu.running_ns - prev->cpu.running_ns, r, sizeof(r));
	ms(m->cpu.runnable_ns - prev->cpu.runnable_ns, w, sizeof(w));
	ms(m->cpu.blocked_ns - prev->cpu.blocked_ns, b, sizeof(b));
	printk("atman: boot step %s %s ms (running %s, runnable %s, blocked "
	       "%s)\n",
	       m->what, t, r, w, b);
}

void boot_report(void)
{
	boot_mark("proc");
	uint64_t prev = boot_tsc;
	for (unsigned i = 0; i < nmarks; i++) {
		line(&marks[i], i ? &marks[i - 1] : NULL, prev);
		prev = marks[i].tsc;
	}
	/* Under Xen: where the vCPU was since the domain was unpaused (a
	 * little before the first instruction): on the CPU (its own work
	 * and Xen's for it), waiting for it (dom0 had it: the box has one
	 * CPU), or blocked (on xenstore). */
	const struct boot_mark *last = &marks[nmarks - 1];
	char r[24], w[24], b[24], t[24];
	if (last->has_cpu) {
		ms(last->cpu.running_ns, r, sizeof(r));
		ms(last->cpu.runnable_ns, w, sizeof(w));
		ms(last->cpu.blocked_ns, b, sizeof(b));
		printk("atman: boot vcpu running %s ms\n", r);
		printk("atman: boot vcpu runnable %s ms\n", w);
		printk("atman: boot vcpu blocked %s ms\n", b);
	}
	ms(plat->tsc_ns(last->tsc - boot_tsc), t, sizeof(t));
	/* bench/boot reads this line. */
	printk("atman: boot: %s ms from the first instruction to the "
	       "program's start\n",
	       t);
}
