/* kern/signal.c (sending, pending sets, masks, delivery decisions) and
 * arch/x86_64/sigframe.c (the frame a handler runs on and rt_sigreturn),
 * on the host: threads are plain structs, the program's stack is host
 * memory, and the program ending is a longjmp back to the test. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "arch.h"
#include "kern/kern.h"
#include "test.h"

/* --- fakes --- */
struct thread *current;
struct cpu_features cpu = { .xsave_size = 512 };
static struct thread threads[3];
static int nthreads_ = 3;
static jmp_buf end_jmp;
static int end_status; /* kexit's status, or -1 for a crash report */
static int sched_adds;

struct thread *thread_first(void)
{
	return &threads[0];
}
struct thread *thread_find(int tid)
{
	for (int i = 0; i < nthreads_; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	return NULL;
}
struct thread *thread_find_if(bool (*fn)(const struct thread *, int), int arg)
{
	for (int i = 0; i < nthreads_; i++)
		if (fn(&threads[i], arg))
			return &threads[i];
	return NULL;
}
void *kmalloc(size_t n)
{
	return calloc(1, n);
}
void kfree(void *p)
{
	free(p);
}
void sched_add(struct thread *t)
{
	t->state = T_RUNNABLE;
	sched_adds++;
}
int sched_block_intr(uint64_t deadline)
{
	(void)deadline;
	return signal_next(current) ? -EINTR : 0;
}
void crash(const char *what, struct regs *r, uintptr_t addr)
{
	(void)what;
	(void)r;
	(void)addr;
	end_status = -1;
	longjmp(end_jmp, 1);
}
void kexit(int status)
{
	end_status = status;
	longjmp(end_jmp, 1);
}
static int signalfd_notified;
void signalfd_notify(int sig)
{
	(void)sig;
	signalfd_notified++;
}
void console_kwrite(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}
bool vm_user_ok(const void *p, size_t len, bool write)
{
	(void)len;
	(void)write;
	return p != NULL;
}
/* Backing a frame's lazy pages first: asked for the frame's range, and
 * able to fail (no memory left). */
static bool populate_fails;
static uintptr_t populated_start, populated_len;
bool vm_populate(uintptr_t start, size_t len)
{
	populated_start = start;
	populated_len = len;
	return !populate_fails;
}
static uint8_t fpu_saved[512], fpu_restored[512];
static int fpu_restores;
void cpu_fpu_save(void *area)
{
	memcpy(area, fpu_saved, 512);
}
void cpu_fpu_restore(const void *area)
{
	memcpy(fpu_restored, area, 512);
	fpu_restores++;
}

/* --- helpers --- */
#define H_HANDLER  0x401000
#define H_RESTORER 0x402000
static char *stack; /* the program's stack: host memory */
enum { STACK = 64 * 1024 };

static void setup(void)
{
	memset(threads, 0, sizeof(threads));
	for (int i = 0; i < 3; i++) {
		threads[i].tid = i + 1;
		threads[i].state = T_RUNNABLE;
		threads[i].syscall_nr = -1;
	}
	current = &threads[0];
	memset(sigactions, 0, sizeof(struct ksigaction) * (NSIGNALS + 1));
	signal_proc_pend = 0;
	for (int i = 0; i < 3; i++)
		signal_thread_exit(&threads[i]);
	signal_thread_exit(NULL);
	sched_adds = 0;
	end_status = -2;
	populate_fails = false;
	populated_start = populated_len = 0;
}

static void handler(int sig, unsigned long flags, uint64_t mask)
{
	struct ksigaction a = { H_HANDLER, flags | KSA_RESTORER, H_RESTORER,
				mask };
	CHECK_EQ(signal_action(sig, &a, NULL), 0);
}

static struct regs syscall_regs(long nr, long result)
{
	struct regs r = { .rip = 0x400100,
			  .rsp = (uintptr_t)stack + STACK,
			  .rax = result,
			  .vec = -1,
			  .rbx = 0x1111,
			  .rflags = 0x246 };
	current->syscall_nr = nr;
	return r;
}

static int send(int tid, int sig)
{
	struct ksiginfo i = { .signo = sig, .code = SI_USER, .pid = 1 };
	return signal_send(tid, &i);
}

/* Run fn; true if the program ended (status in end_status). */
#define ENDS(stmt) (setjmp(end_jmp) ? true : ((stmt), false))

/* --- cases --- */
static void default_term_ends_with_128_plus_sig(void)
{
	setup();
	CHECK(ENDS(send(0, SIGTERM)));
	CHECK_EQ(end_status, 128 + SIGTERM);
	setup();
	CHECK(ENDS(send(0, SIGKILL)));
	CHECK_EQ(end_status, 137);
}

static void default_core_is_a_crash_report(void)
{
	setup();
	CHECK(ENDS(send(1, SIGABRT)));
	CHECK_EQ(end_status, -1);
}

static void default_ignored_are_dropped(void)
{
	setup();
	CHECK(!ENDS(send(0, SIGCHLD)));
	CHECK(!ENDS(send(0, SIGWINCH)));
	CHECK_EQ(signal_proc_pend, 0);
	struct ksigaction ign = { (uintptr_t)SIG_IGN, 0, 0, 0 };
	signal_action(SIGTERM, &ign, NULL);
	CHECK(!ENDS(send(0, SIGTERM)));
	CHECK_EQ(signal_proc_pend, 0);
}

static void blocked_fatal_pends_until_unblocked(void)
{
	setup();
	for (int i = 0; i < 3; i++)
		threads[i].sigmask = SIGBIT(SIGTERM);
	CHECK(!ENDS(send(0, SIGTERM)));
	CHECK_EQ(signal_proc_pend, SIGBIT(SIGTERM));
	CHECK(ENDS(signal_setmask(0)));
	CHECK_EQ(end_status, 143);
}

static void standard_signals_pend_once_rt_queue(void)
{
	setup();
	handler(SIGUSR1, 0, 0);
	handler(SIGRTMIN_K + 2, 0, 0);
	current->sigmask = ~0ULL;
	for (int i = 0; i < 3; i++) {
		send(1, SIGUSR1);
		struct ksiginfo q = { .signo = SIGRTMIN_K + 2,
				      .code = SI_QUEUE,
				      .value = 100 + i };
		signal_send(1, &q);
	}
	struct ksiginfo info;
	uint64_t set = SIGBIT(SIGUSR1) | SIGBIT(SIGRTMIN_K + 2);
	CHECK_EQ(signal_take(set, &info), SIGUSR1);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(signal_take(set, &info), SIGRTMIN_K + 2);
		CHECK_EQ(info.value, 100 + i); /* in order, each its own */
	}
	CHECK_EQ(signal_take(set, &info), 0);
	CHECK_EQ(current->sigpend, 0);
	CHECK(signalfd_notified > 0); /* signalfds hear of what was sent */
}

static void process_signal_goes_to_a_thread_that_takes_it(void)
{
	setup();
	handler(SIGUSR2, 0, 0);
	current->sigmask = SIGBIT(SIGUSR2);
	threads[2].state = T_BLOCKED;
	threads[2].intr_sleep = true;
	threads[1].sigmask = SIGBIT(SIGUSR2);
	send(0, SIGUSR2);
	CHECK(threads[2].interrupted); /* the one that does not block it */
	CHECK_EQ(threads[2].state, T_RUNNABLE);
	CHECK(!threads[1].interrupted);
	CHECK_EQ(signal_next(&threads[2]), SIGUSR2);
	CHECK_EQ(signal_next(&threads[1]), 0);
}

/* The kernel's threads (the shutdown watch's) take no signal: a
 * process signal sent from one goes to the program's. */
static void kernel_threads_take_no_signal(void)
{
	setup();
	handler(SIGTERM, 0, 0);
	threads[0].kthread = true; /* current: a kernel thread */
	threads[1].state = T_BLOCKED;
	threads[1].intr_sleep = true;
	send(0, SIGTERM);
	CHECK(threads[1].interrupted);
	CHECK_EQ(signal_next(&threads[1]), SIGTERM);
	struct ksiginfo si = { .signo = SIGTERM, .code = SI_USER };
	CHECK_EQ(signal_send(1, &si), -ESRCH); /* by tid: not there */
}

/* Waiting for an outside SIGTERM is not a deadlock: only when someone
 * may send one, and the program would see it. */
static void signal_awaited_needs_external_and_a_taker(void)
{
	setup();
	signal_external = false;
	handler(SIGTERM, 0, 0);
	CHECK(!signal_awaited());
	signal_external = true;
	CHECK(signal_awaited()); /* a handler */
	setup();
	CHECK(!signal_awaited()); /* SIG_DFL: a deadlock is reported */
	threads[0].kthread = true;
	threads[0].sigmask = SIGBIT(SIGTERM);
	CHECK(!signal_awaited()); /* a kernel thread's mask counts not */
	threads[2].sigmask = SIGBIT(SIGTERM);
	CHECK(signal_awaited()); /* blocked to be taken: sigwait, signalfd */
	signal_external = false;
}

static void handler_frame_and_sigreturn_round_trip(void)
{
	setup();
	handler(SIGUSR1, SA_SIGINFO, SIGBIT(SIGUSR2));
	current->sigmask = SIGBIT(SIGHUP);
	for (int i = 0; i < 512; i++)
		fpu_saved[i] = i;
	fpu_saved[24] = 0x80, fpu_saved[25] = 0x1f, fpu_saved[26] = 0,
	fpu_saved[27] = 0; /* a valid MXCSR */
	struct regs r = syscall_regs(39, 1), orig = r;
	send(1, SIGUSR1);
	signal_deliver(&r);
	CHECK_EQ(r.rip, H_HANDLER);
	CHECK_EQ(r.rdi, SIGUSR1);
	CHECK_EQ((r.rsp + 8) % 16, 0);		  /* as after a call */
	CHECK(r.rsp < orig.rsp - 128);		  /* below the red zone */
	CHECK_EQ(*(uint64_t *)r.rsp, H_RESTORER); /* its return address */
	siginfo_t *si = (siginfo_t *)r.rsi;
	CHECK_EQ(si->si_signo, SIGUSR1);
	CHECK_EQ(si->si_code, SI_USER);
	ucontext_t *uc = (ucontext_t *)r.rdx;
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RIP], orig.rip);
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RBX], 0x1111);
	CHECK_EQ(((uintptr_t)uc->uc_mcontext.fpregs) % 64, 0);
	uint64_t saved;
	memcpy(&saved, &uc->uc_sigmask, 8);
	CHECK_EQ(saved, SIGBIT(SIGHUP));
	CHECK_EQ(current->sigmask,
		 SIGBIT(SIGHUP) | SIGBIT(SIGUSR2) | SIGBIT(SIGUSR1));
	/* The handler changes where it returns to, as Go's does. */
	uc->uc_mcontext.gregs[REG_RIP] = 0x400200;
	/* The restorer's syscall: rsp just past the return address. */
	struct regs s = syscall_regs(15, 0);
	s.rsp = r.rsp + 8;
	long rax = signal_return(&s);
	CHECK_EQ(rax, 1);
	CHECK_EQ(s.rip, 0x400200);
	CHECK_EQ(s.rsp, orig.rsp);
	CHECK_EQ(s.rbx, 0x1111);
	CHECK_EQ(current->sigmask, SIGBIT(SIGHUP));
	CHECK_EQ(fpu_restores, 1);
	CHECK(!memcmp(fpu_restored, fpu_saved, 512));
}

static void sigreturn_refuses_a_bad_fpu_area(void)
{
	setup();
	handler(SIGUSR1, 0, 0);
	struct regs r = syscall_regs(39, 0);
	send(1, SIGUSR1);
	signal_deliver(&r);
	ucontext_t *uc = (ucontext_t *)r.rdx;
	uc->uc_mcontext.fpregs =
		(void *)((uintptr_t)uc->uc_mcontext.fpregs + 8);
	struct regs s = syscall_regs(15, 0);
	s.rsp = r.rsp + 8;
	CHECK(ENDS(signal_return(&s)));
	CHECK_EQ(end_status, -1); /* SIGSEGV: a crash report */
}

static void restart_with_sa_restart_else_eintr(void)
{
	setup();
	handler(SIGUSR1, SA_RESTART, 0);
	handler(SIGUSR2, 0, 0);
	struct regs r = syscall_regs(0, -ERESTARTSYS);
	send(1, SIGUSR1);
	signal_deliver(&r);
	ucontext_t *uc = (ucontext_t *)r.rdx;
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RAX], 0); /* read again */
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RIP], 0x400100 - 2);
	setup();
	handler(SIGUSR2, 0, 0);
	r = syscall_regs(0, -ERESTARTSYS);
	send(1, SIGUSR2);
	signal_deliver(&r);
	uc = (ucontext_t *)r.rdx;
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RAX], -EINTR);
	/* ERESTARTNOHAND: EINTR after a handler even with SA_RESTART. */
	setup();
	handler(SIGUSR1, SA_RESTART, 0);
	r = syscall_regs(7, -ERESTARTNOHAND);
	send(1, SIGUSR1);
	signal_deliver(&r);
	uc = (ucontext_t *)r.rdx;
	CHECK_EQ(uc->uc_mcontext.gregs[REG_RAX], -EINTR);
	/* No handler ran (nothing pending): the call starts again. */
	setup();
	r = syscall_regs(7, -ERESTARTNOHAND);
	signal_deliver(&r);
	CHECK_EQ(r.rax, 7);
	CHECK_EQ(r.rip, 0x400100 - 2);
}

static void resethand_and_nodefer(void)
{
	setup();
	handler(SIGUSR1, SA_RESETHAND | SA_NODEFER, 0);
	struct regs r = syscall_regs(39, 0);
	send(1, SIGUSR1);
	signal_deliver(&r);
	CHECK_EQ(sigactions[SIGUSR1].handler, (uintptr_t)SIG_DFL);
	CHECK_EQ(current->sigmask & SIGBIT(SIGUSR1), 0);
}

static void no_restorer_or_no_room_kills(void)
{
	setup();
	struct ksigaction a = { H_HANDLER, 0, 0, 0 }; /* no KSA_RESTORER */
	signal_action(SIGUSR1, &a, NULL);
	struct regs r = syscall_regs(39, 0);
	send(1, SIGUSR1);
	CHECK(ENDS(signal_deliver(&r)));
	CHECK_EQ(end_status, -1); /* SIGSEGV: a crash report */
}

/* The frame's pages are backed before it is built; when they cannot be,
 * the signal ends the program as a frame that does not fit would. */
static void frame_backed_first_or_kills(void)
{
	setup();
	handler(SIGUSR1, 0, 0);
	struct regs r = syscall_regs(39, 0);
	send(1, SIGUSR1);
	CHECK(!ENDS(signal_deliver(&r)));
	CHECK(populated_len > 0);
	CHECK(r.rsp >= populated_start &&
	      r.rsp < populated_start + populated_len);
	setup();
	handler(SIGUSR1, 0, 0);
	r = syscall_regs(39, 0);
	populate_fails = true;
	send(1, SIGUSR1);
	CHECK(ENDS(signal_deliver(&r)));
	CHECK_EQ(end_status, -1); /* SIGSEGV: a crash report */
}

static void altstack_used_with_sa_onstack(void)
{
	setup();
	static char alt[16384] __attribute__((aligned(16)));
	current->altstack_sp = (uintptr_t)alt;
	current->altstack_size = sizeof(alt);
	handler(SIGSEGV, SA_ONSTACK, 0);
	struct regs r = { .rip = 0x400300,
			  .rsp = (uintptr_t)stack + STACK,
			  .vec = 14 };
	CHECK(signal_fault(&r, SIGSEGV, SEGV_MAPERR, 0x10));
	CHECK(r.rsp > (uintptr_t)alt && r.rsp < (uintptr_t)alt + sizeof(alt));
	siginfo_t *si = (siginfo_t *)r.rsi;
	CHECK_EQ((uintptr_t)si->si_addr, 0x10);
	ucontext_t *uc = (ucontext_t *)r.rdx;
	CHECK_EQ(uc->uc_stack.ss_flags, 0);
	CHECK_EQ(uc->uc_mcontext.gregs[REG_TRAPNO], 14);
	/* Blocked, or at its default: the fault is a crash report. */
	setup();
	r.rsp = (uintptr_t)stack + STACK;
	CHECK(!signal_fault(&r, SIGSEGV, SEGV_MAPERR, 0x10));
	handler(SIGSEGV, 0, 0);
	current->sigmask = SIGBIT(SIGSEGV);
	CHECK(!signal_fault(&r, SIGSEGV, SEGV_MAPERR, 0x10));
}

static void sigwait_takes_blocked_signals(void)
{
	setup();
	handler(SIGUSR1, 0, 0);
	current->sigmask = SIGBIT(SIGUSR1);
	send(0, SIGUSR1);
	struct ksiginfo info;
	CHECK_EQ(signal_wait(SIGBIT(SIGUSR1), 0, &info), SIGUSR1);
	CHECK_EQ(info.code, SI_USER);
	CHECK_EQ(signal_wait(SIGBIT(SIGUSR1), 1, &info), -EAGAIN);
	/* Another, unblocked, signal pending: EINTR (its handler runs). */
	handler(SIGUSR2, 0, 0);
	send(1, SIGUSR2);
	CHECK_EQ(signal_wait(SIGBIT(SIGUSR1), 1, &info), -EINTR);
}

static void bad_numbers(void)
{
	setup();
	CHECK_EQ(send(0, 65), -EINVAL);
	CHECK_EQ(send(0, -1), -EINVAL);
	CHECK_EQ(send(99, SIGUSR1), -ESRCH);
	CHECK_EQ(send(1, 0), 0);
	struct ksigaction a = { H_HANDLER, KSA_RESTORER, H_RESTORER, 0 };
	CHECK_EQ(signal_action(SIGKILL, &a, NULL), -EINVAL);
	CHECK_EQ(signal_action(SIGSTOP, &a, NULL), -EINVAL);
	CHECK_EQ(signal_action(0, &a, NULL), -EINVAL);
	CHECK_EQ(signal_action(65, &a, NULL), -EINVAL);
	signal_setmask(~0ULL);
	CHECK_EQ(current->sigmask & (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP)), 0);
}

int main(int argc, char **argv)
{
	test_init("signal", argc, argv);
	stack = aligned_alloc(4096, STACK);
	RUN(default_term_ends_with_128_plus_sig);
	RUN(default_core_is_a_crash_report);
	RUN(default_ignored_are_dropped);
	RUN(blocked_fatal_pends_until_unblocked);
	RUN(standard_signals_pend_once_rt_queue);
	RUN(process_signal_goes_to_a_thread_that_takes_it);
	RUN(kernel_threads_take_no_signal);
	RUN(signal_awaited_needs_external_and_a_taker);
	RUN(handler_frame_and_sigreturn_round_trip);
	RUN(sigreturn_refuses_a_bad_fpu_area);
	RUN(restart_with_sa_restart_else_eintr);
	RUN(resethand_and_nodefer);
	RUN(no_restorer_or_no_room_kills);
	RUN(frame_backed_first_or_kills);
	RUN(altstack_used_with_sa_onstack);
	RUN(sigwait_takes_blocked_signals);
	RUN(bad_numbers);
	free(stack);
	return test_summary();
}
