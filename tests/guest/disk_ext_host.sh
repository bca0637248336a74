# The host's half of [disk_ext]: the image is clean for e2fsck -fn, and
# debugfs reads what the guest wrote.
PATH=$PATH:/sbin:/usr/sbin
e2fsck -fn "$1" >/tmp/disk_ext.fsck.$$ 2>&1 && echo "e2fsck: clean" ||
	{ echo "e2fsck: NOT clean"; cat /tmp/disk_ext.fsck.$$; }
rm -f /tmp/disk_ext.fsck.$$
echo "state: $(debugfs -R 'cat /state' "$1" 2>/dev/null)"
echo "d/b: $(debugfs -R 'cat /d/b' "$1" 2>/dev/null)"
echo "many/file-0007: $(debugfs -R 'cat /many/file-0007' "$1" 2>/dev/null)"
echo "log: $(debugfs -R 'cat /log' "$1" 2>/dev/null | tr '\n' ' ')"
