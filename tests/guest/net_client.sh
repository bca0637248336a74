# dom0's half of [net_client]: servers for the guest's client, then the
# backend taken away while the guest waits in recv.
nettool serve 7000 3 >/dev/null &
# The server goes with the script: the next test in this box (the same
# test as PV, say) binds port 7000 again.
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
out=/atman/$GUEST_NAME/out
i=0
until grep -q '^net_client: blocked in recv' "$out"; do
	sleep 0.2; i=$((i + 1)); [ $i -lt 600 ] || { echo "never blocked"; exit 1; }
done
sleep 0.5
xl network-detach "$GUEST_NAME" 0 && echo "vif detached"
