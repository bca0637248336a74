/*
 * <atman/task.h>: go threads, Go's goroutines for C.
 *
 * A go thread is a kernel thread like a pthread, scheduled preemptively
 * with the others on the one vCPU, made cheap by a small stack. It is a
 * full thread for the C library: errno, stdio, malloc and pthread mutexes
 * work in it as in a pthread. Go threads and pthreads talk through
 * channels (<atman/chan.h>) or any pthread primitive.
 *
 * Conventions as in <atman/chan.h>: 0 or a negative errno value, never an
 * exit. Unless ATMAN_NO_SHORT_NAMES is defined, go() is defined too.
 */
#ifndef ATMAN_TASK_H
#define ATMAN_TASK_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Start fn(arg) on a new go thread. The thread ends when fn returns (or
 * calls pthread_exit); it cannot be joined: wait for it on a channel.
 * The new thread MAY run before or after atman_go returns.
 *
 * Its stack is small: at least 16 KiB (today 64 KiB, backed by memory
 * only as it is touched), with an unmapped guard page below, so that an
 * overflow is a crash report, not silent corruption. fn MUST NOT need
 * more stack than that: large buffers belong in malloc'd memory.
 *
 * As in Go, the program ends when main returns or any thread calls
 * exit(), whatever go threads are still running.
 *
 * Go threads run on workers, as goroutines run on Go's threads: a
 * worker runs one go thread after another, and another worker starts
 * when the go threads that wait have none (the running ones block, or
 * run long). So a go thread starts with fresh __thread variables and
 * errno 0, but what names the thread underneath (gettid, pthread_self,
 * its signal mask, pthread_setspecific values) may be a previous go
 * thread's. pthread_exit ends the go thread (and its worker).
 *
 * Errors:
 *   -EINVAL  fn is NULL.
 *   -ENOMEM  no memory for the thread or its stack.
 *   -EAGAIN  the thread could not be created for another reason.
 */
int atman_go(void (*fn)(void *), void *arg);

#ifndef ATMAN_NO_SHORT_NAMES
static inline int go(void (*fn)(void *), void *arg)
{
	return atman_go(fn, arg);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
