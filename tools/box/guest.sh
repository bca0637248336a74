# tools/box/guest.sh — what a guest is given: its command line (each
# argument quoted for the guest, docs/box.md) and its xl config.  Sourced,
# not run.

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

# rootfs_cpio SRC OUT: the guest's root file system as a newc cpio archive
# (docs/box.md, "A root file system"): SRC a directory (packed with
# Debian's cpio, every file owned by root, in a stable order) or an
# archive (checked for the newc magic, copied).
rootfs_cpio() {
	if [ -d "$1" ]; then
		(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet) >"$2" ||
			{ echo "atman: could not pack $1" >&2; return 1; }
	elif [ -f "$1" ]; then
		[ "$(head -c 6 "$1")" = 070701 ] ||
			{ echo "atman: $1: not a newc cpio archive (atman pack makes one)" >&2; return 1; }
		cp "$1" "$2"
	else
		echo "atman: no such directory or archive: $1" >&2
		return 1
	fi
}

# Print the xl config for guest NAME KERNEL MEMORY VCPUS CMDLINE [KEY=VALUE...]
# with keys ramdisk= (the root file system's archive, the guest's boot
# module), disk= (an xl disk spec; several: xvda, xvdb, ... in order),
# mac= (a vif with that MAC on bridge=, default xenbr0, set up by
# the hotplug script=, default xl's own vif-bridge), type= (the guest type,
# pvh, the default, or pv: the same image boots either way).  The domain is
# kept at shutdown ("preserve") so that its exit status can be read from
# xenstore; whoever runs it destroys it afterwards.
xl_config() {
	local cmdline; cmdline=$(xl_string "$5") || return 1
	local ramdisk= mac= bridge=xenbr0 script= type=pvh kv disks=()
	for kv in "${@:6}"; do
		case "$kv" in
		ramdisk=*) ramdisk=${kv#*=} ;;
		disk=*) disks+=("$(xl_string "${kv#disk=}")") ;;
		mac=*) mac=${kv#*=} ;;
		bridge=*) bridge=${kv#*=} ;;
		script=*) script=${kv#*=} ;;
		type=*) type=${kv#*=} ;;
		'') ;;
		*) echo "atman: xl_config: unknown $kv" >&2; return 1 ;;
		esac
	done
	case "$type" in pvh | pv) ;; *) echo "atman: no guest type $type" >&2; return 1 ;; esac
	printf 'name = %s\n' "$(xl_string "$1")"
	printf 'type = "%s"\n' "$type"
	printf 'tsc_mode = "native"\n'
	printf 'kernel = %s\n' "$(xl_string "$2")"
	[ -n "$ramdisk" ] && printf 'ramdisk = %s\n' "$(xl_string "$ramdisk")"
	printf 'memory = %d\n' "$3"
	printf 'vcpus = %d\n' "$4"
	printf 'cmdline = %s\n' "$cmdline"
	printf 'on_poweroff = "preserve"\non_reboot = "preserve"\n'
	printf 'on_crash = "preserve"\non_watchdog = "preserve"\n'
	if [ -n "$mac" ]; then
		local vif="mac=$mac,bridge=$bridge${script:+,script=$script}"
		printf 'vif = [ %s ]\n' "$(xl_string "$vif")"
	fi
	if [ ${#disks[@]} -gt 0 ]; then
		local IFS=,
		printf 'disk = [ %s ]\n' "${disks[*]}"
	fi
}

# The box's guest network (tools/box/init): guest number N on the bridge
# gets this MAC and, by a fixed DHCP lease, this address.
box_net_mac() { printf '00:16:3e:07:%02x:%02x' $(($1 / 256)) $(($1 % 256 + 10)); }
box_net_ip() { echo "10.7.$(($1 / 240)).$(($1 % 240 + 10))"; }
