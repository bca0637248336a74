# Host tests of channels and go (kern/chan.c, kern/go.c) on a fake
# scheduler of ucontext coroutines (tests/unit/fake_sched.c), under ASan
# and UBSan. `make unit-chan` builds and runs them; one case:
# `build/unit/test_chan CASE`. malloc and free are wrapped so the fake
# can check that kernel code never allocates inside kern_enter.

HOSTCC ?= gcc
CHAN_UNIT_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra \
	-iquote .
CHAN_UNIT_SRCS := tests/unit/test_chan.c tests/unit/fake_sched.c \
	kern/chan.c kern/go.c
CHAN_UNIT_OBJS := $(patsubst %.c,$(B)/unit-chan/%.o,$(CHAN_UNIT_SRCS))

$(B)/unit-chan/%.o: %.c
	$(call msg,HOSTCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(CHAN_UNIT_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/unit/test_chan: $(CHAN_UNIT_OBJS)
	$(call msg,HOSTLD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(CHAN_UNIT_CFLAGS) -Wl,--wrap=malloc,--wrap=free \
		-o $@ $(CHAN_UNIT_OBJS)

unit-chan: $(B)/unit/test_chan
	$(Q)$(B)/unit/test_chan

-include $(CHAN_UNIT_OBJS:.o=.d)

.PHONY: unit-chan
