# The host's half of [disk_raw]: the marker the guest wrote at byte
# 1000000 of its disk is in the image file.
dd if="$1" bs=1 skip=1000000 count=17 2>/dev/null
echo
