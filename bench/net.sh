# bench/net.sh — dom0's half of bench/net (run by /init after the jobs,
# as /atman/script): per run and side, boot the servers, time `xl create`
# to the first accepted connection, then the loads. Prints
# "SIDE net NAME VALUE UNIT" lines.
runs=@RUNS@ secs=@SECS@
export PATH=/atman/bin:$PATH
say() { echo "$1 net $2 $3 $4"; }

# first SIDE IP PORT START-COMMAND...: run the command, print the ms until
# a connection to IP:PORT is accepted (nettool polls every 2 ms).
first() {
	local side=$1 ip=$2 port=$3 f
	shift 3
	nettool first "$ip" "$port" 120000 >/tmp/first &
	local p=$!
	"$@" >/tmp/start.log 2>&1
	wait $p
	read -r _ f </tmp/first
	say "$side" first_accept "${f% ms}" ms
}

load() {
	local side=$1 hip=$2 sip=$3 r
	for nc in 0 1; do
		r=$(nettool bench-http "$hip" 80 / "$secs" 4 "$nc")
		set -- $r
		local kind=$([ $nc = 0 ] && echo keepalive || echo newconn)
		say "$side" "http_${kind}" "$3" req/s
		say "$side" "http_${kind}_p50" "$5" us
		say "$side" "http_${kind}_p99" "$7" us
	done
	r=$(nettool bench-tcp "$sip" 9 "$secs" up); set -- $r
	say "$side" tcp_to_server "$4" MB/s
	r=$(nettool bench-tcp "$sip" 19 "$secs" down); set -- $r
	say "$side" tcp_from_server "$4" MB/s
	r=$(nettool bench-udp "$sip" 7 "$secs"); set -- $r
	say "$side" udp_echo "$3" pkts/s
}

# Static neighbour entries: the time to the first connection is the
# guest's, not that of ARP resolution (whose retries are a second apart).
for n in httpd net_srv linux; do
	read -r mac ip <"/atman/$n/net"
	ip neigh replace "$ip" lladdr "$mac" dev xenbr0 nud permanent
done

for i in $(seq "$runs"); do
	# AtmanOS: two unikernels (the HTTP server, the TCP/UDP one).
	first atman 10.7.0.11 7 xl create /atman/net_srv/cfg
	xl create /atman/httpd/cfg >/dev/null 2>&1
	nettool first 10.7.0.10 80 60000 >/dev/null
	load atman 10.7.0.10 10.7.0.11
	xl destroy httpd; xl destroy net_srv
	# The Linux guest: both servers in one domU.
	first linux 10.7.0.20 7 xl create /atman/linux/cfg
	nettool first 10.7.0.20 80 60000 >/dev/null
	load linux 10.7.0.20 10.7.0.20
	xl destroy linux
	# dom0: the same servers as processes, the load on loopback.
	first dom0 127.0.0.1 7 sh -c '/atman/bin/net_srv.linux >/dev/null 2>&1 & echo $! >/tmp/srv.pid'
	/atman/bin/httpd.linux 80 >/dev/null 2>&1 &
	hp=$!
	nettool first 127.0.0.1 80 60000 >/dev/null
	load dom0 127.0.0.1 127.0.0.1
	kill "$hp" "$(cat /tmp/srv.pid)" 2>/dev/null
	sleep 1
done
say end net done 0 -
