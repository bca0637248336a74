/* Synchronous faults reach the program's handlers: a NULL dereference,
 * a divide by zero and an invalid instruction, each handled and left
 * with siglongjmp; then a stack overflow whose handler runs on the
 * alternate stack (sigaltstack). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile uintptr_t fault_addr;
static volatile int fault_sig, fault_code;
static char *alt;
static volatile uintptr_t handler_sp;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = (uintptr_t)si->si_addr;
	handler_sp = (uintptr_t)__builtin_frame_address(0);
	siglongjmp(jb, 1);
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int __attribute__((noinline)) divide(volatile int a, volatile int b)
{
	return a / b;
}

static int __attribute__((noinline)) recurse(int n)
{
	volatile char buf[512];
	buf[0] = (char)n;
	return recurse(n + 1) + buf[0];
}

int main(void)
{
	handle(SIGSEGV, 0);
	handle(SIGFPE, 0);
	handle(SIGILL, 0);
	if (!sigsetjmp(jb, 1)) {
		*(volatile int *)16 = 1;
		puts("no fault?");
	}
	printf("segv: sig %d code %s addr %#lx\n", fault_sig,
	       fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	       (unsigned long)fault_addr);
	if (!sigsetjmp(jb, 1))
		printf("%d\n", divide(1, 0));
	printf("fpe: sig %d code %s\n", fault_sig,
	       fault_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("ud2");
	printf("ill: sig %d code %s\n", fault_sig,
	       fault_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other");
	/* siglongjmp restored the mask: the handler can run again. */
	if (!sigsetjmp(jb, 1))
		*(volatile int *)32 = 1;
	printf("again: addr %#lx\n", (unsigned long)fault_addr);

	/* A stack overflow: only the alternate stack has room. */
	alt = malloc(SIGSTKSZ * 4);
	stack_t ss = { .ss_sp = alt, .ss_size = SIGSTKSZ * 4 };
	if (sigaltstack(&ss, NULL))
		perror("sigaltstack");
	handle(SIGSEGV, SA_ONSTACK);
	if (!sigsetjmp(jb, 1))
		recurse(0);
	printf("overflow: handler on the alternate stack %d\n",
	       handler_sp >= (uintptr_t)alt &&
		       handler_sp < (uintptr_t)alt + SIGSTKSZ * 4);
	puts("faults ok");
	return 0;
}
