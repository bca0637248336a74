# dom0's half of [go-http]: Go's net/http server in the guest answers
# keep-alive requests and new connections for a file of its rootfs
# (not index.html, which Go's file server redirects to its directory). Its
# first connect may come before it listens: tried again, a bounded number
# of times.
for i in $(seq 50); do
	nettool http $GUEST_IP 80 /run.sh 20 && break
	sleep 0.2
done
nettool httpnew $GUEST_IP 80 /run.sh 30
