/*
 * A go thread is a detached pthread on a small stack from the kernel's
 * stack cache (kern/thread.c). musl puts the thread's TLS at the top of
 * a stack it is given, so a go thread that does little costs one or two
 * pages. The new thread itself tells the kernel, first thing, that it
 * owns its stack: the kernel gives it back once the thread has ended and
 * stopped running on it.
 */
#include <errno.h>
#include <pthread.h>

#include "runtime.h"
#include "kern/kern.h"

/* What go_main needs, at the top of the new stack: 64 bytes kept back
 * from the stack given to pthread_create. */
#define GO_START_ROOM 64
struct go_start {
	void (*fn)(void *);
	void *arg;
	void *top;
};
_Static_assert(sizeof(struct go_start) <= GO_START_ROOM, "room at the top");

static void *go_main(void *p)
{
	struct go_start gs = *(struct go_start *)p;
	unsigned long f = kern_enter();
	thread_own_stack(gs.top);
	kern_leave(f);
	gs.fn(gs.arg);
	return NULL;
}

int go_spawn(void (*fn)(void *), void *arg)
{
	unsigned long f = kern_enter();
	void *top = thread_stack_get();
	kern_leave(f);
	if (!top)
		return -ENOMEM;

	struct go_start *gs = (struct go_start *)top - 1;
	*gs = (struct go_start){ fn, arg, top };
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstack(&a, (char *)top - THREAD_STACK,
			      THREAD_STACK - GO_START_ROOM);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int r = pthread_create(&th, &a, go_main, gs);
	pthread_attr_destroy(&a);
	if (r) {
		/* No thread took the stack. */
		f = kern_enter();
		thread_stack_put(top);
		kern_leave(f);
		return -r;
	}
	return 0;
}
