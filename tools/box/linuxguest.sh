# tools/box/linuxguest.sh — the benchmarks' peer: a Linux PVH domU in the
# box (Debian's kernel, the box's own vmlinux, and a busybox initramfs
# whose /init runs one static program, prints its exit status and powers
# off). Sourced by bench/run; needs box.sh.

# linux_guest_job RUN NAME MEMORY PROGRAM [ARGS...]: add the Linux guest
# NAME to RUN, running PROGRAM (a static Linux executable) with ARGS,
# LINUX_GUEST_RUNS times (default once).
linux_guest_job() {
	local run=$1 name=$2 mem=$3 prog=$4 box d root
	shift 4
	box=$(box_dir)
	d=$run/atman/$name
	root=$(mktemp -d "${TMPDIR:-/tmp}/atman-linux.XXXXXX")
	mkdir -p "$d" "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
	cp "$box/initrd/bin/busybox" "$root/bin/busybox"
	for a in sh mount poweroff cat echo seq cut; do ln -s busybox "$root/bin/$a"; done
	cp "$prog" "$root/bin/prog"
	local args
	args=$(printf ' %q' "$@")
	cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "linux: guest up \$(cut -d' ' -f1 /proc/uptime) s after its kernel started"
for i in \$(seq ${LINUX_GUEST_RUNS:-1}); do
	/bin/prog$args
	echo "linux: exit status \$?"
done
poweroff -f
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
		gzip -1 >"$d/ramdisk"
	rm -rf "$root"
	# Xen's loader takes a gzipped ELF: the 65 MiB vmlinux in 15.
	[ -f "$run/vmlinux.gz" ] || gzip -1 <"$box/vmlinux" >"$run/vmlinux.gz"
	ln -f "$run/vmlinux.gz" "$d/kernel" 2>/dev/null || cp "$run/vmlinux.gz" "$d/kernel"
	: >"$d/syms"
	{
		printf 'name = "%s"\ntype = "pvh"\ntsc_mode = "native"\n' "$name"
		printf 'kernel = "/atman/%s/kernel"\nramdisk = "/atman/%s/ramdisk"\n' "$name" "$name"
		printf 'memory = %d\nvcpus = 1\n' "$mem"
		printf 'cmdline = "console=hvc0 quiet loglevel=1"\n'
		printf 'on_poweroff = "preserve"\non_reboot = "preserve"\n'
		printf 'on_crash = "preserve"\n'
	} >"$d/cfg"
}
