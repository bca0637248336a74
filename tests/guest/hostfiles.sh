# An image the host made with its own tools, for [disk_host_*]: files
# written by the host (mkfs.TYPE -d DIR), TYPE ext2, ext3 or ext4.
# Usage: sh hostfiles.sh TYPE IMAGE
PATH=$PATH:/sbin:/usr/sbin
d=$(mktemp -d)
echo "written by the host" >"$d/hello.txt"
mkdir -p "$d/sub/dir"
echo deep >"$d/sub/dir/deep.txt"
seq 1 200000 >"$d/numbers"
ln -s hello.txt "$d/link"
ln -s "$(printf 'x%.0s' $(seq 100))" "$d/longlink"
for i in $(seq 100); do echo "$i" >"$d/sub/f$i"; done
chmod 0640 "$d/hello.txt"
# A sparse file: 5 bytes, a hole of 3 MiB, 5 bytes (mkfs -d keeps holes).
printf 'head\n' >"$d/sparse"
printf 'tail\n' | dd of="$d/sparse" bs=1 seek=3145728 conv=notrunc 2>/dev/null
printf 'data\n' >"$d/prealloc"
"mkfs.$1" -q -F -d "$d" "$2" 32M >/dev/null
rm -rf "$d"
if [ "$1" = ext4 ]; then
	# Unwritten extents inside the file (fallocate's): 40 blocks after
	# the first, their disk blocks filled with X's that a reader must
	# not see (it reads zeros).
	debugfs -w -R "fallocate /prealloc 1 40" "$2" >/dev/null 2>&1
	debugfs -w -R "sif /prealloc size 41984" "$2" >/dev/null 2>&1
	bs=$(dumpe2fs -h "$2" 2>/dev/null | awk '/^Block size:/ { print $3 }')
	pb=$(debugfs -R "bmap /prealloc 1" "$2" 2>/dev/null | awk '{ print $1 }')
	head -c $((40 * bs)) /dev/zero | tr '\0' X |
		dd of="$2" bs="$bs" seek="$pb" conv=notrunc 2>/dev/null
fi
