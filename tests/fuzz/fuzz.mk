# Fuzz targets (libFuzzer, through Debian's clang), included by the top
# Makefile:
#   xs       the xenstore client's reply parser (tests/fuzz/fuzz_xs.c)
#   cmdline  the command-line parser (tests/fuzz/fuzz_cmdline.c)
#   cpio     the root archive's parser (tests/fuzz/fuzz_cpio.c)
#   elf      the static program's ELF parser (tests/fuzz/fuzz_elf.c)
#
#   make fuzz   each target for FUZZ_RUNS inputs, starting from its corpus
#               tests/fuzz/corpus/NAME/ (seeds, and every crash found so
#               far); a fixed seed, so a run is repeatable. Prints
#               "N passed, N failed" (tools/check's fuzz suite).
#   Longer, to find new crashes (new inputs go to the first directory):
#     build/fuzz/fuzz_xs -max_len=8192 -max_total_time=600 \
#       build/fuzz/new tests/fuzz/corpus/xs
#   A crash is written as build/fuzz/crash-NAME-*: fix it, then add the
#   file to tests/fuzz/corpus/NAME/ so that it stays fixed.

FUZZCC ?= clang
FUZZ_RUNS ?= 500000
FUZZ_TARGETS := xs cmdline cpio elf
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -iquote tests/unit/host \
	-iquote . -isystem $(B)/include -D__XEN_INTERFACE_VERSION__=0x00040e00
FUZZ_BINS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(B)/fuzz/fuzz_xs: tests/fuzz/fuzz_xs.c drivers/xen/xs.c \
	drivers/xen/xs_watch.c kern/printk.c drivers/xen/xendrv.h
$(B)/fuzz/fuzz_cmdline: tests/fuzz/fuzz_cmdline.c kern/cmdline.c kern/kern.h
$(B)/fuzz/fuzz_cpio: tests/fuzz/fuzz_cpio.c fs/cpio.c fs/fs.h kern/kern.h
$(B)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c kern/elf.c kern/kern.h

$(FUZZ_BINS): | $(B)/include/xen
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZCC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run $(FUZZ_RUNS) $(FUZZ_TARGETS)

.PHONY: fuzz
