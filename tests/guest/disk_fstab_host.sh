# The host's half of [disk_fstab]: both images clean, the threads'
# files on the first.
PATH=$PATH:/sbin:/usr/sbin
for img in "$1" "$2"; do
	e2fsck -fn "$img" >/dev/null 2>&1 && echo "e2fsck: clean" || echo "e2fsck: NOT clean"
done
echo "files: $(debugfs -R 'ls -p /' "$1" 2>/dev/null | grep -c '/t[0-3]/')"
