/*
 * The hooks lwIP calls into our glue (LWIP_HOOK_FILENAME in lwipopts.h).
 * lwIP's own files include this one: declarations only, its types forward.
 */
#ifndef ATMAN_LWIPHOOKS_H
#define ATMAN_LWIPHOOKS_H

struct tcp_pcb;
struct tcp_hdr;

/* tcpwait.c: every TCP segment that found its pcb (active, TIME_WAIT or
 * listening), before lwIP acts on it: ERR_OK lets lwIP go on; anything
 * else drops the segment. */
signed char net_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr);

#endif
