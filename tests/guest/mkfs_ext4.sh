# A fresh ext4 image for a disk test: mkfs.ext4's defaults (a journal,
# extents, metadata checksums, flex_bg, 64bit), 64 MiB.
PATH=$PATH:/sbin:/usr/sbin
mkfs.ext4 -q -F "$1" 64M >/dev/null
