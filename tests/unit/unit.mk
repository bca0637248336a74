# Host unit tests: the kernel's pure logic, compiled from the real kernel
# sources with the host gcc and glibc under ASan and UBSan. `make unit`
# builds build/unit/test_* and runs every one; it fails if any case fails.
# One test: `make build/unit/test_vmem && build/unit/test_vmem [CASE]`.

HOSTCC ?= gcc
UNIT_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra \
	-iquote . -iquote arch/$(ARCH) -isystem $(B)/include -D__XEN_INTERFACE_VERSION__=0x00040e00

# Another make fragment, included before or after this one, adds its
# test to `make unit` with two lines:
#   UNIT_TESTS += NAME
#   unit: $(B)/unit/test_NAME
UNIT_TESTS += cmdline initstack page vmem symbols xs ring netfront blkfront signal p2m pvboot elf csum
UNIT_BINS = $(patsubst %,$(B)/unit/test_%,$(UNIT_TESTS))

# Each test is its file tests/unit/test_NAME.c plus the kernel sources it
# tests; the fakes for everything else live in the test file.
$(B)/unit/test_cmdline: $(B)/unit/kern/cmdline.o
$(B)/unit/test_initstack: $(B)/unit/kern/initstack.o
$(B)/unit/test_page: $(B)/unit/kern/page.o
$(B)/unit/test_vmem: $(B)/unit/kern/vmem.o
$(B)/unit/test_symbols: $(B)/unit/kern/symbols.o
$(B)/unit/test_elf: $(B)/unit/kern/elf.o
$(B)/unit/test_signal: $(B)/unit/kern/signal.o $(B)/unit/arch/x86_64/sigframe.o \
	$(B)/unit/kern/printk.o
# The frame uses the REG_* names of <ucontext.h>.
$(B)/unit/test_signal: UNIT_CFLAGS += -D_GNU_SOURCE
$(B)/unit/test_xs: $(B)/unit/drivers/xen/xs.o $(B)/unit/kern/printk.o
$(B)/unit/test_netfront: $(B)/unit/drivers/xen/netfront.o $(B)/unit/kern/printk.o
# net/ needs lwIP's headers (Debian's source, fetched by the kernel's build).
$(B)/unit/test_csum: $(B)/unit/net/csum.o
$(B)/unit/net/csum.o $(B)/unit/tests/unit/test_csum.o: UNIT_CFLAGS += $(LWIP_CFLAGS)
$(B)/unit/net/csum.o $(B)/unit/tests/unit/test_csum.o: | $(B)/lwip/.unpacked
$(B)/unit/test_blkfront: $(B)/unit/drivers/xen/blkfront.o $(B)/unit/kern/printk.o
$(B)/unit/test_p2m: $(B)/unit/plat/xen/p2m.o
$(B)/unit/test_pvboot: $(B)/unit/start/pv.o

# Keep the objects: make would delete them as intermediate files.
.PRECIOUS: $(B)/unit/%.o

$(B)/unit/test_%: $(B)/unit/tests/unit/test_%.o
	$(call msg,HOSTLD,$@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(filter %.o,$^)

$(B)/unit/%.o: %.c | $(B)/include/xen
	$(call msg,HOSTCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

# Run them all, even after a failure; fail if any failed. A sanitizer
# report stops its test at once (-fno-sanitize-recover), with a stack.
unit: $(UNIT_BINS)
	$(Q)failed=; for t in $(UNIT_BINS); do \
	  UBSAN_OPTIONS=print_stacktrace=1 $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BINS)) tests passed"

-include $(wildcard $(B)/unit/*/*.d $(B)/unit/*/*/*.d $(B)/unit/tests/unit/*.d)

.PHONY: unit
