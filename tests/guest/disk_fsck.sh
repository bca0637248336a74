# The host's check after a disk test: e2fsck -fn finds the image clean.
PATH=$PATH:/sbin:/usr/sbin
if e2fsck -fn "$1" >/tmp/disk_fsck.$$ 2>&1; then
	echo "e2fsck: clean"
else
	echo "e2fsck: NOT clean"
	cat /tmp/disk_fsck.$$
fi
rm -f /tmp/disk_fsck.$$
