# dom0's half of the [shutdown-*] tests: once the guest waits, ask it to
# stop as the toolstack does (xl shutdown / xl reboot), or to suspend by
# writing the request itself (xl would wait for a suspend that never
# comes), then stop it.
out=/atman/$GUEST_NAME/out
i=0
until grep -q '^shutdown: waiting' "$out"; do
	sleep 0.2; i=$((i + 1)); [ $i -lt 600 ] || { echo "never waiting"; exit 1; }
done
case "${GUEST_NAME%--pv}" in
shutdown-reboot)
	xl reboot "$GUEST_NAME"
	echo "xl reboot sent" ;;
shutdown-suspend)
	domid=$(xl domid "$GUEST_NAME")
	xenstore-write "/local/domain/$domid/control/shutdown" suspend
	i=0
	until grep -q '^atman: suspend requested' "$out"; do
		sleep 0.2; i=$((i + 1)); [ $i -lt 100 ] || { echo "suspend not seen"; exit 1; }
	done
	echo "error: $(xenstore-read "/local/domain/$domid/error/control/shutdown/error")"
	xl shutdown "$GUEST_NAME"
	echo "xl shutdown sent" ;;
shutdown-term)
	# -w: returns once the program has finished and the domain is down.
	xl shutdown -w "$GUEST_NAME"
	grep -q '^shutdown: SIGTERM .* exiting 0' "$out" &&
		echo "xl shutdown -w returned after the handler's line" ;;
*)
	xl shutdown "$GUEST_NAME"
	echo "xl shutdown sent" ;;
esac
