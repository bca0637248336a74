# dom0's half of [net_srv]: the guest serves, nettool checks each service.
# Everything prints one line; the test's table entry expects them in order.
nettool echo $GUEST_IP 7 104857600
nettool source $GUEST_IP 9 104857600
nettool sink $GUEST_IP 19 104857600
nettool udp $GUEST_IP 7 10000
nettool seq $GUEST_IP 7 1000
nettool conc $GUEST_IP 7 200
nettool halfclose $GUEST_IP 7
nettool reset $GUEST_IP 7
nettool flood $GUEST_IP 7 100
nettool frames xenbr0 $GUEST_MAC 3000
nettool seq $GUEST_IP 7 20
nettool send $GUEST_IP 8 quit
