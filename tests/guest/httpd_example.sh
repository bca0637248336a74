# dom0's half of [httpd-example]: examples/httpd.c as a unikernel in
# 16 MiB: keep-alive requests, the 4 MiB body, 1,000 connections open at
# once on its epoll loop, then 1,000 connections one after another.
nettool http $GUEST_IP 80 / 100
nettool http $GUEST_IP 80 /big 3
nettool hold $GUEST_IP 80 / 1000
nettool httpnew $GUEST_IP 80 / 1000
nettool http $GUEST_IP 80 / 1
