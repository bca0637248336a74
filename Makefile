# AtmanOS. `make` builds the kernel object that bin/atman-cc links into
# every guest; `make check` runs the whole test suite. V=1 shows commands.

CC       ?= gcc
LD       ?= ld
OBJCOPY  ?= objcopy
NM       ?= nm
PREFIX   ?= /usr/local
B        := build
ARCH     := x86_64

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

MUSL_INC := /usr/include/x86_64-linux-musl
GCC_INC  := $(shell $(CC) -print-file-name=include)

# Kernel C: no SSE (the program owns the FPU state), no red zone
# (interrupts land on the interrupted stack's neighbour), no stack
# protector (no TLS of our own), no PIE (linked at 1 MiB).
KCFLAGS = -std=gnu11 $(KOPT) -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -nostdinc -isystem $(MUSL_INC) -isystem $(GCC_INC) \
	-isystem $(B)/include -iquote . -iquote arch/$(ARCH) \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector -fno-pie \
	-fno-omit-frame-pointer -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-common \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -D_GNU_SOURCE

# Small by default: the kernel is in every image. The paths every channel
# handoff and context switch take are worth their bytes at -O2.
KOPT := -Os
HOT := kern/sched.c runtime/chan.c kern/timer.c kern/futex.c kern/wait.c
$(patsubst %.c,$(B)/k/%.o,$(HOT)): KOPT := -O2

# One folder a layer (docs/architecture.md, "Layers").
KSRCS := \
	arch/$(ARCH)/boot.S \
	arch/$(ARCH)/pvboot.S \
	arch/$(ARCH)/entry.S \
	arch/$(ARCH)/pventry.S \
	arch/$(ARCH)/switch.S \
	arch/$(ARCH)/cpu.c \
	arch/$(ARCH)/paging.c \
	arch/$(ARCH)/trap.c \
	arch/$(ARCH)/sigframe.c \
	plat/pc/pc.c \
	plat/pc/com1.c \
	plat/xen/xen.c \
	plat/xen/evtchn.c \
	plat/xen/time.c \
	plat/xen/gnttab.c \
	plat/xen/xenpv.c \
	plat/xen/pvcpu.c \
	plat/xen/pvmmu.c \
	plat/xen/p2m.c \
	drivers/xen/xencons.c \
	drivers/xen/xs.c \
	drivers/xen/xs_watch.c \
	drivers/xen/xs_ring.c \
	drivers/xen/xs_api.c \
	drivers/xen/xenbus.c \
	drivers/xen/netfront.c \
	drivers/xen/netfront_xs.c \
	drivers/xen/blkfront.c \
	drivers/xen/blkfront_xs.c \
	drivers/xen/control.c \
	kern/string.c \
	kern/printk.c \
	kern/console.c \
	kern/panic.c \
	kern/symbols.c \
	kern/page.c \
	kern/vmem.c \
	kern/vm.c \
	kern/cmdline.c \
	kern/initstack.c \
	kern/elf.c \
	kern/exec.c \
	kern/random.c \
	kern/sched.c \
	kern/wait.c \
	kern/timer.c \
	kern/kmem.c \
	kern/thread.c \
	kern/futex.c \
	kern/proc.c \
	kern/boottime.c \
	kern/netdev.c \
	kern/blkdev.c \
	kern/signal.c \
	kern/ptimer.c \
	kern/signalfd.c \
	kern/uio.c \
	kern/file.c \
	kern/fmap.c \
	kern/reclock.c \
	kern/poll.c \
	kern/pipe.c \
	kern/eventfd.c \
	kern/epoll.c \
	fs/vfs.c \
	fs/vfs_file.c \
	fs/vfs_ops.c \
	fs/ramfs.c \
	fs/cpio.c \
	fs/rootfs.c \
	fs/synth.c \
	fs/dev.c \
	fs/blkfile.c \
	fs/ext.c \
	fs/ext_dir.c \
	fs/ext_data.c \
	fs/ext_io.c \
	fs/ext_libc.c \
	fs/mounts.c \
	fs/procfs.c \
	runtime/chan.c \
	runtime/go.c \
	runtime/gothread.c \
	sys/systab.c \
	sys/sys_fd.c \
	sys/sys_fs.c \
	sys/sys_mem.c \
	sys/sys_time.c \
	sys/sys_proc.c \
	sys/sys_thread.c \
	sys/sys_poll.c \
	sys/sys_pipe.c \
	sys/sys_signal.c \
	sys/sys_timer.c \
	sys/sys_net.c \
	start/pvh.c \
	start/pv.c \
	start/start.c

.DEFAULT_GOAL := all

# The network: our glue and sockets (net/), on lwIP (below).
NSRCS := \
	net/net.c \
	net/sys_arch.c \
	net/sock.c \
	net/stream.c \
	net/dgram.c \
	net/netif.c \
	net/csum.c \
	net/tcpwait.c \
	net/etc.c

KOBJS := $(patsubst %,$(B)/k/%.o,$(basename $(KSRCS) $(NSRCS))) $(B)/k/sysnames.o

# lwIP 2.1.3 from Debian's source package, fetched once into the build
# cache by tools/srcpkg (never copied into this repo), compiled with the
# kernel's flags and our lwipopts.h (net/lwip/) into an archive: the
# kernel's partial link takes only the members the kernel references.
LWIP_VERSION := 2.1.3+dfsg1-2
LWIP_PKG := $(B)/lwip/pkg
LWIP_FILES := \
	core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c \
	core/memp.c core/netif.c core/pbuf.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c core/dns.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(B)/lwip/obj/%.o,$(LWIP_FILES))
# -Os like the rest: a guest that uses the network carries lwIP, and
# 2 MiB guests must fit.
$(LWIP_OBJS): KOPT := -Os
LWIP_CFLAGS := -iquote net/lwip -I$(LWIP_PKG)/src/include
$(B)/k/net/%.o: KCFLAGS += $(LWIP_CFLAGS)
$(B)/k/start/%.o: KCFLAGS += $(LWIP_CFLAGS)
$(B)/k/sys/sys_net.o: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(B)/k/%.o,$(basename $(NSRCS)) start/start sys/sys_net): | $(B)/lwip/.unpacked

$(B)/lwip/.unpacked:
	$(call msg,FETCH,lwip-$(LWIP_VERSION))
	$(Q)mkdir -p $(B)/lwip
	$(Q)d=$$(tools/srcpkg lwip $(LWIP_VERSION)) && ln -sfn "$$d" $(LWIP_PKG)
	$(Q)touch $@

$(addprefix $(LWIP_PKG)/src/,$(LWIP_FILES)): | $(B)/lwip/.unpacked
	@:

# lwIP's own code is not ours to keep warning-free at -Wextra.
$(B)/lwip/obj/%.o: $(LWIP_PKG)/src/%.c | $(B)/include/xen
	$(call msg,CC,lwip/$*.c)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(LWIP_CFLAGS) -Wno-unused-parameter -Wno-sign-compare \
		-Wno-address -Wno-type-limits -MD -MP -c -o $@ $<

$(B)/k/liblwip.a: $(LWIP_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# libext2fs 1.47.0 from Debian's e2fsprogs source package, fetched once
# into the build cache like lwIP, compiled with the kernel's flags and
# our configuration (fs/e2fs/config.h) into an archive. Its generated
# headers are made here as e2fsprogs' own build makes them: the error
# table by its compile_et awk scripts, ext2_types.h from its template,
# the CRC32c table by its generator (a host program).
E2FS_VERSION := 1.47.0-2
E2FS_PKG := $(B)/e2fs/pkg
E2FS_GEN := $(B)/e2fs/gen
E2FS_FILES := \
	alloc.c alloc_sb.c alloc_stats.c alloc_tables.c badblocks.c \
	bb_inode.c bitmaps.c bitops.c blkmap64_ba.c blkmap64_rb.c blknum.c \
	block.c bmap.c check_desc.c closefs.c crc16.c crc32c.c csum.c \
	dblist.c dblist_dir.c digest_encode.c dir_iterate.c dirblock.c \
	dirhash.c expanddir.c ext_attr.c extent.c fallocate.c fileio.c \
	freefs.c gen_bitmap.c gen_bitmap64.c get_num_dirs.c \
	get_pathname.c hashmap.c i_block.c ind_block.c \
	inline.c inline_data.c inode.c io_manager.c link.c \
	lookup.c mkdir.c mmp.c namei.c newdir.c nls_utf8.c openfs.c \
	orphan.c punch.c rbtree.c read_bb.c res_gdt.c rw_bitmaps.c \
	sha512.c swapfs.c symlink.c unlink.c valid_blk.c version.c
E2FS_OBJS := $(patsubst %.c,$(B)/e2fs/obj/%.o,$(E2FS_FILES)) $(B)/e2fs/obj/ext2_err.o
E2FS_CFLAGS := -iquote fs/e2fs -I$(E2FS_GEN) -I$(B)/e2fs/inc -I$(E2FS_PKG)/lib \
	-DHAVE_CONFIG_H
$(E2FS_OBJS): KOPT := -Os
E2FS_USERS := $(patsubst %,$(B)/k/fs/%.o,ext ext_dir ext_data ext_io)
$(E2FS_USERS): KCFLAGS += $(E2FS_CFLAGS)
$(E2FS_USERS): | $(E2FS_GEN)/ext2fs/ext2_err.h $(E2FS_GEN)/ext2fs/ext2_types.h

$(B)/e2fs/.unpacked:
	$(call msg,FETCH,e2fsprogs-$(E2FS_VERSION))
	$(Q)mkdir -p $(B)/e2fs/inc
	$(Q)d=$$(tools/srcpkg e2fsprogs $(E2FS_VERSION)) && ln -sfn "$$d" $(E2FS_PKG)
	$(Q)ln -sfn ../pkg/lib/ext2fs $(B)/e2fs/inc/ext2fs
	$(Q)ln -sfn ../pkg/lib/et $(B)/e2fs/inc/et
	$(Q)touch $@

$(addprefix $(E2FS_PKG)/lib/ext2fs/,$(E2FS_FILES) ext2_err.et.in ext2_types.h.in gen_crc32ctable.c): | $(B)/e2fs/.unpacked
	@:

$(E2FS_GEN)/ext2fs/ext2_err.h $(E2FS_GEN)/ext2_err.c: $(E2FS_PKG)/lib/ext2fs/ext2_err.et.in
	$(call msg,GEN,ext2_err.h)
	$(Q)mkdir -p $(E2FS_GEN)/ext2fs
	$(Q)sed 's/@E2FSPROGS_VERSION@/$(E2FS_VERSION)/' $< >$(E2FS_GEN)/ext2_err.et
	$(Q)cd $(E2FS_GEN) && LC_ALL=C awk -f $(abspath $(E2FS_PKG))/lib/et/et_h.awk \
		outfile=ext2fs/ext2_err.h outfn=ext2_err.h ext2_err.et
	$(Q)cd $(E2FS_GEN) && LC_ALL=C awk -f $(abspath $(E2FS_PKG))/lib/et/et_c.awk \
		outfile=ext2_err.c outfn=ext2_err.c ext2_err.et

$(E2FS_GEN)/ext2fs/ext2_types.h: $(E2FS_PKG)/lib/ext2fs/ext2_types.h.in
	$(call msg,GEN,ext2_types.h)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e 's/@ASM_TYPES_HEADER@//; s/@SIZEOF_SHORT@/2/; s/@SIZEOF_INT@/4/' \
		-e 's/@SIZEOF_LONG@/8/; s/@SIZEOF_LONG_LONG@/8/; s/@PUBLIC_CONFIG_HEADER@//' $< >$@.tmp
	$(Q)mv $@.tmp $@

$(E2FS_GEN)/crc32c_table.h: $(E2FS_PKG)/lib/ext2fs/gen_crc32ctable.c
	$(call msg,GEN,crc32c_table.h)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -O1 -I$(E2FS_PKG)/lib/ext2fs -o $(B)/e2fs/gen_crc32ctable $<
	$(Q)$(B)/e2fs/gen_crc32ctable >$@.tmp
	$(Q)mv $@.tmp $@

# e2fsprogs' own code is not ours to keep warning-free at -Wextra.
E2FS_WNO := -Wno-unused-parameter -Wno-sign-compare -Wno-type-limits \
	-Wno-implicit-fallthrough -Wno-missing-field-initializers \
	-Wno-unused-function -Wno-pointer-sign -Wno-cast-function-type
$(B)/e2fs/obj/%.o: $(E2FS_PKG)/lib/ext2fs/%.c $(E2FS_GEN)/ext2fs/ext2_err.h \
		$(E2FS_GEN)/ext2fs/ext2_types.h $(E2FS_GEN)/crc32c_table.h | $(B)/include/xen
	$(call msg,CC,e2fs/$*.c)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(E2FS_CFLAGS) $(E2FS_WNO) -MD -MP -c -o $@ $<

$(B)/e2fs/obj/ext2_err.o: $(E2FS_GEN)/ext2_err.c | $(B)/include/xen
	$(call msg,CC,e2fs/ext2_err.c)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(E2FS_CFLAGS) $(E2FS_WNO) -c -o $@ $<

$(B)/k/libext2fs.a: $(E2FS_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

all: $(B)/lib/atman.o $(B)/lib/guest.lds $(B)/lib/loader.lds

$(B)/include/xen:
	$(Q)mkdir -p $(B)/include
	$(Q)ln -sfn /usr/include/xen $@

$(B)/k/%.o: %.c | $(B)/include/xen
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c -o $@ $<

$(B)/k/%.o: %.S | $(B)/include/xen
	$(call msg,AS,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c -o $@ $<

# Syscall names for "unsupported syscall NAME", from musl's own list: one
# string, "read\0write\0...", a name (maybe empty) for every number.
$(B)/gen/sysnames.c: $(MUSL_INC)/bits/syscall.h Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)awk '/^#define __NR_/ { n = $$2; sub("__NR_", "", n); name[$$3] = n; \
	    if ($$3 + 1 > max) max = $$3 + 1 } \
	  END { print "/* generated from $< */"; \
	    print "const int syscall_names_count = " max ";"; \
	    printf "const char syscall_names[] ="; \
	    for (i = 0; i < max; i++) printf "%s\"%s\\0\"", (i % 4 ? " " : "\n\t"), name[i]; \
	    print ";" }' $< > $@

$(B)/k/sysnames.o: $(B)/gen/sysnames.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

# The kernel comes in parts (docs/architecture.md, "Parts"): the core,
# which every image has, and parts an image carries only if its program
# can use them. Each is one partial link under build/lib/parts/, with
# its names still global; tools/atman-kernel joins the core and the
# chosen parts into one object in which only atman_* names stay global,
# so a program may define its own panic, printk or page_alloc. (Each
# depends on the Makefile too: an object moved between parts must leave
# the one it was in.) atman-cc does that per image; atman.o here is every part (for
# bin/atman image, which cannot tell what a static Linux program uses).
PARTS := core net fs devfs disk ext events timers exec

# net: lwIP, our glue and sockets (net/), the socket calls (sys_net.c)
# and the interfaces (netfront, kern/netdev.c). The core reaches it
# through weak references only (sys/systab.c, start/start.c).
NET_OBJS := $(patsubst %,$(B)/k/%.o,$(basename $(NSRCS)) sys/sys_net kern/netdev \
	drivers/xen/netfront drivers/xen/netfront_xs)
# fs: the file system: the tree (fs/vfs*.c), ramfs and the root's cpio,
# the generated /etc files, the disks' files (fs/blkfile.c,
# kern/blkdev.c), mappings of files (kern/fmap.c), the path calls
# (sys_fs.c). devfs: /dev and /proc (needs fs). disk: the disks themselves
# (blkfront) and their mounts (fs/mounts.c; needs fs). The core reaches
# both through weak references only (sys/systab.c, start/start.c).
FS_OBJS := $(patsubst %,$(B)/k/%.o,fs/vfs fs/vfs_file fs/vfs_ops fs/ramfs fs/cpio \
	fs/rootfs fs/synth fs/blkfile sys/sys_fs kern/blkdev kern/fmap)
DEVFS_OBJS := $(B)/k/fs/dev.o $(B)/k/fs/procfs.o
DISK_OBJS := $(patsubst %,$(B)/k/%.o,fs/mounts drivers/xen/blkfront drivers/xen/blkfront_xs)
# ext: ext2/3/4 (needs fs and disk), fs/ext*.c and libext2fs, in which the C library that
# ext_libc.c gives libext2fs (malloc, free, snprintf, qsort, ...) is
# local: no other kernel file, and none of runtime/ (which is above
# musl), may bind to it. The core reaches it through fs/mounts.c's weak
# references only.
EXT_OBJS := $(patsubst %,$(B)/k/fs/%.o,ext ext_dir ext_data ext_io ext_libc)
# events: poll, select and epoll (sys_poll.c, kern/epoll.c), pipes and
# eventfds (sys_pipe.c, kern/pipe.c, kern/eventfd.c). The core reaches
# them through sys/systab.c's weak references only.
EVENTS_OBJS := $(patsubst %,$(B)/k/%.o,sys/sys_poll sys/sys_pipe kern/epoll kern/pipe \
	kern/eventfd)
# timers: alarm, itimers and POSIX timers (sys_timer.c, kern/ptimer.c);
# the core reaches them through sys/systab.c's weak references only.
TIMERS_OBJS := $(B)/k/sys/sys_timer.o $(B)/k/kern/ptimer.o
# exec: the loader of static Linux programs (kern/elf.c, kern/exec.c),
# in atman.o only: an atman-cc image carries no program to load. The
# core reaches it through kern/proc.c's weak reference.
EXEC_OBJS := $(B)/k/kern/elf.o $(B)/k/kern/exec.o
CORE_OBJS := $(filter-out $(EXT_OBJS) $(NET_OBJS) $(FS_OBJS) $(DEVFS_OBJS) $(DISK_OBJS) \
	$(EVENTS_OBJS) \
	$(TIMERS_OBJS) $(EXEC_OBJS),$(KOBJS))

$(B)/lib/parts/core.o: $(CORE_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/net.o: $(NET_OBJS) $(B)/k/liblwip.a Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/events.o: $(EVENTS_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/timers.o: $(TIMERS_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/exec.o: $(EXEC_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/fs.o: $(FS_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/devfs.o: $(DEVFS_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/disk.o: $(DISK_OBJS) Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@ $(filter-out Makefile,$^)

$(B)/lib/parts/ext.o: $(EXT_OBJS) $(B)/k/libext2fs.a Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(LD) -r -o $@.r $(filter-out Makefile,$^)
	$(Q)$(OBJCOPY) $$($(NM) -g --defined-only $(B)/k/fs/ext_libc.o | \
		awk '{ print "--localize-symbol=" $$3 }') $@.r $@
	$(Q)rm -f $@.r

$(B)/lib/atman.o: $(PARTS:%=$(B)/lib/parts/%.o) tools/atman-kernel
	$(call msg,LD,$@)
	$(Q)tools/atman-kernel $@ $(PARTS:%=$(B)/lib/parts/%.o)

$(B)/lib/guest.lds: arch/$(ARCH)/guest.lds
	$(Q)mkdir -p $(dir $@)
	$(Q)cp $< $@

# bin/atman image's script: guest.lds with the carried program's segment
# in place of the lines marked LOADER (see guest.lds).
$(B)/lib/loader.lds: arch/$(ARCH)/guest.lds
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e '/^\tsyms   PT_LOAD/a\' -e '\tprog   PT_LOAD FLAGS(4);' \
	  -e '/__atman_prog_end = .; \/\* LOADER/d' \
	  -e 's|^\t__atman_prog_start = .; /\* LOADER \*/|\t. = __atman_prog_addr;\n\t.atman_prog : {\n\t\t__atman_prog_start = .;\n\t\tKEEP(*(.atman_prog))\n\t\t__atman_prog_end = .;\n\t} :prog|' \
	  $< >$@.tmp
	$(Q)grep -q '^.prog   PT_LOAD' $@.tmp && grep -q '} :prog$$' $@.tmp && mv $@.tmp $@

-include $(KOBJS:.o=.d) $(LWIP_OBJS:.o=.d)

include tests/unit/unit.mk
include tests/unit/chan.mk
include tests/unit/xen.mk
include tests/fuzz/fuzz.mk
include tests/unit/kern.mk
include tests/guest/guest.mk
include tools/install.mk
include tools/sdk.mk

# The whole test suite (tools/check says what is in it); ends with
# "N passed, N failed". One part: make check SUITES="unit qemu".
check: all
	tools/check $(SUITES)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

.PHONY: all clean check format
