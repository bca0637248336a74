# tools/box/lib.sh — host-side functions shared by tools/atman, tools/testrun
# and the host tests: where the box lives, booting it, writing xl configs,
# and reading a guest's fate out of what the box printed.  Sourced, not run.

box_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The box cache.  ATMAN_BOX overrides it (tests, CI with a shared cache).
box_dir() { echo "${ATMAN_BOX:-${XDG_CACHE_HOME:-$HOME/.cache}/atman/box}"; }

# Milliseconds since the epoch (bash's own clock: busybox date has no %N).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

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
	# One build at a time (two runs may start together); the second one
	# finds the box built and returns.
	mkdir -p "$box"
	flock "$box/.lock" "$box_lib/build" "$box"
}

# ---- Guest command lines and xl configs ----------------------------------

# Quote one argument for the guest's command line (docs/box.md): a word
# without blanks, quotes or backslashes stays as it is; any other, and the
# empty word, goes in double quotes with " and \ escaped by a backslash.
guest_word() {
	case "$1" in
	'' | *[[:space:]\"\\\']*)
		local s=${1//\\/\\\\}
		printf '"%s"' "${s//\"/\\\"}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# The guest command line for kernel options $1 (already in guest syntax)
# followed by the arguments $2...: env words and argv, each quoted.
guest_cmdline() {
	local line=$1 a; shift
	for a in "$@"; do line="${line:+$line }$(guest_word "$a")"; done
	printf '%s' "$line"
}

# Quote a string as an xl config string literal: "..." with \ " and the
# control characters libxlu knows as backslash escapes.  Its \xHH and octal
# escapes are unusable (Xen 4.17 rejects every \xHH; octal is read as
# decimal), so other control characters are refused.
xl_string() {
	local s=$1 out= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in
		\\) out+='\\' ;;
		\") out+='\"' ;;
		$'\n') out+='\n' ;;
		$'\t') out+='\t' ;;
		$'\r') out+='\r' ;;
		[[:cntrl:]]) echo "atman: control character in a guest argument" >&2
			return 1 ;;
		*) out+=$c ;;
		esac
	done
	printf '"%s"' "$out"
}

# Print the xl config for guest NAME KERNEL MEMORY VCPUS CMDLINE [TYPE].  The
# domain is kept at shutdown ("preserve") so that its exit status can be read
# from xenstore; whoever runs it destroys it afterwards.  TYPE is the guest
# type, pvh (the default) or pv: the same image boots either way.
xl_config() {
	local cmdline; cmdline=$(xl_string "$5") || return 1
	case "${6:-pvh}" in pvh | pv) ;; *) echo "atman: no guest type ${6}" >&2; return 1 ;; esac
	printf 'name = %s\n' "$(xl_string "$1")"
	printf 'type = "%s"\n' "${6:-pvh}"
	printf 'tsc_mode = "native"\n'
	printf 'kernel = %s\n' "$(xl_string "$2")"
	printf 'memory = %d\n' "$3"
	printf 'vcpus = %d\n' "$4"
	printf 'cmdline = %s\n' "$cmdline"
	printf 'on_poweroff = "preserve"\non_reboot = "preserve"\n'
	printf 'on_crash = "preserve"\non_watchdog = "preserve"\n'
}

# ---- Booting the box -------------------------------------------------------

# A run directory RUN holds what one boot of the box needs and leaves:
#   RUN/atman/    packed into the initramfs as /atman (see tools/box/init):
#                 jobs, opts, and NAME/{cfg,kernel} per guest
#   RUN/box.cpio  the dom0 initramfs with RUN/atman appended
#   RUN/serial.log  everything QEMU's serial line carried
#   RUN/out/NAME.out  a guest's console; RUN/out/NAME.end its end marker

# box_job_add RUN NAME IMAGE MEMORY VCPUS CMDLINE [TYPE]: add a guest to RUN.
box_job_add() {
	mkdir -p "$1/atman/$2"
	cp "$3" "$1/atman/$2/kernel"
	# For xenctx, should the guest hang: a System.map of the image.
	nm -n "$3" >"$1/atman/$2/syms" 2>/dev/null || : >"$1/atman/$2/syms"
	xl_config "$2" "/atman/$2/kernel" "$4" "$5" "$6" "${7:-pvh}" >"$1/atman/$2/cfg"
}

# box_boot RUN MODE GUESTMEM TIMEOUT: boot the box on RUN.  MODE is quiet
# (show only guest consoles), verbose (everything, filtered) or raw
# (everything, unfiltered, stdin connected: for --shell).  GUESTMEM is the
# memory in MiB of the guests that run at once; TIMEOUT bounds the whole
# boot in seconds.  Returns QEMU's status: 1 when dom0 finished its jobs
# (isa-debug-exit 0), 124 on timeout.
box_boot() {
	local run=$1 mode=$2 gmem=$3 tmo=$4 box dom0 mem kargs
	box=$(box_dir)
	rm -rf "$run/out"; mkdir -p "$run/out"
	# Linux unpacks concatenated archives: the jobs are a second cpio.
	{ cat "$box/dom0.cpio"
	  (cd "$run" && find atman | LC_ALL=C sort | cpio -o -H newc --quiet)
	} >"$run/box.cpio"
	# dom0 needs 144 MiB, plus room for the initramfs: loaded, unpacked
	# into the root tmpfs, which may fill only half of memory.
	dom0=$(( 144 + 3 * $(stat -c %s "$run/box.cpio") / 1048576 ))
	# Xen needs ~100 MiB of its own besides dom0 and the guests; memory QEMU
	# gives but nobody touches costs the host nothing.
	mem=$((dom0 + gmem + 160)); [ "$mem" -lt 512 ] && mem=512
	kargs="console=hvc0"
	[ "$mode" = quiet ] && kargs="$kargs quiet"
	local xen="console=com1 com1=115200,8n1 dom0_mem=${dom0}M,max:${dom0}M"
	xen="$xen dom0_max_vcpus=1 ${ATMAN_XEN_ARGS:-}"
	set -- timeout --foreground "$tmo" qemu-system-x86_64 -accel tcg -M q35 \
		-cpu qemu64,+svm,+npt,+rdrand -m "$mem" -smp 1 \
		-nodefaults -display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$box/xen" \
		-append "$xen" \
		-initrd "${box//,/,,}/vmlinux $kargs,${run//,/,,}/box.cpio"
	if [ "$mode" = raw ]; then
		"$@" | tee "$run/serial.log"
		set -- "${PIPESTATUS[0]}"
		box_filter verbose "$run/out" <"$run/serial.log" >/dev/null
		return "$1"
	fi
	"$@" </dev/null 2>&1 | tee "$run/serial.log" | box_filter "$mode" "$run/out"
	return "${PIPESTATUS[0]}"
}

# box_filter MODE OUTDIR: read the serial line on stdin; write each guest's
# console to OUTDIR/NAME.out and its end marker to OUTDIR/NAME.end; show
# guest consoles as they come (quiet) or everything (verbose).  Lines on the
# serial line end in \r\n (Xen adds the \r): the \r go.  In quiet mode,
# Xen's own lines "(XEN) ..." inside a guest's console are not shown.
# Debian's awk is mawk, which reads its input in blocks unless told not to.
box_filter() {
	local awk=awk
	awk -W version 2>/dev/null | grep -q mawk && awk="awk -W interactive"
	$awk -v verbose=$([ "$1" = verbose ] && echo 1 || echo 0) -v dir="$2" '
	{ sub(/\r+$/, "") }
	/^@@atman-begin / { name = $2; out = dir "/" name ".out"; printf "" >out
		if (verbose) { print; fflush() }
		next }
	/^@@atman-end / { print >(dir "/" $2 ".end"); close(dir "/" $2 ".end")
		close(out); name = ""
		if (verbose) { print; fflush() }
		next }
	name != "" && !(/^\(XEN\) / && !verbose) { print >>out; print; fflush(); next }
	verbose || /^box: / { print; fflush() }
	'
}

# ---- A guest's fate --------------------------------------------------------
# Both functions print "STATUS HOW": the status `atman run` exits with and
# one word for people: exit, crash, timeout or error.  The console markers
# are authoritative about crashes (the kernel's report starts with a line
# "atman: crash: ..."); the exit status comes from xenstore (data/exit-status)
# under Xen, the isa-debug-exit port under QEMU, and otherwise from the
# kernel's last line "atman: exit status N".

# The N of the console's last "atman: exit status N" line, if any.
console_status() {
	sed -n 's/^atman: exit status \([0-9][0-9]*\)[[:space:]]*$/\1/p' "$1" 2>/dev/null | tail -1
}
console_crashed() { grep -q '^atman: crash:' "$1" 2>/dev/null; }

# xen_status ENDFILE OUTFILE: from a guest's @@atman-end marker and console.
xen_status() {
	local end reason status
	end=$(cat "$1" 2>/dev/null) || { echo "125 error"; return; }
	reason=$(printf '%s\n' "$end" | sed -n 's/.* reason=\([a-z_]*\).*/\1/p')
	status=$(printf '%s\n' "$end" | sed -n 's/.* status=\([^ ]*\).*/\1/p')
	if console_crashed "$2"; then echo "139 crash"; return; fi
	case "$reason" in
	poweroff)
		case "$status" in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) status=$((10#$status & 255)) ;;
		*) status=$(console_status "$2") ;;
		esac
		echo "${status:-0} exit" ;;
	timeout) echo "124 timeout" ;;
	crash | watchdog | reboot | suspend | soft_reset) echo "139 crash" ;;
	*) echo "125 error" ;;
	esac
}

# qemu_status RC OUTFILE: from QEMU's exit status and the console.  The
# guest writes N to isa-debug-exit and QEMU exits 2*N+1, but only 8 bits of
# that reach us, so the console's status line wins when there is one.  QEMU
# exits 0 when the guest reset itself (-no-reboot), e.g. on a triple fault.
qemu_status() {
	local n
	if console_crashed "$2"; then echo "139 crash"; return; fi
	n=$(console_status "$2")
	case "$1" in
	124) echo "124 timeout" ;;
	0) echo "139 crash" ;;
	*[13579]) echo "${n:-$(( ($1 - 1) / 2 ))} exit" ;;
	*) echo "125 error" ;;
	esac
}

# ---- QEMU direct (no Xen) ---------------------------------------------------

# qemu_run IMAGE CMDLINE MEMORY TIMEOUT OUTFILE: boot a guest image under
# QEMU alone (the kernel's COM1 console, isa-debug-exit for the status); the
# console goes to stdout and OUTFILE.  Returns QEMU's (or timeout's) status.
qemu_run() {
	timeout --foreground "$4" qemu-system-x86_64 -accel tcg -M q35 \
		-cpu qemu64,+rdrand -m "$3" -nodefaults -display none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$1" -append "$2" </dev/null 2>&1 |
		sed -u 's/\r*$//' | tee "$5"
	return "${PIPESTATUS[0]}"
}

# ---- A real Xen dom0 --------------------------------------------------------

# On a real Xen dom0, xl can be used directly.
on_xen_dom0() {
	command -v xl >/dev/null && grep -qs control_d /proc/xen/capabilities
}

# xl_run CFG NAME TIMEOUT OUTFILE ENDFILE: create the guest with xl, show its
# console, and write an @@atman-end marker line to ENDFILE like the box's.
xl_run() {
	local cfg=$1 name=$2 tmo=$3 out=$4 end=$5 xpid cpid rc code reason domid status t0
	t0=$(now_ms)
	timeout "$tmo" xl create -F "$cfg" >"$end.xl" 2>&1 &
	xpid=$!
	# The console client needs the domain to exist first.
	for _ in $(seq 100); do xl domid "$name" >/dev/null 2>&1 && break; sleep 0.05; done
	xl console "$name" 2>/dev/null | tee "$out" &
	cpid=$!
	wait "$xpid"; rc=$?
	code=$(sed -n 's/.*shut down, reason code \([0-9]*\).*/\1/p' "$end.xl" | tail -1)
	case "$rc:$code" in   # timeout(1) exits 124, busybox's 143
	124:* | 143:*) reason=timeout ;; *:0) reason=poweroff ;; *:3) reason=crash ;;
	*:1) reason=reboot ;; *:4) reason=watchdog ;; *) reason=error ;;
	esac
	status=-
	domid=$(xl domid "$name" 2>/dev/null) &&
		status=$(xenstore-read "/local/domain/$domid/data/exit-status" 2>/dev/null) ||
		status=-
	sleep 0.2    # let xenconsoled pass on the last bytes of the ring
	xl destroy "$name" 2>/dev/null
	# The console client leaves when the domain is gone; do not wait forever.
	( sleep 3; kill "$cpid" 2>/dev/null ) &
	wait "$cpid" 2>/dev/null
	echo "@@atman-end $name reason=$reason status=${status:--} ms=$(( $(now_ms) - t0 ))" >"$end"
	[ "$reason" = error ] && cat "$end.xl" >&2
	return 0
}

# ---- Judging a console -------------------------------------------------------

# check_console OUTFILE CHECKSFILE: CHECKSFILE holds lines "expect TEXT"
# (a console line equal to TEXT), "match ERE" (a line matching ERE), both
# in order, each found after the one before, and "reject ERE" (no line
# anywhere matches).  Prints why the console fails, nothing if it passes.
check_console() {
	[ -s "$2" ] || return 0
	# grep, not awk: Debian's mawk backtracks for minutes on long ERE
	# chains over a 16,000-line console, and lacks {n} intervals.
	local at=0 kind pat n l
	while IFS= read -r l || [ -n "$l" ]; do
		kind=${l%% *}
		pat=${l#* }
		case $kind in
		reject)
			l=$(LC_ALL=C grep -a -m1 -E -e "$pat" "$1") &&
				{ echo "unexpected line: $l"; return 0; }
			continue ;;
		expect)
			n=$(tail -n +$((at + 1)) "$1" | LC_ALL=C grep -a -n -m1 -F -x -e "$pat") ;;
		match)
			n=$(tail -n +$((at + 1)) "$1" | LC_ALL=C grep -a -n -m1 -E -e "$pat") ;;
		*)
			continue ;;
		esac
		if [ -z "$n" ]; then
			if [ "$at" -gt 0 ]; then
				echo "missing after line $at: $pat"
			else
				echo "missing line: $pat"
			fi
			return 0
		fi
		at=$((at + ${n%%:*}))
	done <"$2"
}
