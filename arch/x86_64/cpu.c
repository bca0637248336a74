/*
 * The CPU: feature detection (once, here) and the FPU/SSE state each
 * thread carries, for both flavours; and the bare CPU's own ops (GDT,
 * TSS, IDT, the SYSCALL MSRs, the interrupt flag, the FS base).
 */
#include "arch.h"
#include "kern/kern.h"

#define MSR_EFER    0xc0000080
#define MSR_STAR    0xc0000081
#define MSR_LSTAR   0xc0000082
#define MSR_FMASK   0xc0000084
#define MSR_FS_BASE 0xc0000100
#define EFER_SCE    (1UL << 0)
#define EFER_LME    (1UL << 8)
#define EFER_LMA    (1UL << 10)
#define EFER_NXE    (1UL << 11)

#define CR4_PAE	       (1UL << 5)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE   (1UL << 16)
#define CR4_OSXSAVE    (1UL << 18)

/* XCR0 components we are prepared to save: x87, SSE, AVX. */
#define XCR0_WANTED 0x7UL

struct cpu_features cpu;
volatile uint8_t cpu_in_kernel = 1;
const struct cpu_ops *cpu_ops = &cpu_native;

struct tss {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3, iomap;
} __attribute__((packed));

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
};

static struct tss tss;
static uint64_t gdt[5] = {
	0,
	0x00af9a000000ffffUL, /* 0x08: 64-bit code */
	0x00cf92000000ffffUL, /* 0x10: data */
	0,
	0, /* 0x18: TSS, two slots */
};
static struct idt_gate idt[256];

static void idt_set(int vec, void *fn, int ist)
{
	uintptr_t a = (uintptr_t)fn;
	idt[vec] = (struct idt_gate){
		.off0 = a & 0xffff,
		.sel = SEL_CODE,
		.ist = ist,
		.type = 0x8e, /* present, interrupt gate: IF cleared on entry */
		.off1 = (a >> 16) & 0xffff,
		.off2 = a >> 32,
	};
}

static void cpu_detect(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	uint32_t max = r[0];
	memcpy(cpu.vendor, &r[1], 4);
	memcpy(cpu.vendor + 4, &r[3], 4);
	memcpy(cpu.vendor + 8, &r[2], 4);
	cpuid(1, 0, r);
	cpu.hwcap = r[3];
	cpu.xsave = r[2] & (1u << 26);
	cpu.rdrand = r[2] & (1u << 30);
	cpu.apic = r[3] & (1u << 9);
	if (max >= 7) {
		cpuid(7, 0, r);
		cpu.rdseed = r[1] & (1u << 18);
		cpu.fsgsbase = r[1] & (1u << 0);
	}
	/* Every 64-bit CPU has leaf 0x80000001 (it tells of long mode):
	 * no need to ask for the highest leaf first. Each CPUID is a trap
	 * to Xen, dear in the box: only the leaves we use. */
	cpuid(0x80000001, 0, r);
	cpu.nx = r[3] & (1u << 20);
}

/* XCR0 (XSAVE's components: those we want, the CPU has, and allowed
 * permits) and the size of a thread's FPU area; then the program's view
 * of a fresh FPU: x87 default control word, SSE exceptions masked,
 * round to nearest. A Xen PV guest's xsetbv is emulated by Xen. */
void cpu_xsave_setup(uint64_t allowed)
{
	cpu.xsave = cpu.xsave && (allowed & XCR0_WANTED);
	cpu.xsave_size = 512;
	if (cpu.xsave) {
		uint32_t r[4];
		cpuid(0xd, 0, r);
		uint64_t have = ((uint64_t)r[3] << 32) | r[0];
		cpu.xcr0 = have & XCR0_WANTED & allowed;
		__asm__ volatile("xsetbv"
				 :
				 : "c"(0), "a"((uint32_t)cpu.xcr0),
				   "d"((uint32_t)(cpu.xcr0 >> 32)));
		/* ECX: the size for every component the CPU has, ours if we
		 * enabled them all; else EBX, the size for those enabled
		 * now, asked again. */
		if (cpu.xcr0 == have)
			cpu.xsave_size = r[2];
		else {
			cpuid(0xd, 0, r);
			cpu.xsave_size = r[1];
		}
	}
	__asm__ volatile("fninit");
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

/* boot.S set CR0 (EM and TS clear; MP, NE, WP set), CR4 (PAE and the
 * SSE bits) and EFER (LME, SCE) whole; each access of a control register
 * or an MSR is a trap under Xen, so we add only what CPUID decides,
 * without reading them back. */
#define BOOT_CR4  (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT)
#define BOOT_EFER (EFER_LME | EFER_LMA | EFER_SCE)

static void native_fpu_setup(void)
{
	uint64_t cr4 = BOOT_CR4;
	if (cpu.xsave)
		cr4 |= CR4_OSXSAVE;
	if (cpu.fsgsbase)
		cr4 |= CR4_FSGSBASE; /* wrfsbase: cheaper than wrmsr */
	if (cr4 != BOOT_CR4)
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	cpu_xsave_setup(~0UL);
}

void cpu_init(void)
{
	cpu_detect();
	cpu_ops->init();
}

static void native_init(void)
{
	if (cpu.nx) /* LMA as the CPU set it: a write keeps it */
		wrmsr(MSR_EFER, BOOT_EFER | EFER_NXE);

	uintptr_t t = (uintptr_t)&tss;
	tss.iomap = sizeof(tss);
	gdt[3] = (sizeof(tss) - 1) | ((t & 0xffffff) << 16) | (0x89UL << 40) |
		 (((t >> 24) & 0xff) << 56);
	gdt[4] = t >> 32;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gd = { sizeof(gdt) - 1, (uintptr_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl $0x10, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w1"
			 :
			 : "m"(gd), "r"(SEL_TSS)
			 : "rax", "memory");

	/* Exceptions on IST2; NMI, double fault and machine check on IST3
	 * so that a fault inside the fault path still reports. */
	for (int v = 0; v < 32; v++)
		idt_set(v, exc_stubs + 16 * v,
			(v == 2 || v == 8 || v == 18) ? 3 : 2);
	for (int v = 32; v < 256; v++)
		idt_set(v, irq_stub_0xff, 1);
	idt_set(VEC_COM1, irq_stub_0x24, 1);
	idt_set(VEC_TIMER, irq_stub_0xf0, 1);
	idt_set(VEC_UPCALL, irq_stub_0xf3, 1);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) id = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(id));

	/* SYSCALL lands in ring 0 with CS=0x08, SS=0x10; FMASK clears IF,
	 * TF, DF, AC, NT so the entry runs with interrupts off. */
	wrmsr(MSR_STAR, (uint64_t)SEL_CODE << 32);
	wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x47700);

	native_fpu_setup();
}

static void native_set_stacks(void *ist_top[3])
{
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uintptr_t)ist_top[i];
}

/* A clean FPU image for a new thread: what fninit + ldmxcsr leave. */
void cpu_fpu_init_state(void *area)
{
	memset(area, 0, cpu.xsave_size);
	uint8_t *p = area;
	*(uint16_t *)(p + 0) = 0x037f;	/* FCW */
	*(uint32_t *)(p + 24) = 0x1f80; /* MXCSR */
	*(uint32_t *)(p + 28) = 0xffff; /* MXCSR_MASK */
	if (cpu.xsave)
		*(uint64_t *)(p + 512) = 0x3; /* XSTATE_BV: x87 + SSE valid */
}

void cpu_fpu_save(void *area)
{
	if (cpu.xsave)
		__asm__ volatile("xsave (%0)"
				 :
				 : "r"(area), "a"((uint32_t)cpu.xcr0),
				   "d"((uint32_t)(cpu.xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsaveq (%0)" : : "r"(area) : "memory");
}

void cpu_fpu_restore(const void *area)
{
	if (cpu.xsave)
		__asm__ volatile("xrstor (%0)"
				 :
				 : "r"(area), "a"((uint32_t)cpu.xcr0),
				   "d"((uint32_t)(cpu.xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstorq (%0)" : : "r"(area) : "memory");
}

static void native_set_fs(uint64_t base)
{
	if (cpu.fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(base));
	else
		wrmsr(MSR_FS_BASE, base);
}

static uint64_t native_get_fs(void)
{
	uint64_t base;
	if (!cpu.fsgsbase)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(base));
	return base;
}

bool cpu_rdrand(uint64_t *v)
{
	if (!cpu.rdrand)
		return false;
	for (int i = 0; i < 10; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

bool cpu_rdseed(uint64_t *v)
{
	if (!cpu.rdseed)
		return false;
	for (int i = 0; i < 10; i++) {
		uint8_t ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

void cpu_idle(void)
{
	/* sti takes effect after the next instruction, so no interrupt
	 * can slip in between it and hlt and leave us asleep. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Interrupts off; the flag as it was (RFLAGS_IF). */
static unsigned long native_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static void native_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

static uintptr_t native_fault_addr(void)
{
	return read_cr2();
}

static void native_debugcon_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		outb(DEBUGCON_PORT, buf[i]);
}

const struct cpu_ops cpu_native = {
	.name = "native",
	.init = native_init,
	.set_stacks = native_set_stacks,
	.irq_save = native_irq_save,
	.irq_restore = native_irq_restore,
	/* The program runs in ring 0 too: a direct call from it needs
	 * interrupts off, nothing more. */
	.call_enter = native_irq_save,
	.call_leave = native_irq_restore,
	.fault_addr = native_fault_addr,
	.set_fs = native_set_fs,
	.get_fs = native_get_fs,
	.debugcon_write = native_debugcon_write,
	.regs_enter = native_regs_enter,
	.kstacks = true,
};
