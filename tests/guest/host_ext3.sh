# [disk_host_ext3]: sh hostfiles.sh ext3 IMAGE
sh ./hostfiles.sh ext3 "$1"
