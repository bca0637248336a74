/*
 * Interfaces: an lwIP netif on each network device the drivers
 * registered (kern/netdev.c), and their addresses: static from
 * atman.ip=ADDR/PREFIX[,gw=ADDR][,dns=ADDR], else DHCP, waited for (at
 * most NET_DHCP_WAIT_NS) before the program starts; atman.hostname=NAME
 * goes out in DHCP requests. The addresses end up in the banner and in
 * what /etc/resolv.conf and /etc/hosts say (net/etc.c).
 */
#include <errno.h>

#include "net.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "netif/ethernet.h"

#define NET_DHCP_WAIT_NS (10 * 1000000000ULL)
#define FRAGS_MAX	 16

struct net_config net_config;

struct net_if {
	struct netif nif;
	struct netdev *dev;
	bool down;
};

/* lwIP hands a frame to send: the pbuf chain's pieces to the driver. */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	struct net_if *ni = n->state;
	if (ni->down)
		return ERR_IF;
	void *frag[FRAGS_MAX];
	size_t len[FRAGS_MAX];
	int k = 0;
	for (struct pbuf *q = p; q; q = q->next) {
		if (k == FRAGS_MAX)
			return ERR_BUF;
		frag[k] = q->payload;
		len[k++] = q->len;
	}
	unsigned flags = 0;
	if ((ni->dev->features & NETDEV_F_TX_CSUM) &&
	    net_csum_offload(frag, len, k))
		flags = NETDEV_TX_CSUM_PARTIAL;
	int r = ni->dev->ops->xmit(ni->dev, (const void *const *)frag, len, k,
				   flags);
	if (r == -EAGAIN)
		return ERR_MEM; /* dropped: TCP sends it again */
	return r ? ERR_IF : ERR_OK;
}

/* A received frame (in the driver's buffers): copied into a pbuf. One
 * the device vouches for goes in without lwIP's TCP and UDP checks (the
 * input runs to its end in this call: the flags are this frame's). */
static void dev_rx(struct netdev *d, const void *const *frag,
		   const size_t *flen, int nfrag, unsigned flags)
{
	struct net_if *ni = d->stack;
	size_t len = 0;
	for (int k = 0; k < nfrag; k++)
		len += flen[k];
	if (len < SIZEOF_ETH_HDR || len > NETDEV_RX_MAX)
		return;
	/* A joined (GSO) packet in one piece of memory, not 40 pool
	 * buffers; a frame in the pool's. */
	struct pbuf *p =
		pbuf_alloc(PBUF_RAW, (u16_t)len,
			   len > PBUF_POOL_BUFSIZE ? PBUF_RAM : PBUF_POOL);
	if (!p)
		return; /* out of memory: dropped, as a full NIC drops */
	for (int k = 0, off = 0; k < nfrag; off += (int)flen[k], k++)
		pbuf_take_at(p, frag[k], (u16_t)flen[k], (u16_t)off);
	u16_t keep = ni->nif.chksum_flags;
	if (flags & NETDEV_RX_CSUM_OK)
		NETIF_SET_CHECKSUM_CTRL(&ni->nif,
					keep & ~(NETIF_CHECKSUM_CHECK_TCP |
						 NETIF_CHECKSUM_CHECK_UDP));
	if (ni->nif.input(p, &ni->nif) != ERR_OK)
		pbuf_free(p);
	NETIF_SET_CHECKSUM_CTRL(&ni->nif, keep);
}

static void dev_kick(struct netdev *d)
{
	(void)d;
	net_kick();
}

/* The device is off for good (its backend closed it, or misbehaved):
 * the interface goes down and every connection through it is reset
 * with ENETDOWN. */
static void dev_down(struct netdev *d)
{
	struct net_if *ni = d->stack;
	if (ni->down)
		return;
	ni->down = true;
	printk("atman: net: %s down\n", d->name);
	netif_set_link_down(&ni->nif);
	netif_set_down(&ni->nif);
	stream_netdown(netif_ip_addr4(&ni->nif));
}

static err_t nif_init(struct netif *n)
{
	struct net_if *ni = n->state;
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, ni->dev->mac, ETH_HWADDR_LEN);
	n->mtu = ni->dev->mtu;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	n->output = etharp_output;
	n->linkoutput = link_output;
	/* A device that finishes checksums: lwIP leaves TCP's and UDP's
	 * (link_output hands them on partial: csum.c). */
	if (ni->dev->features & NETDEV_F_TX_CSUM)
		NETIF_SET_CHECKSUM_CTRL(n, NETIF_CHECKSUM_ENABLE_ALL &
						   ~(NETIF_CHECKSUM_GEN_TCP |
						     NETIF_CHECKSUM_GEN_UDP));
	if (net_config.hostname[0])
		netif_set_hostname(n, net_config.hostname);
	return ERR_OK;
}

/* atman.ip=ADDR/PREFIX[,gw=ADDR][,dns=ADDR] */
static int parse_ip(const char *s)
{
	char buf[96];
	if (kstrlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -EINVAL;
	char *save = buf, *word;
	bool first = true;
	while ((word = save)) {
		char *comma = strchr(word, ',');
		save = comma ? comma + 1 : NULL;
		if (comma)
			*comma = 0;
		if (first) {
			char *slash = strchr(word, '/');
			if (!slash)
				return -EINVAL;
			*slash = 0;
			unsigned long prefix = 0;
			const char *q = slash + 1;
			if (!*q)
				return -EINVAL;
			for (; *q; q++) {
				if (*q < '0' || *q > '9')
					return -EINVAL;
				prefix = prefix * 10 + (*q - '0');
				if (prefix > 32)
					return -EINVAL;
			}
			if (!ip4addr_aton(word, &net_config.ip))
				return -EINVAL;
			uint32_t m = prefix ? ~0u << (32 - prefix) : 0;
			ip4_addr_set_u32(&net_config.mask, lwip_htonl(m));
			first = false;
		} else if (!strncmp(word, "gw=", 3)) {
			if (!ip4addr_aton(word + 3, &net_config.gw))
				return -EINVAL;
		} else if (!strncmp(word, "dns=", 4)) {
			if (!ip4addr_aton(word + 4, &net_config.dns))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	net_config.is_static = true;
	return 0;
}

int net_configure(const struct cmdline *c)
{
	const char *h = cmdline_opt(c, "atman.hostname");
	if (h && (!*h || kstrlcpy(net_config.hostname, h,
				  sizeof(net_config.hostname)) >=
				 sizeof(net_config.hostname))) {
		net_config.error = "atman.hostname: empty or too long";
		return -EINVAL;
	}
	const char *ip = cmdline_opt(c, "atman.ip");
	if (ip && parse_ip(ip)) {
		net_config.error = "atman.ip: not ADDR/PREFIX[,gw=ADDR]"
				   "[,dns=ADDR]";
		return -EINVAL;
	}
	return 0;
}

static void print_addr(const char *what, const ip4_addr_t *a)
{
	char buf[IP4ADDR_STRLEN_MAX];
	printk("  net: %s %s\n", what, ip4addr_ntoa_r(a, buf, sizeof(buf)));
}

/* Bring up an interface on every device, then wait for DHCP. Called in
 * the first thread before the program starts (net_boot). */
void net_boot(void)
{
	struct netdev *d = netdev_first();
	if (!d)
		return;
	if (net_start()) {
		printk("atman: net: out of memory\n");
		return;
	}
	struct net_if *first = NULL;
	for (; d; d = d->next) {
		struct net_if *ni = kmalloc(sizeof(*ni));
		if (!ni)
			break;
		ni->dev = d;
		d->stack = ni;
		bool st = net_config.is_static && !first;
		if (!netif_add(&ni->nif, st ? &net_config.ip : IP4_ADDR_ANY4,
			       st ? &net_config.mask : IP4_ADDR_ANY4,
			       st ? &net_config.gw : IP4_ADDR_ANY4, ni,
			       nif_init, ethernet_input)) {
			kfree(ni);
			continue;
		}
		d->rx = dev_rx;
		d->kick = dev_kick;
		d->down = dev_down;
		if (!first) {
			first = ni;
			netif_set_default(&ni->nif);
		}
		netif_set_up(&ni->nif);
		if (!st)
			dhcp_start(&ni->nif);
		net_kick(); /* frames may be waiting already */
	}
	if (!first)
		return;
	struct netif *n = &first->nif;
	if (!net_config.is_static) {
		uint64_t deadline = now_ns() + NET_DHCP_WAIT_NS;
		while (!dhcp_supplied_address(n) && now_ns() < deadline &&
		       !first->down)
			timer_sleep_until(MIN(deadline, now_ns() + 20000000));
		if (!dhcp_supplied_address(n)) {
			printk("atman: net: no DHCP answer in %llu s on %s: "
			       "only loopback\n",
			       NET_DHCP_WAIT_NS / 1000000000, first->dev->name);
			return;
		}
		ip4_addr_copy(net_config.ip, *netif_ip4_addr(n));
		ip4_addr_copy(net_config.mask, *netif_ip4_netmask(n));
		ip4_addr_copy(net_config.gw, *netif_ip4_gw(n));
		const ip_addr_t *dns = dns_getserver(0);
		if (dns && !ip_addr_isany(dns))
			ip4_addr_copy(net_config.dns, *ip_2_ip4(dns));
	}
	net_config.up = true;
	if (!kquiet) {
		char buf[IP4ADDR_STRLEN_MAX];
		printk("  net: %s mac %02x:%02x:%02x:%02x:%02x:%02x, %s\n",
		       first->dev->name, first->dev->mac[0], first->dev->mac[1],
		       first->dev->mac[2], first->dev->mac[3],
		       first->dev->mac[4], first->dev->mac[5],
		       net_config.is_static ? "static" : "DHCP");
		print_addr("gateway", &net_config.gw);
		print_addr("dns", &net_config.dns);
		(void)buf;
	}
	/* The readiness line scripts wait for (docs/box.md). */
	uint32_t m = lwip_ntohl(ip4_addr_get_u32(&net_config.mask));
	int prefix = m ? 32 - __builtin_ctz(m) : 0;
	char ip[IP4ADDR_STRLEN_MAX];
	printk("atman: net: %s/%d up\n",
	       ip4addr_ntoa_r(&net_config.ip, ip, sizeof(ip)), prefix);
}
