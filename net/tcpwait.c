/*
 * A new connection on the 4-tuple of one in TIME_WAIT. A server that
 * closes first (HTTP/1.1 "Connection: close") keeps each connection in
 * TIME_WAIT for 2 MSL (two minutes), and a busy client may reuse its port
 * sooner. lwIP answers that SYN as RFC 793 says (an ACK, or a RST when
 * the SYN falls in the old window) and ignores the client's RST (RFC
 * 1337), so the client's connect is refused, or retries for two minutes
 * and times out. Linux accepts such a SYN when its sequence number is
 * beyond the old connection's or its timestamp is newer (RFC 6191).
 * lwIP keeps no timestamps, and the sequence test alone fails often
 * (seen: a client's new ISN 800 M below the old connection's): so every
 * SYN without ACK or RST ends the connection in TIME_WAIT at once. What
 * TIME_WAIT guards against, an old duplicate segment landing in a new
 * connection, needs the new one's window to contain the old sequence
 * numbers, which a fresh ISN makes unlikely; a stray old SYN at worst
 * draws a SYN-ACK that its sender resets. The SYN itself is dropped
 * (lwIP cannot re-dispatch it from here); the client's retransmission a
 * second later finds the listener.
 */
#include "net.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

static unsigned long tcpwait_recycled;

err_t net_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
	if (pcb->state != TIME_WAIT)
		return ERR_OK;
	if ((TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return ERR_OK;
	if (tcpwait_recycled++ == 0)
		printk("atman: net: a new connection from port %u reuses one "
		       "in TIME_WAIT: the old one ends (logged once)\n",
		       pcb->remote_port);
	tcp_abort(pcb); /* TIME_WAIT: freed, nothing sent */
	return ERR_ABRT;
}
