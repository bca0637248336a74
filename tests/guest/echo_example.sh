# dom0's half of [echo-example]: examples/echo.c as a unikernel, driven
# by nettool: 1,002 TCP connections in all (then it exits) and UDP.
nettool echo $GUEST_IP 7 10485760
nettool udp $GUEST_IP 7 1000
nettool seq $GUEST_IP 7 1000
nettool seq $GUEST_IP 7 1
