# tools/install.mk — `make install`, included by the top Makefile.
#
#   make install PREFIX=/opt/atman [DESTDIR=...]
#
# installs what building guests outside this tree needs:
#   PREFIX/bin/atman-cc, atman-pkg-config, atman-build-lib, atman-elf
#                                (atman-elf image PROG OUT: a static Linux
#                                program as a bootable image)
#   PREFIX/lib/atman/            atman.o, parts/ (the kernel's parts), guest.lds,
#                                loader.lds, atman-gensyms, atman-kernel,
#                                toolchain.cmake, meson-cross.ini,
#                                libs/ (atman-build-lib's recipes)
#   PREFIX/lib/atman/sysroot/    the guest SDK (tools/sdk.mk), with
#                                include/atman/*.h (#include <atman/chan.h>);
#                                its .pc files say prefix=that place
# The tools find it all relative to themselves (../lib/atman).

INSTALL ?= install
IDIR := $(DESTDIR)$(PREFIX)
ILIB := $(IDIR)/lib/atman

install: all
	$(call msg,INSTALL,$(IDIR))
	$(Q)rm -rf $(ILIB)
	$(Q)$(INSTALL) -d $(IDIR)/bin $(ILIB)/libs $(ILIB)/parts $(ILIB)/sysroot/include/atman
	$(Q)$(INSTALL) -m 755 tools/atman-cc tools/atman-pkg-config tools/atman-build-lib tools/atman-elf $(IDIR)/bin/
	$(Q)$(INSTALL) -m 755 tools/atman-gensyms tools/atman-kernel $(ILIB)/
	$(Q)$(INSTALL) -m 644 $(B)/lib/atman.o $(B)/lib/guest.lds $(B)/lib/loader.lds $(ILIB)/
	$(Q)$(INSTALL) -m 644 $(PARTS:%=$(B)/lib/parts/%.o) $(ILIB)/parts/
	$(Q)$(INSTALL) -m 644 tools/sdk/libs/* $(ILIB)/libs/
	$(Q)for f in toolchain.cmake meson-cross.ini; do \
		sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@LIBDIR@|$(PREFIX)/lib/atman|g' \
			tools/sdk/$$f.in >$(ILIB)/$$f || exit 1; done
	$(Q)cp -a $(SYSROOT)/. $(ILIB)/sysroot/
	$(Q)for f in $(ILIB)/sysroot/lib/pkgconfig/*.pc; do [ -L $$f ] || \
		sed -i 's|^prefix=.*|prefix=$(PREFIX)/lib/atman/sysroot|' $$f || exit 1; done
	$(Q)$(INSTALL) -m 644 include/atman/*.h $(ILIB)/sysroot/include/atman/

uninstall:
	rm -f $(IDIR)/bin/atman-cc $(IDIR)/bin/atman-pkg-config $(IDIR)/bin/atman-build-lib \
		$(IDIR)/bin/atman-elf
	rm -rf $(ILIB)

.PHONY: install uninstall
