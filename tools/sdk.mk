# tools/sdk.mk — the guest SDK, included by the top Makefile; `make` (all)
# builds it, `make sdk` builds only it.
#
#   build/lib/sysroot/           what atman-cc searches (atman-cc --print-sysroot)
#       include/                 crypt.h, zlib.h, ...; linux/ asm/ asm-generic/
#       lib/                     libcrypt.a, libz.a, ...
#       lib/pkgconfig/           libxcrypt.pc, zlib.pc, ... (bin/atman-pkg-config)
#       .atman-built/PKG         the Debian version of each library built
#   build/lib/toolchain.cmake    CMake toolchain file
#   build/lib/meson-cross.ini    Meson cross file
#
# The libraries are Debian source packages, fetched once into
# ~/.cache/atman/src and built unchanged by tools/atman-build-lib (a recipe
# each in tools/sdk/libs/). Another one: bin/atman-build-lib PKG.

SYSROOT  := $(B)/lib/sysroot
SDK_LIBS := libxcrypt zlib
# Linux's UAPI headers (Debian's linux-libc-dev) for <linux/*.h>: guests
# speak Linux's system call ABI, and these hold no C library.
SDK_UAPI := $(SYSROOT)/include/linux $(SYSROOT)/include/asm $(SYSROOT)/include/asm-generic

sdk: $(SDK_LIBS:%=$(SYSROOT)/.atman-built/%) $(B)/lib/toolchain.cmake $(B)/lib/meson-cross.ini
all: sdk

$(SYSROOT)/include/linux $(SYSROOT)/include/asm-generic:
	$(Q)mkdir -p $(dir $@)
	$(Q)ln -sfn /usr/include/$(notdir $@) $@

$(SYSROOT)/include/asm:
	$(Q)mkdir -p $(dir $@)
	$(Q)ln -sfn /usr/include/x86_64-linux-gnu/asm $@

# Built once: a newer kernel or atman-cc does not make a library stale.
$(SYSROOT)/.atman-built/%: tools/sdk/libs/% tools/atman-build-lib | $(B)/lib/atman.o $(B)/lib/guest.lds $(SDK_UAPI)
	$(Q)tools/atman-build-lib $*

$(B)/lib/%: tools/sdk/%.in
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e 's|@BINDIR@|$(CURDIR)/bin|g' -e 's|@LIBDIR@|$(CURDIR)/$(B)/lib|g' $< >$@

.PHONY: sdk
