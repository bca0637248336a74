# tools/install.mk — `make install`, included by the top Makefile.
#
#   make install PREFIX=/opt/atman [DESTDIR=...]
#
# installs what bin/atman-cc needs to build guests outside this tree:
#   PREFIX/bin/atman-cc
#   PREFIX/lib/atman/atman.o, guest.lds, atman-gensyms
#   PREFIX/lib/atman/sysroot/include/atman/*.h   (#include <atman/chan.h>)
# atman-cc finds them relative to itself (../lib/atman).

INSTALL ?= install
IDIR := $(DESTDIR)$(PREFIX)

install: all
	$(call msg,INSTALL,$(IDIR))
	$(Q)$(INSTALL) -d $(IDIR)/bin $(IDIR)/lib/atman/sysroot/include/atman
	$(Q)$(INSTALL) -m 755 tools/atman-cc $(IDIR)/bin/atman-cc
	$(Q)$(INSTALL) -m 755 tools/atman-gensyms $(IDIR)/lib/atman/atman-gensyms
	$(Q)$(INSTALL) -m 644 $(B)/lib/atman.o $(B)/lib/guest.lds $(IDIR)/lib/atman/
	$(Q)$(INSTALL) -m 644 include/atman/*.h $(IDIR)/lib/atman/sysroot/include/atman/

uninstall:
	rm -f $(IDIR)/bin/atman-cc
	rm -rf $(IDIR)/lib/atman

.PHONY: install uninstall
