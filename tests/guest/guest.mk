# tests/guest/guest.mk — the guest tests, included by the top Makefile.
#
#   make guest-build   every tests/guest/*.c built with bin/atman-cc -O2
#                      into build/guest/NAME (kernel rebuilt first if stale)
#   make guest-qemu    run the table tests/guest/tests.txt under QEMU alone
#   make guest-xen     ... under real Xen in the box
#   make guest-check   both, QEMU first
#
# The runner (tools/testrun) builds what it runs itself; guest-build is for
# trying one program by hand: bin/atman run --qemu build/guest/float.

GUEST_SRCS := $(wildcard tests/guest/*.c)
GUEST_BINS := $(patsubst tests/guest/%.c,$(B)/guest/%,$(GUEST_SRCS))
GUEST_DEPS := $(B)/lib/atman.o $(B)/lib/guest.lds tools/atman-cc tools/atman-gensyms tools/atman-kernel

guest-build: $(GUEST_BINS)

$(B)/guest/%: tests/guest/%.c $(GUEST_DEPS)
	$(call msg,ATMANCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)bin/atman-cc -O2 -o $@ $< $(GUEST_LIBS)

# Tests that link a library of the guest SDK (as their src in tests.txt).
$(B)/guest/zlib: GUEST_LIBS := -lz
$(B)/guest/zlib: | sdk

guest-qemu: all
	tools/testrun --qemu

guest-xen: all
	tools/testrun --xen

guest-check: all
	tools/testrun --both

.PHONY: guest-build guest-qemu guest-xen guest-check

# An ordinary program nobody here wrote, built unchanged: zlib's
# test/minigzip.c, taken from the Debian source package the SDK's zlib is
# built from (already in the cache), reading a file from its rootfs.
GUEST_SRC_CACHE := $(or $(ATMAN_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/atman)/src
$(B)/guest-src/minigzip.c: | $(B)/lib/sysroot/.atman-built/zlib
	$(call msg,GET,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)tar -xjOf $(firstword $(wildcard $(GUEST_SRC_CACHE)/zlib/zlib_*.orig.tar.*)) \
		--wildcards '*/test/minigzip.c' >$@.tmp && mv $@.tmp $@
all: $(B)/guest-src/minigzip.c
