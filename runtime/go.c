/*
 * go threads (the contract is include/atman/task.h): go_spawn does the
 * work; this is the exported name and its error contract.
 */
#include <errno.h>

#include "runtime.h"
#include "include/atman/task.h"

int atman_go(void (*fn)(void *), void *arg)
{
	if (!fn)
		return -EINVAL;
	int r = go_spawn(fn, arg);
	return r < 0 ? r : 0;
}
