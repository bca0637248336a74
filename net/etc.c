/*
 * The files musl's resolver reads, made from the network configuration
 * (until a file system serves /etc): /etc/resolv.conf names the DNS
 * server (static dns=, or DHCP's), /etc/hosts localhost and our own name.
 */
#include <errno.h>

#include "net.h"

static int put_ip(char *buf, size_t room, const char *fmt, const ip4_addr_t *a,
		  const char *name)
{
	char ip[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(a, ip, sizeof(ip));
	return ksnprintf(buf, room, fmt, ip, name);
}

long net_etc_file(const char *path, char *buf, size_t room)
{
	int n = 0;
	if (!strcmp(path, "/etc/resolv.conf")) {
		if (!ip4_addr_isany_val(net_config.dns))
			n = put_ip(buf, room, "nameserver %s%s\n",
				   &net_config.dns, "");
		else
			n = ksnprintf(buf, room, "# no DNS server known\n");
	} else if (!strcmp(path, "/etc/hosts")) {
		n = ksnprintf(buf, room, "127.0.0.1\tlocalhost\n");
		if (net_config.hostname[0]) {
			const ip4_addr_t *a = &net_config.ip;
			ip4_addr_t lo;
			IP4_ADDR(&lo, 127, 0, 1, 1);
			if (ip4_addr_isany_val(net_config.ip))
				a = &lo;
			n += put_ip(buf + n, room - n, "%s %s\n", a,
				    net_config.hostname);
		}
	} else {
		return -ENOENT;
	}
	return (size_t)n < room ? n : (long)room - 1;
}
