# Host tests of the Xen side: the xenstore protocol and its watches
# (drivers/xen/xs.c, xs_watch.c) and the frontend handshake (xenbus.c),
# against a fake xenstored (tests/unit/fake_xenstore.c) on the fake
# scheduler (tests/unit/fake_sched.c); the grant table's free list and
# revocation (plat/xen/gnttab.c) on a table in host memory. Built with
# unit.mk's rules; `make unit` runs them with the rest; one case:
# `build/unit/test_xenbus CASE`.

UNIT_TESTS += xenbus gnttab
unit: $(B)/unit/test_xenbus $(B)/unit/test_gnttab

XS_UNIT_OBJS := $(B)/unit/drivers/xen/xs.o $(B)/unit/drivers/xen/xs_watch.o \
	$(B)/unit/kern/printk.o $(B)/unit/kern/wait.o \
	$(B)/unit/tests/unit/fake_sched.o $(B)/unit/tests/unit/fake_xenstore.o
$(B)/unit/test_xs: $(XS_UNIT_OBJS)
$(B)/unit/test_xenbus: $(XS_UNIT_OBJS) $(B)/unit/drivers/xen/xenbus.o
$(B)/unit/test_gnttab: $(B)/unit/plat/xen/gnttab.o $(B)/unit/kern/printk.o
# fake_sched.c checks that kernel code never mallocs inside kern_enter;
# kmalloc's fake (fake_xenstore.c) is calloc and __real_free.
$(B)/unit/test_xs $(B)/unit/test_xenbus: UNIT_CFLAGS += -Wl,--wrap=malloc,--wrap=free

# What includes arch.h (through kern/lock.h) gets the host's one
# (tests/unit/host/arch.h): the real irq_lock would run cli.
XEN_UNIT_HOSTARCH := $(B)/unit/drivers/xen/xs.o $(B)/unit/drivers/xen/xs_watch.o \
	$(B)/unit/drivers/xen/xenbus.o $(B)/unit/plat/xen/gnttab.o \
	$(B)/unit/tests/unit/fake_xenstore.o $(B)/unit/tests/unit/test_xs.o \
	$(B)/unit/tests/unit/test_xenbus.o $(B)/unit/tests/unit/test_gnttab.o
$(XEN_UNIT_HOSTARCH): UNIT_CFLAGS := -iquote tests/unit/host $(UNIT_CFLAGS)
