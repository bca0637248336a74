/*
 * tests/tools/fixture.c — a tiny PVH guest that tests the box and the tools
 * without the AtmanOS kernel.  It keeps the kernel's exit contract
 * (docs/box.md) and does what its command line says:
 *
 *   say WORD      print WORD on a line          exit N   exit with status N
 *   crash         print a crash report, crash   hang     never stop
 *   spew N        print N KiB of numbered lines, then a checksum line
 *
 * It runs in 32-bit protected mode exactly as PVH starts it (flat segments,
 * paging off), so every guest-physical address is a pointer.  Under Xen it
 * writes the PV console ring and xenstore; without Xen (QEMU -kernel), COM1
 * and isa-debug-exit.  Build: gcc -m32 -ffreestanding (see tests/tools/box).
 */
#include <stdint.h>

#define HYPERVISOR_sched_op	    29
#define HYPERVISOR_event_channel_op 32
#define HYPERVISOR_hvm_op	    34
#define SCHEDOP_yield		    0
#define SCHEDOP_shutdown	    2
#define EVTCHNOP_send		    4
#define HVMOP_get_param		    1
#define HVM_PARAM_STORE_PFN	    1
#define HVM_PARAM_STORE_EVTCHN	    2
#define HVM_PARAM_CONSOLE_PFN	    17
#define HVM_PARAM_CONSOLE_EVTCHN    18
#define XS_WRITE		    11

void start(void);
void main_(uint32_t start_info);

/* The PVH entry point note (XEN_ELFNOTE_PHYS32_ENTRY = 18) in a PT_NOTE:
 * Xen and QEMU jump to `start` in 32-bit mode with %ebx = hvm_start_info. */
__asm__(".section .note.pvh, \"a\", @note\n.balign 4\n"
	".long 4, 4, 18\n.asciz \"Xen\"\n.long start\n.previous");

uint8_t stack[16384] __attribute__((aligned(16))); /* used by start */
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static int on_xen;

struct xencons {
	char in[1024], out[2048];
	uint32_t in_cons, in_prod, out_cons, out_prod;
};
struct xenstore {
	char req[1024], rsp[1024];
	uint32_t req_cons, req_prod, rsp_cons, rsp_prod;
};
static volatile struct xencons *cons;
static volatile struct xenstore *store;
static uint32_t cons_port, store_port;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

/* 32-bit HVM hypercall ABI: arguments in ebx, ecx; call into the page Xen
 * filled in, 32 bytes per hypercall. */
static long hypercall2(int nr, uint32_t a1, uint32_t a2)
{
	long ret;
	__asm__ volatile("call *%%eax"
			 : "=a"(ret), "+b"(a1), "+c"(a2)
			 : "a"(hypercall_page + nr * 32)
			 : "memory");
	return ret;
}

static uint32_t hvm_param(uint32_t index)
{
	struct {
		uint16_t domid;
		uint32_t index;
		uint64_t value;
	} __attribute__((aligned(8))) p = { 0x7ff0 /* DOMID_SELF */, index, 0 };
	hypercall2(HYPERVISOR_hvm_op, HVMOP_get_param, (uint32_t)&p);
	return (uint32_t)p.value;
}

static void notify(uint32_t port)
{
	hypercall2(HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint32_t)&port);
}
static void yield(void)
{
	hypercall2(HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

static void put(const char *s, uint32_t n)
{
	if (!on_xen) {
		while (n--) {
			if (*s == '\n')
				outb(0x3f8, '\r');
			while (!(inb(0x3fd) & 0x20))
				;
			outb(0x3f8, *s++);
		}
		return;
	}
	while (n) {
		/* Wait for room: xenconsoled consumes when dom0 runs. */
		while (cons->out_prod - cons->out_cons >= sizeof(cons->out)) {
			notify(cons_port);
			yield();
		}
		cons->out[cons->out_prod & (sizeof(cons->out) - 1)] = *s++;
		__asm__ volatile("" ::: "memory");
		cons->out_prod++;
		n--;
	}
	notify(cons_port);
}

static uint32_t len(const char *s)
{
	uint32_t n = 0;
	while (s[n])
		n++;
	return n;
}
static void puts_(const char *s)
{
	put(s, len(s));
}
static void putnum(uint32_t v)
{
	char b[12];
	int i = 11;
	b[i] = 0;
	do
		b[--i] = '0' + v % 10;
	while (v /= 10);
	puts_(b + i);
}

/* Write data/exit-status (relative to our domain's home) and await the
 * answer, as the kernel's contract says. */
static void xs_write_status(uint32_t status)
{
	char msg[64], num[12];
	uint32_t hdr[4] = { XS_WRITE, 1, 0, 0 }, n = 0, i;
	const char *path = "data/exit-status";
	int k = 11;
	num[k] = 0;
	do
		num[--k] = '0' + status % 10;
	while (status /= 10);
	for (i = 0; path[i]; i++)
		msg[n++] = path[i];
	msg[n++] = 0;
	for (i = k; num[i]; i++)
		msg[n++] = num[i];
	hdr[3] = n;
	const char *p = (const char *)hdr;
	for (i = 0; i < 16 + n; i++) {
		while (store->req_prod - store->req_cons >= sizeof(store->req))
			yield();
		store->req[store->req_prod & 1023] =
			i < 16 ? p[i] : msg[i - 16];
		__asm__ volatile("" ::: "memory");
		store->req_prod++;
	}
	notify(store_port);
	while (store->rsp_prod == store->rsp_cons)
		yield();
	store->rsp_cons = store->rsp_prod; /* the answer is OK or an error */
}

static void shutdown(uint32_t reason)
{
	hypercall2(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint32_t)&reason);
}

static void finish(uint32_t status)
{
	if (status) {
		puts_("atman: exit status ");
		putnum(status);
		puts_("\n");
	}
	if (!on_xen) {
		outl(0xf4, status);
		for (;;)
			;
	}
	xs_write_status(status);
	shutdown(0); /* SHUTDOWN_poweroff */
	for (;;)
		;
}

static const char *word(const char *s, char *out)
{
	while (*s == ' ')
		s++;
	while (*s && *s != ' ')
		*out++ = *s++;
	*out = 0;
	return s;
}

static int eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
static uint32_t num(const char *s)
{
	uint32_t v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + *s++ - '0';
	return v;
}

static void spew(uint32_t kib)
{
	/* Lines of exactly 64 bytes, numbered, so a lost byte shows. */
	char line[65];
	uint32_t i, sum = 0;
	for (i = 0; i < kib * 16; i++) {
		uint32_t v = i, j;
		for (j = 0; j < 63; j++)
			line[j] = 'a' + (i + j) % 26;
		for (j = 8; j-- > 0; v /= 10)
			line[j] = '0' + v % 10;
		line[8] = ' ';
		line[63] = '\n';
		for (j = 0; j < 64; j++)
			sum = sum * 31 + (uint8_t)line[j];
		put(line, 64);
	}
	puts_("spew done ");
	putnum(sum);
	puts_("\n");
}

void main_(uint32_t start_info)
{
	uint32_t eax, ebx, ecx, edx;
	__asm__ volatile("cpuid"
			 : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
			 : "a"(0x40000000));
	on_xen = ebx == 0x566e6558; /* "XenV" */
	if (on_xen) {
		__asm__ volatile("cpuid"
				 : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
				 : "a"(0x40000002));
		__asm__ volatile("wrmsr" ::"c"(ebx),
				 "a"((uint32_t)hypercall_page), "d"(0));
		cons = (void *)(hvm_param(HVM_PARAM_CONSOLE_PFN) << 12);
		cons_port = hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
		store = (void *)(hvm_param(HVM_PARAM_STORE_PFN) << 12);
		store_port = hvm_param(HVM_PARAM_STORE_EVTCHN);
	}
	const char *cmd = (const char *)*(uint32_t *)(start_info +
						      24); /* cmdline_paddr */
	char w[256];
	puts_("fixture: ");
	puts_(cmd);
	puts_("\n");
	for (;;) {
		cmd = word(cmd, w);
		if (!w[0])
			break;
		if (eq(w, "say")) {
			cmd = word(cmd, w);
			puts_(w);
			puts_("\n");
		} else if (eq(w, "exit")) {
			cmd = word(cmd, w);
			finish(num(w));
		} else if (eq(w, "spew")) {
			cmd = word(cmd, w);
			spew(num(w));
		} else if (eq(w, "hang")) {
			for (;;) {
				if (on_xen)
					yield();
			}
		} else if (eq(w, "crash")) {
			puts_("atman: crash: fixture asked to crash\n  "
			      "backtrace: main_+0x0\n");
			if (!on_xen) {
				outl(0xf4, 0xff);
				for (;;)
					;
			}
			shutdown(3); /* SHUTDOWN_crash */
		}
	}
	finish(0);
}

__asm__(".text\n.globl start\nstart:\n"
	"  mov $stack + 16384, %esp\n"
	"  push %ebx\n" /* hvm_start_info */
	"  call main_\n"
	"1: hlt\n  jmp 1b\n");
