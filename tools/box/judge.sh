# tools/box/judge.sh — judging a guest by what it left: its fate (exit
# status, crash, timeout) from the box's end marker or QEMU's status and
# its console, and its console against a test's checks.  Sourced, not run.

# ---- A guest's fate --------------------------------------------------------
# xen_status and qemu_status print "STATUS HOW": the status `atman run`
# exits with and one word for people: exit, crash, timeout, destroyed or error.  The
# console markers are authoritative about crashes (the kernel's report
# starts with a line "atman: crash: ..."); the exit status comes from
# xenstore (data/exit-status) under Xen, the isa-debug-exit port under
# QEMU, and otherwise from the kernel's last line "atman: exit status N".

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
	poweroff | reboot)
		# reboot: the program ended after `xl reboot` asked it to.
		case "$status" in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) status=$((10#$status & 255)) ;;
		*) status=$(console_status "$2") ;;
		esac
		echo "${status:-0} exit" ;;
	timeout) echo "124 timeout" ;;
	destroyed) echo "137 destroyed" ;;
	crash | watchdog | suspend | soft_reset) echo "139 crash" ;;
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
