# [disk_host_ext2]: sh hostfiles.sh ext2 IMAGE
sh ./hostfiles.sh ext2 "$1"
