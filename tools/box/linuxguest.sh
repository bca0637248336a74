# tools/box/linuxguest.sh — the benchmarks' peer: a Linux PVH domU in the
# box (Debian's kernel, the box's own vmlinux, and a busybox initramfs
# whose /init runs one static program, prints its exit status and powers
# off). Sourced by bench/run; needs box.sh.

# linux_guest_job RUN NAME MEMORY PROGRAM [ARGS...]: add the Linux guest
# NAME to RUN, running PROGRAM (a static Linux executable) with ARGS,
# LINUX_GUEST_RUNS times (default once). With LINUX_GUEST_DISK=FILE the
# host's FILE is its xvda (as box_job_add's disk=), an ext4 file system
# that /init mounts at /data with Linux's own blkfront and ext4 (their
# modules from the box's kernel package).
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
	local disk_init= disk_cfg=
	if [ -n "${LINUX_GUEST_DISK:-}" ]; then
		local deb mods="crc16 mbcache jbd2 crc32c_generic ext4 xen-blkfront" m
		deb=$(ls "$box"/debs/linux-image-[0-9]*.deb | head -1)
		mkdir -p "$root/lib/mods" "$root/data"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root/lib/mods" --wildcards \
			'./lib/modules/*/kernel/lib/crc16.ko' './lib/modules/*/kernel/fs/mbcache.ko' \
			'./lib/modules/*/kernel/fs/jbd2/jbd2.ko' './lib/modules/*/kernel/crypto/crc32c_generic.ko' \
			'./lib/modules/*/kernel/fs/ext4/ext4.ko' './lib/modules/*/kernel/drivers/block/xen-blkfront.ko'
		find "$root/lib/mods" -name '*.ko' -exec mv {} "$root/lib/mods/" \;
		for a in insmod mkdir sleep umount; do ln -s busybox "$root/bin/$a"; done
		for m in $mods; do disk_init="$disk_init
insmod /lib/mods/$m.ko"; done
		disk_init="$disk_init
i=0; while [ ! -b /dev/xvda ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
mount -t ext4 /dev/xvda /data || echo 'linux: cannot mount /dev/xvda'"
		disk_cfg="disk = [ \"$(box_drive "$run" "$LINUX_GUEST_DISK:xvda:w")\" ]"
	fi
	local args
	args=$(printf ' %q' "$@")
	cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "linux: guest up \$(cut -d' ' -f1 /proc/uptime) s after its kernel started"$disk_init
for i in \$(seq ${LINUX_GUEST_RUNS:-1}); do
	/bin/prog$args
	echo "linux: exit status \$?"
done
sync
$([ -n "${LINUX_GUEST_DISK:-}" ] && echo "umount /data || echo 'linux: cannot unmount /data'")
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
		[ -z "$disk_cfg" ] || printf '%s\n' "$disk_cfg"
	} >"$d/cfg"
}
