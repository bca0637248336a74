/*
 * Checksum offload on the way out. On an interface whose device finishes
 * checksums (NETDEV_F_TX_CSUM: netfront), lwIP leaves the TCP and UDP
 * checksum fields 0 (netif.c turns its generation off there); here each
 * frame gets what Linux's CHECKSUM_PARTIAL carries: the pseudo-header's
 * sum, folded and not complemented, in the checksum field, for the
 * device's backend (or the domain that receives it) to finish over the
 * segment, wherever the frame's pieces split it. Anything else
 * (ARP, ICMP, IP fragments: a fragmented UDP datagram goes with checksum
 * 0, "none", as IPv4 allows) goes as it is.
 */
#include "net.h"

#define ETH_HLEN     14
#define ETH_P_IPV4   0x0800
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_MF_OFFSET 0x3fff /* more fragments, fragment offset */
#define TCP_CSUM_AT  16
#define UDP_CSUM_AT  6

/* Byte i of the frame given in pieces, and a pointer to it. */
static uint8_t *csum_at(void *const *frag, const size_t *len, int nfrag,
			size_t i)
{
	for (int k = 0; k < nfrag; k++) {
		if (i < len[k])
			return (uint8_t *)frag[k] + i;
		i -= len[k];
	}
	return NULL;
}

static uint32_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

int net_csum_offload(void *const *frag, const size_t *len, int nfrag)
{
	size_t total = 0;
	for (int k = 0; k < nfrag; k++)
		total += len[k];
	if (nfrag < 1 || total < ETH_HLEN + 20)
		return 0;
	/* The headers: where lwIP puts them, in the first piece; gathered
	 * byte by byte only if they are split (every frame comes here). */
	uint8_t copy[ETH_HLEN + 60 + 20]; /* Ethernet, IPv4 + options, TCP */
	size_t nh = MIN(total, sizeof(copy));
	const uint8_t *h = frag[0];
	if (len[0] < nh) {
		for (size_t i = 0; i < nh; i++)
			copy[i] = *csum_at(frag, len, nfrag, i);
		h = copy;
	}
	if ((h[12] << 8 | h[13]) != ETH_P_IPV4 || (h[14] >> 4) != 4)
		return 0;
	const uint8_t *ip = h + ETH_HLEN;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	size_t iplen = (size_t)(ip[2] << 8 | ip[3]);
	if (ihl < 20 || iplen < ihl || ETH_HLEN + iplen > total ||
	    ((ip[6] << 8 | ip[7]) & IP_MF_OFFSET))
		return 0;
	size_t l4 = ETH_HLEN + ihl, l4len = iplen - ihl, at;
	if (ip[9] == IP_PROTO_TCP && l4len >= 20)
		at = l4 + TCP_CSUM_AT;
	else if (ip[9] == IP_PROTO_UDP && l4len >= 8)
		at = l4 + UDP_CSUM_AT;
	else
		return 0;
	uint32_t s = ip[9] + (uint32_t)l4len;
	for (int i = 12; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	uint32_t p = csum_fold(s);
	*csum_at(frag, len, nfrag, at) = (uint8_t)(p >> 8);
	*csum_at(frag, len, nfrag, at + 1) = (uint8_t)p;
	return 1;
}
