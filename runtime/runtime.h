/*
 * runtime/: Go-style go threads and channels for C (the contracts are
 * include/atman/task.h and chan.h). A layer above libc: it calls malloc
 * and musl's pthread_create, and the kernel core (kern/) for scheduling.
 * Declarations grouped by the file that implements them.
 */
#ifndef ATMAN_RUNTIME_H
#define ATMAN_RUNTIME_H

/* gothread.c: start fn(arg) on a new detached thread with a small stack
 * (lazily backed, guard page below). Returns 0 or -errno. Program
 * context: it calls musl. */
int go_spawn(void (*fn)(void *), void *arg);

#endif
