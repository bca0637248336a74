/*
 * The platform without Xen: QEMU -kernel boots the same PVH image on a
 * plain PC. Time from the TSC (calibrated against the PIT) plus the CMOS
 * clock, the one-shot timer on the local APIC, and the exit status
 * through QEMU's isa-debug-exit port (0xf4) when present. The console on
 * COM1 is com1.c.
 */
#include "pc.h"
#include "arch.h"
#include "kern/kern.h"

#define DEBUG_EXIT_PORT	 0xf4 /* QEMU isa-debug-exit */
#define LAPIC_BASE	 0xfee00000UL
#define LAPIC_EOI	 0xb0
#define LAPIC_SVR	 0xf0
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV	 0x3e0

static uint64_t tsc0, tsc_hz, ns_per_tsc_q32;
static uint64_t lapic_hz, rtc_epoch_ns;
static volatile uint32_t *lapic;

static uint64_t pc_monotonic_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc0) *
			   ns_per_tsc_q32) >>
			  32);
}

static uint64_t pc_tsc_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_per_tsc_q32) >> 32);
}

static uint64_t pc_wallclock_ns(void)
{
	return rtc_epoch_ns + pc_monotonic_ns();
}

static void lapic_write(int reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static void pc_timer_set(uint64_t deadline_ns)
{
	if (!lapic)
		return;
	if (!deadline_ns) {
		lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	uint64_t now = pc_monotonic_ns();
	uint64_t dt = deadline_ns > now ? deadline_ns - now : 0;
	uint64_t ticks =
		(uint64_t)(((unsigned __int128)dt * lapic_hz) / 1000000000ULL);
	lapic_write(LAPIC_TIMER_INIT, ticks < 1		   ? 1
				      : ticks > 0xffffffff ? 0xffffffff
							   : (uint32_t)ticks);
}

static void lapic_timer_irq(struct regs *r)
{
	(void)r;
	lapic_write(LAPIC_EOI, 0);
	timer_interrupt();
}

static noreturn void pc_shutdown(int reason, int status)
{
	/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
	outl(DEBUG_EXIT_PORT, reason == SHUTDOWN_CRASH ? 139 : status);
	outw(0x604, 0x2000);  /* ACPI S5 on q35 */
	outw(0xb004, 0x2000); /* older PIIX setups */
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Count TSC (and LAPIC) ticks across 10 ms of PIT channel 2. */
static void calibrate(void)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	uint16_t count = 11932; /* 1193182 Hz / 100 */
	if (lapic)
		lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t t0 = rdtsc();
	for (long i = 0; i < 100000000 && !(inb(0x61) & 0x20); i++)
		;
	uint64_t t1 = rdtsc();
	if (lapic)
		lapic_hz = (0xffffffffUL - lapic[0x390 / 4]) * 100UL;
	tsc_hz = (t1 - t0) * 100;
	if (tsc_hz < 1000000)
		tsc_hz = 1000000000; /* the PIT did not count: guess 1 GHz */
	ns_per_tsc_q32 =
		(uint64_t)(((unsigned __int128)1000000000ULL << 32) / tsc_hz);
}

static uint8_t cmos(int reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void rtc_read(void)
{
	for (int i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
		; /* update in progress */
	int v[6] = { cmos(0), cmos(2), cmos(4), cmos(7), cmos(8), cmos(9) };
	if (!(cmos(0x0b) & 4))
		for (int i = 0; i < 6; i++)
			v[i] = (v[i] & 15) + (v[i] >> 4) * 10;
	int64_t days = days_from_civil(2000 + v[5], v[4], v[3]);
	rtc_epoch_ns =
		(uint64_t)(days * 86400 + v[2] * 3600 + v[1] * 60 + v[0]) *
		1000000000ULL;
}

static void pc_early_init(struct boot_info *b)
{
	(void)b; /* the PVH loader's memory map is all there is */
}

static void pc_init(void)
{
	pic_init();

	if (cpu.apic && !paging_map_phys(LAPIC_BASE, PAGE_SIZE,
					 PTE_W | PTE_PCD | paging_nx())) {
		lapic = (volatile uint32_t *)LAPIC_BASE;
		lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
		lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
		lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | 0x10000); /* masked */
	}
	tsc0 = rdtsc();
	calibrate();
	if (lapic) {
		lapic_write(LAPIC_TIMER_INIT, 0);
		lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot */
		irq_set_handler(VEC_TIMER, lapic_timer_irq);
	}
	rtc_read();
}

static void pc_banner(void)
{
	printk("  platform: PC without Xen (QEMU); console on COM1\n");
	printk("  tsc: %lu kHz, lapic timer: %lu kHz\n", tsc_hz / 1000,
	       lapic_hz / 1000);
}

const struct platform pc_platform = {
	.name = "pc",
	.early_init = pc_early_init,
	.init = pc_init,
	.banner = pc_banner,
	.monotonic_ns = pc_monotonic_ns,
	.tsc_ns = pc_tsc_ns,
	.wallclock_ns = pc_wallclock_ns,
	.timer_set = pc_timer_set,
	.idle = cpu_idle,
	.shutdown = pc_shutdown,
};
