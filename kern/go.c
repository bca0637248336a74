/*
 * go threads (the contract is include/atman/task.h): thread_go does the
 * work; this is the exported name and its error contract.
 */
#include <errno.h>

#include "kern.h"
#include "include/atman/task.h"

int atman_go(void (*fn)(void *), void *arg)
{
	if (!fn)
		return -EINVAL;
	int r = thread_go(fn, arg);
	return r < 0 ? r : 0;
}
