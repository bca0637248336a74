/*
 * go threads run on workers, as Go runs goroutines on its Ms: go() puts
 * (fn, arg) on a queue, and a worker — a detached pthread on a small
 * stack from the kernel's cache (kern/thread.c) — takes items from it
 * one after another. Starting a go thread then costs a queue operation
 * when a worker is free, instead of a pthread_create (a clone, two
 * signal-mask calls, a first run and an exit).
 *
 * A worker is taken for as long as its item runs: an item that blocks
 * (a channel, a lock, a syscall) or runs for a whole time slice holds
 * it, so then, if items are waiting and no worker is free, another
 * worker starts. The scheduler tells us (go_worker_hook: blocked,
 * preempted, woken, ended); a worker that runs alone is never preempted,
 * so while items wait a timer also asks for one every GO_PROGRESS_NS. Workers start in program context: go()
 * starts one itself; from the hook, which runs in the kernel, the
 * spawner thread is woken to do it. A worker with nothing to do parks
 * (up to GO_IDLE_MAX of them; the rest end).
 *
 * An item starts with its thread's __thread variables as the program
 * defined them (the static TLS block copied afresh) and errno 0, so a go
 * thread looks new to the C library's users. What identifies the worker
 * (gettid, pthread_self, its signal mask) is the worker's.
 *
 * All the queues and counts are under big_lock (kern_enter).
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"
#include "kern/kern.h"

#define GO_IDLE_MAX 64 /* parked workers kept for the next items */
/* What go_main needs, at the top of the new stack: 64 bytes kept back
 * from the stack given to pthread_create. */
#define GO_START_ROOM 64

struct go_item {
	void (*fn)(void *);
	void *arg;
	struct go_item *next;
};

static struct go_item *head, *tail; /* waiting to run */
static struct go_item *spare;	    /* done with: reused before malloc */
static unsigned nspare;
#define GO_SPARE_MAX 1024
static unsigned npending;
static struct waitq idle_q; /* parked workers */
static unsigned nidle;
static unsigned nactive;   /* workers running or runnable, not parked */
static unsigned nstarting; /* pthread_create'd, not yet taking items */
static struct waitq spawner_q;
static bool spawn_wanted, spawner_up;
/* Items must not wait behind a worker that neither blocks nor is
 * preempted (it runs alone, so no time slice ends): while items wait,
 * this ticks and asks for one more worker each time. */
#define GO_PROGRESS_NS (10 * 1000000ULL)
static struct ktimer progress;
static bool start_failing; /* the spawner's last worker_start failed */

/* The program's static TLS image (PT_TLS), for a fresh start per item. */
static const unsigned char *tls_image;
static size_t tls_filesz, tls_memsz, tls_offset;

static void tls_find(void)
{
	extern char __atman_image_start[];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__atman_image_start;
	const Elf64_Phdr *ph =
		(const Elf64_Phdr *)(__atman_image_start + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_TLS)
			continue;
		tls_image = (const unsigned char *)ph[i].p_vaddr;
		tls_filesz = ph[i].p_filesz;
		tls_memsz = ph[i].p_memsz;
		/* Where musl puts it, below the thread pointer (TLS variant
		 * II): the size rounded so that the block is aligned as the
		 * image is. */
		size_t align = ph[i].p_align ? ph[i].p_align : 1;
		tls_offset = tls_memsz + ((-tls_memsz - (uintptr_t)tls_image) &
					  (align - 1));
	}
}

static void tls_reset(void)
{
	if (!tls_memsz)
		return;
	unsigned char *block = (unsigned char *)current->fs_base - tls_offset;
	memcpy(block, tls_image, tls_filesz);
	memset(block + tls_filesz, 0, tls_memsz - tls_filesz);
}

/* Kernel context: is a worker needed that only a new one can be? */
static bool need_worker(void)
{
	return npending > nidle + nstarting && !spawn_wanted;
}

static void want_worker(void)
{
	spawn_wanted = true;
	wake_one(&spawner_q);
}

static void progress_tick(struct ktimer *k)
{
	if (!npending)
		return;
	/* No worker runs and none can be started (out of memory): ticking
	 * on would only keep the scheduler from reporting the deadlock, if
	 * that is what this is. A worker that blocks or ends asks again. */
	if (start_failing && !nactive)
		return;
	if (need_worker())
		want_worker();
	ktimer_arm(k, now_ns() + GO_PROGRESS_NS);
}

/* The scheduler's news about a worker (kernel context). */
static void go_hook(struct thread *t, int what)
{
	(void)t;
	switch (what) {
	case GO_WORKER_BLOCKED:
	case GO_WORKER_ENDED:
		nactive--;
		break;
	case GO_WORKER_WOKEN:
		nactive++;
		return;
	case GO_WORKER_PREEMPTED:
		break;
	}
	if (need_worker())
		want_worker();
}

/* The next item for this worker, parking while there is none; NULL:
 * end the worker. Kernel context. */
static struct go_item *take(void)
{
	while (!head) {
		if (nidle >= GO_IDLE_MAX)
			return NULL;
		nidle++;
		waitq_add(&idle_q, current);
		sched_block(0);
		nidle--;
	}
	struct go_item *it = head;
	head = it->next;
	if (!head)
		tail = NULL;
	npending--;
	return it;
}

static void *go_main(void *top)
{
	unsigned long f = kern_enter();
	thread_own_stack(top);
	current->go_worker = true;
	nactive++;
	nstarting--;
	for (;;) {
		struct go_item *it = take();
		if (!it)
			break;
		void (*fn)(void *) = it->fn;
		void *arg = it->arg;
		if (nspare < GO_SPARE_MAX) {
			it->next = spare;
			spare = it;
			nspare++;
			it = NULL;
		}
		kern_leave(f);
		free(it);
		tls_reset();
		errno = 0;
		fn(arg);
		f = kern_enter();
	}
	current->go_worker = false;
	nactive--;
	kern_leave(f);
	return NULL;
}

/* Start a worker: program context. 0 or -errno. */
static int worker_start(void)
{
	unsigned long f = kern_enter();
	void *top = thread_stack_get();
	if (top)
		nstarting++;
	kern_leave(f);
	if (!top)
		return -ENOMEM;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstack(&a, (char *)top - THREAD_STACK,
			      THREAD_STACK - GO_START_ROOM);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int r = pthread_create(&th, &a, go_main, top);
	pthread_attr_destroy(&a);
	if (r) {
		/* No thread took the stack. */
		f = kern_enter();
		nstarting--;
		thread_stack_put(top);
		kern_leave(f);
		return -r;
	}
	return 0;
}

/* Starts the workers the scheduler asks for, in program context. */
static void *spawner_main(void *p)
{
	(void)p;
	static bool said;
	for (;;) {
		unsigned long f = kern_enter();
		while (!spawn_wanted) {
			waitq_add(&spawner_q, current);
			sched_block(0);
		}
		spawn_wanted = false;
		bool need = npending > nidle + nstarting;
		kern_leave(f);
		int r = need ? worker_start() : 0;
		f = kern_enter();
		start_failing = r != 0;
		kern_leave(f);
		if (r && !said) {
			said = true;
			printf("atman: go: cannot start a worker thread (%d); "
			       "go threads wait for one\n",
			       r);
		}
	}
	return NULL;
}

static int runtime_start(void)
{
	tls_find();
	progress.fn = progress_tick;
	go_worker_hook = go_hook;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int r = pthread_create(&th, &a, spawner_main, NULL);
	pthread_attr_destroy(&a);
	return -r;
}

int go_spawn(void (*fn)(void *), void *arg)
{
	unsigned long f = kern_enter();
	struct go_item *it = spare;
	if (it) {
		spare = it->next;
		nspare--;
	}
	kern_leave(f);
	if (!it && !(it = malloc(sizeof(*it))))
		return -ENOMEM;
	*it = (struct go_item){ fn, arg, NULL };
	if (!spawner_up) {
		int r = runtime_start();
		if (r) {
			free(it);
			return r;
		}
		spawner_up = true;
	}
	f = kern_enter();
	if (tail)
		tail->next = it;
	else
		head = it;
	tail = it;
	npending++;
	if (nidle)
		wake_one(&idle_q);
	if (!progress.armed)
		ktimer_arm(&progress, now_ns() + GO_PROGRESS_NS);
	/* No worker will come back for it (all are busy elsewhere, or
	 * there are none): start one now. */
	bool start = !nidle && !nactive && !nstarting;
	kern_leave(f);
	if (!start)
		return 0;
	int r = worker_start();
	if (r) {
		/* Take the item back if nobody else will run it. */
		f = kern_enter();
		bool orphan = !nactive && !nstarting;
		if (orphan) {
			struct go_item **pp = &head, *prev = NULL;
			while (*pp && *pp != it)
				prev = *pp, pp = &(*pp)->next;
			if (*pp) {
				*pp = it->next;
				if (tail == it)
					tail = prev;
				npending--;
			} else {
				orphan = false; /* a worker has it already */
			}
		}
		kern_leave(f);
		if (orphan) {
			free(it);
			return r;
		}
	}
	return 0;
}
