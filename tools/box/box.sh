# tools/box/box.sh — where a guest runs: the box (its cache, building it
# when stale, one boot of it, splitting its serial line per guest), and the
# two ways around it: QEMU alone, and xl on a real Xen dom0.  Sourced, not
# run; tools/box/lib.sh sources it with the rest.

box_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$box_lib/guest.sh"   # box_job_add writes an xl config

# The box cache.  ATMAN_BOX overrides it (tests, CI with a shared cache).
box_dir() { echo "${ATMAN_BOX:-${XDG_CACHE_HOME:-$HOME/.cache}/atman/box}"; }

# Milliseconds since the epoch (bash's own clock: busybox date has no %N).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# What, besides package versions, the built box depends on.
box_scripts_sum() { cat "$box_lib/build" "$box_lib/init" "$box_lib/vif-atman" "$box_lib/block-atman" "$box_lib/fwd.c" | sha256sum | cut -c1-16; }

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

# ---- Booting the box -------------------------------------------------------

# A run directory RUN holds what one boot of the box needs and leaves:
#   RUN/atman/    packed into the initramfs as /atman (see tools/box/init):
#                 jobs, opts, and NAME/{cfg,kernel} per guest
#   RUN/box.cpio  the dom0 initramfs with RUN/atman appended
#   RUN/serial.log  everything QEMU's serial line carried
#   RUN/out/NAME.out  a guest's console; RUN/out/NAME.end its end marker

# box_job_add RUN NAME IMAGE MEMORY VCPUS CMDLINE [rootfs=CPIO] [net=N]
# [type=TYPE] [disk=FILE:VDEV:MODE...]: add a guest to RUN; CPIO a cpio
# archive, its ramdisk; with N (its number among the guests on the
# network, 0..239) it gets a vif on the box's bridge (tools/box/init:
# /atman/net, /atman/NAME/net); TYPE the guest type, pvh (default) or pv;
# each disk= is the host's FILE as the guest's VDEV (xvda, ...), MODE w
# or r: a QEMU drive that dom0 hands to blkback (box_boot,
# tools/box/init: /atman/disks). Guests of one run that name the same
# FILE share its drive (run them one after another).
box_job_add() {
	mkdir -p "$1/atman/$2"
	# A hard link where it can: one image run as PVH and as PV is then
	# stored once in the box's initramfs (cpio's newc keeps the link) and
	# once in dom0's memory.
	ln -f "$3" "$1/atman/$2/kernel" 2>/dev/null || cp "$3" "$1/atman/$2/kernel"
	# For xenctx, should the guest hang: a System.map of the image.
	nm -n "$3" >"$1/atman/$2/syms" 2>/dev/null || : >"$1/atman/$2/syms"
	local kv cpio= netn= mac= extra=() d
	for kv in "${@:7}"; do
		case "$kv" in
		rootfs=*) cpio=${kv#*=} ;;
		net=*) netn=${kv#*=} ;;
		type=*) extra+=("$kv") ;;
		disk=*) d=$(box_drive "$1" "${kv#disk=}") || return 1
			extra+=("disk=$d") ;;
		esac
	done
	if [ -n "$cpio" ]; then
		cp "$cpio" "$1/atman/$2/rootfs.cpio"
		extra+=("ramdisk=/atman/$2/rootfs.cpio")
	fi
	if [ -n "$netn" ]; then
		mac=$(box_net_mac "$netn")
		echo "$mac $(box_net_ip "$netn")" >"$1/atman/$2/net"
		: >"$1/atman/net"
		extra+=("mac=$mac" bridge=xenbr0 script=vif-atman)
	fi
	xl_config "$2" "/atman/$2/kernel" "$4" "$5" "$6" "${extra[@]}" \
		>"$1/atman/$2/cfg"
}

# box_drive RUN FILE:VDEV:MODE: the xl disk spec for a host file, which
# becomes one of RUN's QEMU drives (RUN/qemu-drives: FILE MODE SERIAL;
# one drive per file, read-only only if every guest reads it only).
box_drive() {
	local spec=$2 file vdev mode serial n=0 f m s
	mode=${spec##*:} spec=${spec%:*} vdev=${spec##*:} file=${spec%:*}
	file=$(readlink -f "$file") && [ -f "$file" ] ||
		{ echo "atman: no such disk image: $file" >&2; return 1; }
	serial=
	if [ -f "$1/qemu-drives" ]; then
		while read -r m f s; do
			n=$((n + 1))
			[ "$f" = "$file" ] && serial=$s
		done <"$1/qemu-drives"
	fi
	if [ -z "$serial" ]; then
		serial=atman$n
		echo "$mode $file $serial" >>"$1/qemu-drives"
		echo "$serial" >>"$1/atman/disks"
	elif [ "$mode" = w ]; then
		sed -i "s|^r \(.* $serial\)\$|w \1|" "$1/qemu-drives"
	fi
	local access=rw; [ "$mode" = r ] && access=ro
	echo "format=raw,vdev=$vdev,access=$access,backendtype=phy,script=block-atman,target=/dev/atman/$serial"
}

# box_job_port RUN NAME PROTO HOSTADDR HOSTPORT GUESTPORT: publish the
# guest's port on the host's HOSTADDR:HOSTPORT: QEMU forwards it to dom0's
# HOSTPORT, dom0 to the guest once it is up.
box_job_port() {
	echo "$3 $5 $6" >>"$1/atman/$2/ports"
	: >"$1/atman/ports"
	echo "$3:$4:$5-10.0.2.15:$5" >>"$1/qemu-fwd"
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
	# BOX_DOM0_EXTRA (MiB): more, for a script that creates big guests
	# one after another (bench/boot: xl unpacks a 65 MiB Linux each time).
	dom0=$(( 144 + 3 * $(stat -c %s "$run/box.cpio") / 1048576 + ${BOX_DOM0_EXTRA:-0} ))
	# Xen needs ~100 MiB of its own besides dom0 and the guests; memory QEMU
	# gives but nobody touches costs the host nothing.
	# The initramfs itself also sits in memory (Xen keeps the boot module
	# until dom0 has unpacked it): without room for it dom0 gets less
	# than dom0_mem, and a big batch's unpacking fails.
	mem=$((dom0 + gmem + 160 + $(stat -c %s "$run/box.cpio") / 1048576))
	[ "$mem" -lt 512 ] && mem=512
	kargs="console=hvc0"
	[ "$mode" = quiet ] && kargs="$kargs quiet"
	local xen="console=com1 com1=115200,8n1 dom0_mem=${dom0}M,max:${dom0}M"
	xen="$xen dom0_max_vcpus=1 ${ATMAN_XEN_ARGS:-}"
	local fg=; [ "$mode" = raw ] && fg=--foreground
	set -- timeout $fg "$tmo" qemu-system-x86_64 -accel tcg -M q35 \
		-cpu qemu64,+svm,+npt,+rdrand -m "$mem" -smp 1 \
		-nodefaults -display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$box/xen" \
		-append "$xen" \
		-initrd "${box//,/,,}/vmlinux $kargs,${run//,/,,}/box.cpio"
	# A control line into dom0 (tools/box/init reads it on ttyS1: stop
	# and destroy requests from bin/atman run), when the run asked for
	# one by making the FIFOs RUN/ctl.in and RUN/ctl.out.
	if [ -p "$run/ctl.in" ]; then
		local q=$(($# - 2))
		set -- "${@:1:q}" -serial "pipe:${run//,/,,}/ctl" "${@:q+1}"
	fi
	# Published ports: dom0's one link out, QEMU's user network, sealed
	# (restrict=on: nothing from inside reaches the host or beyond; only
	# the forwarded ports come in).
	if [ -s "$run/qemu-fwd" ]; then
		local nd="user,id=n0,restrict=on" f
		while read -r f; do nd="$nd,hostfwd=$f"; done <"$run/qemu-fwd"
		set -- "$@" -netdev "$nd" -device e1000,netdev=n0
	fi
	# The guests' disks: the host's files as virtio drives, which dom0
	# finds by serial (tools/box/init). Written through QEMU's own
	# writes to the file: in the host's file when QEMU has gone.
	if [ -s "$run/qemu-drives" ]; then
		local dm df ds ro
		while read -r dm df ds; do
			ro=off; [ "$dm" = r ] && ro=on
			set -- "$@" -drive "file=${df//,/,,},if=none,id=$ds,format=raw,readonly=$ro" \
				-device "virtio-blk-pci,drive=$ds,serial=$ds"
		done <"$run/qemu-drives"
	fi
	if [ "$mode" = raw ]; then
		"$@" | tee "$run/serial.log"
		set -- "${PIPESTATUS[0]}"
		box_filter verbose "$run/out" <"$run/serial.log" >/dev/null
		return "$1"
	fi
	# Its own session: a Ctrl-C at the terminal is for bin/atman run to
	# handle (a clean stop), not for QEMU.
	setsid -w "$@" </dev/null 2>&1 | tee "$run/serial.log" | box_filter "$mode" "$run/out"
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

# ---- QEMU direct (no Xen) ---------------------------------------------------

# qemu_run IMAGE CMDLINE MEMORY TIMEOUT OUTFILE [ROOTFS]: boot a guest image
# under QEMU alone (the kernel's COM1 console, isa-debug-exit for the
# status); the console goes to stdout and OUTFILE.  ROOTFS: a cpio archive,
# the boot module (-initrd).  Returns QEMU's (or timeout's) status.
qemu_run() {
	local initrd=()
	[ -n "${6:-}" ] && initrd=(-initrd "${6//,/,,}")
	timeout --foreground "$4" qemu-system-x86_64 -accel tcg -M q35 \
		-cpu qemu64,+rdrand -m "$3" -nodefaults -display none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$1" -append "$2" "${initrd[@]}" </dev/null 2>&1 |
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
