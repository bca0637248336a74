# tools/box/lib.sh — host-side functions shared by tools/atman, tools/testrun
# and the host tests: where the box lives, booting it, writing xl configs,
# and reading a guest's fate out of what the box printed.  Sourced, not run.

box_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The box cache.  ATMAN_BOX overrides it (tests, CI with a shared cache).
box_dir() { echo "${ATMAN_BOX:-${XDG_CACHE_HOME:-$HOME/.cache}/atman/box}"; }

# What, besides package versions, the built box depends on.
box_scripts_sum() { cat "$box_lib/build" "$box_lib/init" | sha256sum | cut -c1-16; }

# Build the box if it is missing or stale.  Resolving package versions costs
# apt-cache ~0.7 s, so a run only asks when the scripts changed or apt's
# package cache is newer than the box (an `apt-get update` happened).
box_ensure() {
	local box; box=$(box_dir)
	if [ -f "$box/key" ] && grep -qx "$(box_scripts_sum)" "$box/key" &&
	   ! [ /var/cache/apt/pkgcache.bin -nt "$box/key" ]; then
		return 0
	fi
	"$box_lib/build" "$box"
}
