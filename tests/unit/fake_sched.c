/*
 * The fake scheduler (see fake_sched.h): kern.h's thread interface on
 * ucontext coroutines, with a clock that moves only when every thread
 * waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "kern/kern.h"
#include "tests/unit/fake_sched.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASAN 1
#else
#define ASAN 0
#endif

#define STACK_SIZE (128 * 1024)

struct fthread {
	struct thread t; /* what kernel code sees as current */
	ucontext_t ctx;
	void *stack;
	const void *stack_bottom; /* for ASan; main's is learnt */
	size_t stack_size;
	void *asan_fake_stack;
	void (*fn)(void *);
	void *arg;
	int kdepth;    /* kern_enter nesting */
	bool in_block; /* inside sched_block */
	bool blocked;  /* not runnable: waits for a wake or deadline */
	bool woken, timed_out;
	bool intr_sleep;  /* inside sched_block_intr */
	bool signalled;	  /* fake_signal: pending until back in the program */
	bool interrupted; /* a signal ended the sleep */
	bool dead, joining;
	uint64_t deadline;	  /* 0: none */
	uint64_t seq;		  /* when it blocked: orders equal deadlines */
	struct fthread *next;	  /* run queue */
	struct fthread *all_next; /* every thread, main first */
};

uint64_t fake_now;
unsigned long fake_switches;
struct thread *current;

static struct fthread main_ft;
static struct fthread *cur = &main_ft;
static struct fthread *runq_head, *runq_tail;
static struct fthread *all = &main_ft;
static struct fthread *zombies; /* ended; stacks freed by the next runner */
static int nlive;
static uint64_t block_seq, rng;
static unsigned preempt_pct;
static int next_tid = 2;

static void die(const char *why)
{
	fprintf(stderr, "fake_sched: %s\n", why);
	abort();
}

static void runq_push(struct fthread *t)
{
	t->next = NULL;
	if (runq_tail)
		runq_tail->next = t;
	else
		runq_head = t;
	runq_tail = t;
}

static struct fthread *runq_pop(void)
{
	struct fthread *t = runq_head;
	if (t) {
		runq_head = t->next;
		if (!runq_head)
			runq_tail = NULL;
		t->next = NULL;
	}
	return t;
}

static bool waits_for_time(const struct fthread *t)
{
	return t->blocked && t->deadline;
}

/* Wake, timed out, every blocked thread whose deadline has come. */
static void fire_timers(void)
{
	for (;;) {
		struct fthread *due = NULL;
		for (struct fthread *t = all; t; t = t->all_next) {
			if (!waits_for_time(t) || t->deadline > fake_now)
				continue;
			if (!due || t->deadline < due->deadline ||
			    (t->deadline == due->deadline && t->seq < due->seq))
				due = t;
		}
		if (!due)
			return;
		due->blocked = false;
		due->timed_out = true;
		runq_push(due);
	}
}

static void report_deadlock(void)
{
	fprintf(stderr, "fake_sched: deadlock: every thread waits forever\n");
	for (struct fthread *t = all; t; t = t->all_next)
		if (t->blocked)
			fprintf(stderr, "  thread %d blocked%s\n", t->t.tid,
				t->joining ? " (joining)" : "");
	abort();
}

/* The next thread to run; the clock jumps if nobody can run now. */
static struct fthread *pick(void)
{
	for (;;) {
		struct fthread *t = runq_pop();
		if (t)
			return t;
		struct fthread *e = NULL;
		for (struct fthread *u = all; u; u = u->all_next)
			if (waits_for_time(u) &&
			    (!e || u->deadline < e->deadline))
				e = u;
		if (!e)
			report_deadlock();
		if (e->deadline > fake_now)
			fake_now = e->deadline;
		fire_timers();
	}
}

void __real_free(void *p);

/* The fake's own memory: not the code under test, so not checked. */
static void reap(void)
{
	while (zombies) {
		struct fthread *z = zombies;
		zombies = z->next;
		__real_free(z->stack);
		__real_free(z);
	}
}

static void switch_to(struct fthread *next)
{
	struct fthread *prev = cur;
	if (next == prev)
		return;
	fake_switches++;
	cur = next;
	current = &next->t;
#if ASAN
	__sanitizer_start_switch_fiber(prev->dead ? NULL
						  : &prev->asan_fake_stack,
				       next->stack_bottom, next->stack_size);
#endif
	swapcontext(&prev->ctx, &next->ctx);
	/* prev runs again. */
#if ASAN
	const void *from_bottom;
	size_t from_size;
	__sanitizer_finish_switch_fiber(prev->asan_fake_stack, &from_bottom,
					&from_size);
#endif
	reap();
}

static void start(void)
{
#if ASAN
	const void *from_bottom;
	size_t from_size;
	__sanitizer_finish_switch_fiber(NULL, &from_bottom, &from_size);
	if (!main_ft.stack_bottom) {
		/* Only main can have started the first thread. */
		main_ft.stack_bottom = from_bottom;
		main_ft.stack_size = from_size;
	}
#endif
	reap();
	cur->fn(cur->arg);
	if (cur->kdepth)
		die("a thread ended inside kern_enter");
	cur->dead = true;
	nlive--;
	/* Off the list of all threads; freed by whoever runs next. */
	for (struct fthread **pp = &all; *pp; pp = &(*pp)->all_next)
		if (*pp == cur) {
			*pp = cur->all_next;
			break;
		}
	if (!nlive && main_ft.joining && main_ft.blocked) {
		main_ft.blocked = false;
		runq_push(&main_ft);
	}
	cur->next = zombies;
	zombies = cur;
	switch_to(pick());
	die("a dead thread ran");
}

int go_spawn(void (*fn)(void *), void *arg)
{
	if (cur->kdepth)
		die("go_spawn inside kern_enter");
	struct fthread *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->stack = malloc(STACK_SIZE);
	if (!t->stack) {
		free(t);
		return -ENOMEM;
	}
	t->stack_bottom = t->stack;
	t->stack_size = STACK_SIZE;
	t->fn = fn;
	t->arg = arg;
	t->t.tid = next_tid++;
	getcontext(&t->ctx);
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = STACK_SIZE;
	t->ctx.uc_link = NULL;
	makecontext(&t->ctx, start, 0);
	t->all_next = main_ft.all_next;
	main_ft.all_next = t;
	nlive++;
	runq_push(t);
	return t->t.tid;
}

static void maybe_preempt(void)
{
	if (!preempt_pct || cur->kdepth)
		return;
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	if ((rng * 0x2545f4914f6cdd1dULL >> 33) % 100 < preempt_pct)
		fake_yield();
}

unsigned long kern_enter(void)
{
	maybe_preempt();
	return cur->kdepth++;
}

void kern_leave(unsigned long flags)
{
	if (cur->kdepth <= 0 || (unsigned long)(cur->kdepth - 1) != flags)
		die("kern_leave does not match kern_enter");
	cur->kdepth--;
	if (!cur->kdepth)
		cur->signalled = false; /* back in the program: delivered */
	maybe_preempt();
}

bool fake_in_kernel(void)
{
	return cur->kdepth > 0;
}

static void block(uint64_t deadline)
{
	cur->woken = cur->timed_out = false;
	if (deadline && deadline <= fake_now) {
		cur->timed_out = true;
		return;
	}
	cur->blocked = true;
	cur->deadline = deadline;
	cur->seq = ++block_seq;
	switch_to(pick());
	cur->deadline = 0;
}

bool sched_block(uint64_t deadline_ns)
{
	if (!cur->kdepth)
		die("sched_block outside kern_enter");
	cur->in_block = true;
	block(deadline_ns);
	cur->in_block = false;
	return cur->woken;
}

int sched_block_intr(uint64_t deadline_ns)
{
	if (!cur->kdepth)
		die("sched_block_intr outside kern_enter");
	if (cur->signalled)
		return -EINTR;
	cur->in_block = cur->intr_sleep = true;
	cur->interrupted = false;
	block(deadline_ns);
	cur->in_block = cur->intr_sleep = false;
	if (cur->woken)
		return 1;
	return cur->interrupted ? -EINTR : 0;
}

void fake_signal(struct thread *t)
{
	struct fthread *f = (struct fthread *)t;
	f->signalled = true;
	if (f->intr_sleep && f->blocked) {
		f->interrupted = true;
		f->blocked = false;
		runq_push(f);
	}
}

void sched_wake(struct thread *t)
{
	struct fthread *f = (struct fthread *)t; /* t is its first member */
	if (!cur->kdepth)
		die("sched_wake outside kern_enter");
	if (f->dead)
		die("sched_wake of a dead thread");
	if (!f->in_block)
		die("sched_wake of a thread not in sched_block");
	if (f == cur)
		die("sched_wake of the running thread");
	f->woken = true;
	if (f->blocked) {
		/* Else its deadline made it runnable already. */
		f->blocked = false;
		runq_push(f);
	}
}

uint64_t now_ns(void)
{
	return fake_now;
}

void fake_yield(void)
{
	runq_push(cur);
	switch_to(pick());
}

void fake_sleep(uint64_t ns)
{
	block(fake_now + ns);
}

void fake_settle(void)
{
	while (runq_head)
		fake_yield();
}

void fake_join_all(void)
{
	if (cur != &main_ft)
		die("fake_join_all from a thread");
	while (nlive) {
		main_ft.joining = true;
		block(0);
		main_ft.joining = false;
	}
	reap();
}

int fake_live_threads(void)
{
	return nlive;
}

void fake_sched_init(uint64_t seed, unsigned pct)
{
	if (cur != &main_ft || nlive || runq_head)
		die("fake_sched_init with threads left");
	current = &main_ft.t;
	main_ft.t.tid = 1;
	rng = seed ? seed : 1;
	preempt_pct = pct;
	fake_now = 1000000000; /* 1 s: deadlines are never 0 */
	fake_switches = 0;
}

/* With -Wl,--wrap=malloc,--wrap=free: kernel code must not allocate
 * inside kern_enter (musl's malloc could deadlock there). */
void *__real_malloc(size_t n);

void *__wrap_malloc(size_t n)
{
	if (cur->kdepth)
		die("malloc inside kern_enter");
	return __real_malloc(n);
}

void __wrap_free(void *p)
{
	if (cur->kdepth)
		die("free inside kern_enter");
	__real_free(p);
}
