/*
 * Threads. Every thread is a kernel thread running program code in
 * ring 0: pthreads come from musl's pthread_create through clone
 * (sys/sys_thread.c), go threads from the runtime (runtime/gothread.c),
 * which is pthread_create on a small lazily-backed stack from here. A thread runs the kernel on its own
 * stack (below the red zone), so a dead thread's memory is given back by
 * the next thread to run (thread_reap), never by the thread itself.
 */
#include <errno.h>

#include "kern.h"
#include "arch.h"

/*
 * Stacks of go threads that ended, kept mapped (their top pages already
 * backed) for the next go threads: a create then skips the address-space
 * work, the page fault and the zeroing. Few, so the memory they hold
 * stays small.
 */
#define STACK_CACHE 16
static uintptr_t stack_cache[STACK_CACHE];
static int nstack_cache;

void *thread_stack_get(void)
{
	if (nstack_cache)
		return (void *)stack_cache[--nstack_cache];
	return vm_alloc_stack(THREAD_STACK, true);
}

void thread_stack_put(void *top)
{
	if (nstack_cache < STACK_CACHE)
		stack_cache[nstack_cache++] = (uintptr_t)top;
	else
		vm_free_stack(top, THREAD_STACK);
}

static struct thread *all_threads;
static int nthreads;
static int next_tid = 1;
static int next_ktid = KTHREAD_TID_BASE;
static struct thread *dead; /* waiting for thread_reap */
bool thread_kstacks;
uintptr_t kstack_top;

struct thread *thread_new(void)
{
	struct thread *t = kmalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->fpu = cpu.xsave_size <= 2048 ? kmalloc(cpu.xsave_size)
					: (void *)page_alloc();
	if (!t->fpu) {
		kfree(t);
		return NULL;
	}
	t->kstack_top = 0;
	if (thread_kstacks) {
		void *k = vm_alloc_stack(KSTACK_SIZE, false);
		if (!k) {
			if (cpu.xsave_size <= 2048)
				kfree(t->fpu);
			else
				page_free((uintptr_t)t->fpu);
			kfree(t);
			return NULL;
		}
		t->kstack_top = (uintptr_t)k;
	}
	t->tid = next_tid++;
	t->state = T_BLOCKED;
	t->all_next = all_threads;
	if (all_threads)
		all_threads->all_prev = t;
	all_threads = t;
	nthreads++;
	return t;
}

/* The first run of a kernel thread: kthread_trampoline (switch.S) calls
 * here with what kthread_start left in the switch frame. */
noreturn void kthread_first_run(void (*fn)(void *), void *arg)
{
	thread_reap();
	fn(arg);
	panic("kernel thread %d returned", current->tid);
}

struct thread *kthread_start(void (*fn)(void *), void *arg)
{
	void *top = vm_alloc_stack(KTHREAD_STACK, false);
	if (!top)
		return NULL;
	struct thread *t = thread_new();
	if (!t) {
		vm_free_stack(top, KTHREAD_STACK);
		return NULL;
	}
	/* Not one of the program's threads: the program ends when its last
	 * thread does, whatever the kernel's own are doing; and its id is
	 * from a range of its own, so the program's first thread is still
	 * tid 1 when a kernel thread starts before it. */
	nthreads--;
	next_tid--;
	t->tid = next_ktid++;
	t->kthread = true;
	/* Kernel code uses no FPU: switching it out keeps only the control
	 * words, as for a thread inside a direct call. */
	t->in_call = true;
	cpu_fpu_init_state(t->fpu);
	/* popped by switch_to: r15 r14 r13 r12 rbx rbp, then ret, which
	 * leaves the stack 16-byte aligned for the trampoline's call */
	uint64_t *sf = (uint64_t *)top - 7;
	memset(sf, 0, 6 * sizeof(uint64_t));
	sf[3] = (uintptr_t)fn;	/* r12 */
	sf[2] = (uintptr_t)arg; /* r13 */
	sf[6] = (uintptr_t)kthread_trampoline;
	t->sp = (uintptr_t)sf;
	sched_add(t);
	return t;
}

/* Context switches of threads that ended, for getrusage(RUSAGE_SELF). */
static uint64_t ended_nvcsw, ended_nivcsw;

void thread_csw(bool all, uint64_t *voluntary, uint64_t *involuntary)
{
	*voluntary = all ? ended_nvcsw : current->nvcsw;
	*involuntary = all ? ended_nivcsw : current->nivcsw;
	for (struct thread *t = all_threads; all && t; t = t->all_next) {
		*voluntary += t->nvcsw;
		*involuntary += t->nivcsw;
	}
}

static void thread_free(struct thread *t)
{
	ended_nvcsw += t->nvcsw;
	ended_nivcsw += t->nivcsw;
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		all_threads = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	if (t->own_stack_top)
		thread_stack_put((void *)t->own_stack_top);
	if (t->kstack_top)
		vm_free_stack((void *)t->kstack_top, KSTACK_SIZE);
	if (t->unmap_len)
		vm_munmap(t->unmap_start, t->unmap_len);
	if (cpu.xsave_size <= 2048)
		kfree(t->fpu);
	else
		page_free((uintptr_t)t->fpu);
	kfree(t);
}

struct thread *thread_first(void)
{
	return all_threads;
}

struct thread *thread_find_if(bool (*fn)(const struct thread *, int), int arg)
{
	for (struct thread *t = all_threads; t; t = t->all_next)
		if (t->state != T_DEAD && fn(t, arg))
			return t;
	return NULL;
}

struct thread *thread_find(int tid)
{
	for (struct thread *t = all_threads; t; t = t->all_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/*
 * Where each thread is: for one blocked in a syscall, the program's
 * context; for one blocked in a direct call (a channel operation), the
 * kernel frames on its stack, from the switch frame switch_to left:
 * r15 r14 r13 r12 rbx rbp, then the return address.
 */
void thread_dump(void)
{
	for (struct thread *t = all_threads; t; t = t->all_next) {
		bool in_syscall = t->uregs && !t->in_call;
		printk("thread %d: %s%s\n", t->tid,
		       t->state == T_RUNNABLE ? "runnable" : "blocked",
		       t->kthread   ? " (kernel thread)"
		       : in_syscall ? " in a syscall"
				    : " in a call");
		if (t->state == T_RUNNABLE)
			continue;
		if (in_syscall) {
			backtrace_print(t->uregs->rip, t->uregs->rbp,
					t->uregs->rsp);
		} else if (t == current) {
			uintptr_t rbp = (uintptr_t)__builtin_frame_address(0);
			backtrace_print((uintptr_t)thread_dump, rbp, 0);
		} else {
			uint64_t *sf = (uint64_t *)t->sp;
			backtrace_print(sf[6], sf[5], t->sp + 7 * 8);
		}
	}
}

/* Called by whoever runs next after a thread died. */
void thread_reap(void)
{
	if (dead && dead != current) {
		thread_free(dead);
		dead = NULL;
	}
}

noreturn void thread_exit(int status)
{
	struct thread *t = current;
	/* CLONE_CHILD_CLEARTID: musl's join (and its thread list lock)
	 * waits on this word. */
	if (t->clear_tid && vm_user_ok(t->clear_tid, sizeof(int), true)) {
		*t->clear_tid = 0;
		futex_wake(t->clear_tid, 1, ~0u);
	}
	if (nthreads == 1)
		kexit(status);
	nthreads--;
	signal_thread_exit(t);
	if (t->go_worker) /* it ended inside a go thread: pthread_exit */
		go_worker_hook(t, GO_WORKER_ENDED);
	t->state = T_DEAD;
	thread_reap(); /* at most one is ever waiting */
	dead = t;
	schedule();
	panic("a dead thread was scheduled");
}

/* The first run of a new thread: switch_to returns here (switch.S). */
noreturn void thread_first_run(struct regs *r)
{
	thread_reap();
	regs_enter(r);
}

/*
 * Make t resume at the program context r the first time it is switched
 * to: a copy of r and a switch frame go below the red zone of sp.
 */
void thread_prepare(struct thread *t, const struct regs *r)
{
	/* Where its entries will put its registers: its kernel stack, or
	 * its own below the red zone. */
	uintptr_t top =
		t->kstack_top
			? ALIGN_DOWN(t->kstack_top - sizeof(struct regs), 16)
			: ALIGN_DOWN(r->rsp - 128 - sizeof(struct regs), 16);
	struct regs *nr = (struct regs *)top;
	*nr = *r;
	uint64_t *sf = (uint64_t *)top - 7;
	/* popped by switch_to: r15 r14 r13 r12 rbx rbp, then ret */
	memset(sf, 0, 6 * sizeof(uint64_t));
	sf[4] = (uintptr_t)nr; /* rbx */
	sf[6] = (uintptr_t)thread_trampoline;
	t->sp = (uintptr_t)sf;
}

/* The current thread runs on a stack from thread_stack_get: give it back
 * (to the cache) once the thread has ended. */
void thread_own_stack(void *top)
{
	current->own_stack_top = (uintptr_t)top;
}
