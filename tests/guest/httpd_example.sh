# dom0's half of [httpd-example]: examples/httpd.c as a unikernel in
# 16 MiB: keep-alive requests, the 4 MiB body, 1,000 connections open at
# once on its epoll loop, then 1,000 connections one after another, then
# 3 from one client port (the guest's side of each is in TIME_WAIT).
# The network is up before the server listens: a refused first connect
# (nothing served yet) is tried again, a bounded number of times.
for i in $(seq 50); do
	nettool http $GUEST_IP 80 / 100 && break
	sleep 0.2
done
nettool http $GUEST_IP 80 /big 3
nettool hold $GUEST_IP 80 / 1000
nettool httpnew $GUEST_IP 80 / 1000
nettool reuse $GUEST_IP 80 / 3
nettool http $GUEST_IP 80 / 1
