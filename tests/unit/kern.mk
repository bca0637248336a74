# Host tests of kern/ beyond pure logic: the file layer, poll and select,
# pipes, eventfd, epoll and futexes, on the fake scheduler (fake_sched.c)
# with the services below faked (fake_kern.c); timers against a fake
# platform timer; the timeout helper (sys/sys_time.c). Built with
# unit.mk's rules under ASan and UBSan, malloc and free wrapped as in
# chan.mk; `make unit` runs them with the rest. Their objects see
# tests/unit/host/arch.h before the real one: irq_lock's cli would fault
# in a host process.

KERN_TESTS := file pipe eventfd epoll futex timer timeout vfs cpio
UNIT_TESTS += $(KERN_TESTS)
unit: $(patsubst %,$(B)/unit/test_%,$(KERN_TESTS))

# The file layer and everything it reaches, with the fakes.
UNIT_FILE_OBJS := $(patsubst %,$(B)/unit/%.o,kern/uio kern/file kern/reclock kern/poll \
	kern/pipe kern/eventfd kern/epoll kern/console kern/wait \
	sys/sys_fd sys/sys_pipe sys/sys_poll sys/sys_time tests/unit/fake_sched \
	tests/unit/fake_kern)

$(B)/unit/test_file: $(UNIT_FILE_OBJS)
$(B)/unit/test_pipe: $(UNIT_FILE_OBJS)
$(B)/unit/test_eventfd: $(UNIT_FILE_OBJS)
$(B)/unit/test_epoll: $(UNIT_FILE_OBJS)
$(B)/unit/test_futex: $(patsubst %,$(B)/unit/%.o,kern/futex kern/wait \
	tests/unit/fake_sched)
$(B)/unit/test_timer: $(B)/unit/kern/timer.o
$(B)/unit/test_timeout: $(UNIT_FILE_OBJS)
# The VFS on ramfs, with the file layer under it and sys_fs.c above.
$(B)/unit/test_vfs: $(UNIT_FILE_OBJS) $(patsubst %,$(B)/unit/%.o,fs/vfs \
	fs/vfs_file fs/vfs_ops fs/ramfs sys/sys_fs kern/blkdev)
$(B)/unit/test_cpio: $(UNIT_FILE_OBJS) $(patsubst %,$(B)/unit/%.o,fs/vfs \
	fs/vfs_file fs/vfs_ops fs/ramfs sys/sys_fs fs/cpio fs/rootfs kern/blkdev)

$(patsubst %,$(B)/unit/test_%,$(KERN_TESTS)): \
	UNIT_CFLAGS := -iquote tests/unit/host $(UNIT_CFLAGS) \
	-Wl,--wrap=malloc,--wrap=free
