# A fresh ext4 image of 16 MiB (mkfs.ext4's defaults otherwise), for a
# disk test that fills it.
PATH=$PATH:/sbin:/usr/sbin
mkfs.ext4 -q -F "$1" 16M >/dev/null
