/*
 * lwIP's configuration for AtmanOS: sized for a server on one CPU.
 *
 * NO_SYS=1: lwIP runs in kernel context only, which on one CPU with
 * interrupts off in the kernel is already serialised (big_lock). A
 * socket call reaches tcp_write/tcp_recved directly, with no message to a
 * tcpip thread and no context switch per call; our own socket layer
 * (net/sock.c) sits on the raw API and is a file of the file layer. The
 * one kernel thread (net/net.c) feeds received frames in and runs lwIP's
 * timers. See docs/architecture.md, "The network".
 */
#ifndef ATMAN_LWIPOPTS_H
#define ATMAN_LWIPOPTS_H

#define NO_SYS		     1
#define SYS_LIGHTWEIGHT_PROT 0 /* interrupts are off in the kernel */
#define LWIP_TIMERS	     1
#define LWIP_NETCONN	     0
#define LWIP_SOCKET	     0 /* net/sock.c is the socket layer */
#define LWIP_CALLBACK_API    1

/* Memory: every allocation from the kernel's allocator (net/sys_arch.c),
 * none from static pools sized at build time: 1,000 idle connections
 * cost their PCBs, not 1,000 connections' worth of reserved buffers. */
#define MEM_LIBC_MALLOC		1
#define mem_clib_malloc		net_mem_alloc
#define mem_clib_free		net_mem_free
#define mem_clib_calloc		net_mem_calloc
#define MEMP_MEM_MALLOC		1
#define MEM_ALIGNMENT		8
#define MEM_SIZE		(1024 * 1024) /* unused with MEM_LIBC_MALLOC */
#define MEMP_NUM_TCP_PCB	1100 /* only a limit: nothing reserved */
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB	256
#define MEMP_NUM_TCP_SEG	8192
#define MEMP_NUM_REASSDATA	64
#define MEMP_NUM_FRAG_PBUF	64
#define MEMP_NUM_ARP_QUEUE	64
#define MEMP_NUM_SYS_TIMEOUT	64
#define PBUF_POOL_SIZE		1024
#define MEMP_OVERFLOW_CHECK	0
#define MEMP_SANITY_CHECK	0

/* IPv4 with ARP, ICMP, UDP, TCP, DHCP. DNS is musl's resolver (over our
 * UDP sockets); no IGMP, no raw sockets. IPv6 stays off: see
 * docs/architecture.md, "The network". */
#define LWIP_IPV4		      1
#define LWIP_IPV6		      0
#define LWIP_ARP		      1
#define LWIP_ETHERNET		      1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ARP_TABLE_SIZE		      64
#define ARP_QUEUEING		      1
#define LWIP_ICMP		      1
#define LWIP_RAW		      0
#define LWIP_UDP		      1
#define LWIP_TCP		      1
#define LWIP_DHCP		      1
#define DHCP_DOES_ARP_CHECK	      0 /* would delay every boot by a second */
#define LWIP_AUTOIP		      0
#define LWIP_IGMP		      0
/* Only so that DHCP keeps the DNS server it was given (dns_getserver):
 * names are musl's to resolve. */
#define LWIP_DNS		   1
#define DNS_MAX_SERVERS		   1
#define IP_REASSEMBLY		   1
#define IP_FRAG			   1
#define IP_DEFAULT_TTL		   64
#define SO_REUSE		   1
#define LWIP_NETIF_HOSTNAME	   1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_NUM_NETIF_CLIENT_DATA 1
/* Per-interface checksum control: loopback skips checksums (memory to
 * memory), netfront may leave them to the backend. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

/* Loopback: 127.0.0.1 and our own addresses, polled by the socket layer
 * right after it sends (net_loop_flush), so a local peer sees the data
 * in the same system call. */
#define LWIP_NETIF_LOOPBACK		   1
#define LWIP_HAVE_LOOPIF		   1
#define LWIP_LOOPIF_MULTICAST		   0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_LOOPBACK_MAX_PBUFS		   0

/* TCP for a server: MSS 1460, window scaling with a 256 KiB window and
 * send buffer, SACK-less but with out-of-sequence queueing. */
#define TCP_MSS			   1460
#define LWIP_WND_SCALE		   1
#define TCP_RCV_SCALE		   3 /* 65535 << 3: room for 256 KiB */
#define TCP_WND			   (256 * 1024)
#define TCP_SND_BUF		   (256 * 1024)
#define TCP_SND_QUEUELEN	   (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT		   32768 /* lwIP keeps it below 64 KiB */
#define TCP_SNDQUEUELOWAT	   (TCP_SND_QUEUELEN / 4)
#define TCP_QUEUE_OOSEQ		   1
#define TCP_OOSEQ_MAX_BYTES	   TCP_WND
#define TCP_LISTEN_BACKLOG	   1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE	   1
#define LWIP_TCP_TIMESTAMPS	   0
#define TCP_OVERSIZE		   TCP_MSS
#define TCP_WND_UPDATE_THRESHOLD   (TCP_WND / 8)
#define LWIP_TCP_SACK_OUT	   1
#define TCP_MAXRTX		   12
#define TCP_SYNMAXRTX		   6
#define LWIP_TCP_PCB_NUM_EXT_ARGS  0

/* Received frames come in pool pbufs, one per frame. */
#define PBUF_POOL_BUFSIZE 1536
#define PBUF_LINK_HLEN	  14
#define ETH_PAD_SIZE	  0

#define LWIP_STATS			      0
#define LWIP_STATS_DISPLAY		      0
#define LWIP_PROVIDE_ERRNO		      0
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1
#define LWIP_RAND()			      ((u32_t)net_random32())

/* net/tcpwait.c: a SYN on the 4-tuple of a connection in TIME_WAIT. */
#define LWIP_HOOK_FILENAME "lwiphooks.h"
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p)         \
	net_tcp_inpacket((pcb), (hdr))

#endif
