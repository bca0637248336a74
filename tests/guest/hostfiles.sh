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
"mkfs.$1" -q -F -d "$d" "$2" 32M >/dev/null
rm -rf "$d"
