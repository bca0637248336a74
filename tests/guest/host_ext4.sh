# [disk_host_ext4]: sh hostfiles.sh ext4 IMAGE
sh ./hostfiles.sh ext4 "$1"
