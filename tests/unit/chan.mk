# Host tests of channels and go (runtime/chan.c, runtime/go.c) on a fake
# scheduler of ucontext coroutines (tests/unit/fake_sched.c), under ASan
# and UBSan, built with unit.mk's rules. `make unit` runs them with the
# rest; `make unit-chan` alone; one case: `build/unit/test_chan CASE`.
# malloc and free are wrapped so that the fake can check that kernel
# code never allocates inside kern_enter.

UNIT_TESTS += chan
unit: $(B)/unit/test_chan

$(B)/unit/test_chan: $(B)/unit/tests/unit/test_chan.o \
	$(B)/unit/tests/unit/fake_sched.o $(B)/unit/runtime/chan.o \
	$(B)/unit/runtime/go.o
$(B)/unit/test_chan: UNIT_CFLAGS += -Wl,--wrap=malloc,--wrap=free

unit-chan: $(B)/unit/test_chan
	$(Q)UBSAN_OPTIONS=print_stacktrace=1 $(B)/unit/test_chan

.PHONY: unit-chan
