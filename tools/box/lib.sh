# tools/box/lib.sh — the whole host-side library, for scripts that use all
# of it (tools/atman, tools/box/build, bench/run).  Each part is named for
# its job and can be sourced alone:
#   box.sh    where a guest runs: the box, QEMU alone, a real Xen dom0
#   guest.sh  a guest's command line and xl config
#   judge.sh  a guest's fate and its console against a test's checks
# Sourced, not run.

. "$(dirname "${BASH_SOURCE[0]}")/box.sh"
. "$(dirname "${BASH_SOURCE[0]}")/guest.sh"
. "$(dirname "${BASH_SOURCE[0]}")/judge.sh"
