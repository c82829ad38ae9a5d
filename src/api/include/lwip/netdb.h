/* lwIP's <lwip/netdb.h> on lwnet: lwip_getaddrinfo, lwip_freeaddrinfo,
 * lwip_gethostbyname, lwip_gethostbyname_r and lwip_getnameinfo, and
 * (unless LWIP_COMPAT_SOCKETS is 0) the standard names as macros for them.
 *
 * Names resolve through the DNS resolver of the default TCP/IP thread
 * (servers: lwip/dns.h's dns_setserver; "name.local" by a one-shot mDNS
 * query with CONFIG_LWIP_DNS_SUPPORT_MDNS_QUERIES). Numeric addresses (IPv4
 * as ip4addr_aton reads them: "192.0.2.1", also "0x7f.1"; IPv6 as inet_pton)
 * and "localhost" (127.0.0.1, ::1) resolve without a query, and without a
 * TCP/IP thread. Without one (no tcpip_init or lwnet_tap_up yet) any other
 * name fails as unknown. The calls block until the resolver answered (at
 * most every server's tries); called on the TCP/IP thread itself, names that
 * need a query fail with EAI_AGAIN / TRY_AGAIN.
 *
 * getaddrinfo: hints->ai_family AF_INET (A), AF_INET6 (AAAA; with
 * AI_V4MAPPED, IPv4 results as ::ffff:a.b.c.d when there is no AAAA) or
 * AF_UNSPEC (both, as ESP-IDF's esp_getaddrinfo: up to
 * CONFIG_LWIP_DNS_MAX_HOST_IP addresses of each family, in RFC 6724
 * destination order: IPv4 first while lwnet has no IPv6 source address,
 * IPv6 first once it has a global one); other families EAI_FAMILY. One
 * result per address (not per socket type); the service must be a decimal
 * port number (else EAI_SERVICE); ai_socktype and ai_protocol are copied
 * from the hints; the first result's ai_canonname is the node name; with a
 * NULL node the address is the any address under AI_PASSIVE, else loopback;
 * AI_NUMERICHOST is honoured (then "localhost" fails too). Errors as glibc
 * gives them: EAI_NONAME (no such name, no address of that family, or no
 * DNS server set), EAI_AGAIN (no server answered in time), EAI_FAIL (the
 * servers failed, or a NULL `res`), EAI_MEMORY.
 *
 * gethostbyname as lwIP's: IPv4 only, up to CONFIG_LWIP_DNS_MAX_HOST_IP
 * addresses; the result lives in storage of the calling thread until its
 * next call; h_errno HOST_NOT_FOUND, TRY_AGAIN (no answer in time) or
 * NO_RECOVERY (the servers failed). gethostbyname_r also as lwIP's (not
 * glibc's): it returns 0, or -1 with *h_errnop (when not NULL) set to those
 * values, ERANGE (buf too small) or EINVAL (a NULL argument).
 *
 * getnameinfo: numeric forms only (no reverse lookup): NI_NAMEREQD gives
 * EAI_NONAME; EAI_FAMILY for a family other than AF_INET / AF_INET6 or a
 * short salen; EAI_OVERFLOW when host or serv is too small.
 *
 * Types and constants are the C library's (struct addrinfo, struct hostent,
 * EAI_*, AI_*, NI_*, HOST_NOT_FOUND). A program compiled as strict ISO C
 * (-std=c11 without _POSIX_C_SOURCE / _DEFAULT_SOURCE) does not get struct
 * addrinfo and EAI_* from glibc; this header then declares them itself,
 * with the C library's layout and values.
 *
 * Threads: any. */
#ifndef LWNET_LWIP_NETDB_H
#define LWNET_LWIP_NETDB_H

#include <stddef.h>
#include <netdb.h>
#include <sys/socket.h>

#include "lwip/inet.h"

#ifndef EAI_NONAME
/* Strict ISO C: the C library hid the POSIX part of <netdb.h>. */
struct addrinfo {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  socklen_t ai_addrlen;
  struct sockaddr *ai_addr;
  char *ai_canonname;
  struct addrinfo *ai_next;
};
#define AI_PASSIVE 0x0001
#define AI_CANONNAME 0x0002
#define AI_NUMERICHOST 0x0004
#define AI_V4MAPPED 0x0008
#define AI_ALL 0x0010
#define AI_ADDRCONFIG 0x0020
#define AI_NUMERICSERV 0x0400
#define EAI_BADFLAGS (-1)
#define EAI_NONAME (-2)
#define EAI_AGAIN (-3)
#define EAI_FAIL (-4)
#define EAI_FAMILY (-6)
#define EAI_SOCKTYPE (-7)
#define EAI_SERVICE (-8)
#define EAI_MEMORY (-10)
#define EAI_SYSTEM (-11)
#define EAI_OVERFLOW (-12)
#endif
#ifndef NI_NUMERICHOST
#define NI_NUMERICHOST 1
#define NI_NUMERICSERV 2
#define NI_NOFQDN 4
#define NI_NAMEREQD 8
#define NI_DGRAM 16
#endif
#ifndef HOST_NOT_FOUND
#define HOST_NOT_FOUND 1
#define TRY_AGAIN 2
#define NO_RECOVERY 3
#define NO_DATA 4
#endif
#ifndef h_addr
#define h_addr h_addr_list[0]
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct hostent *lwip_gethostbyname(const char *name);
int lwip_gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop);
void lwip_freeaddrinfo(struct addrinfo *ai);
int lwip_getaddrinfo(const char *nodename, const char *servname, const struct addrinfo *hints,
                     struct addrinfo **res);
int lwip_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                     socklen_t servlen, int flags);

#ifdef __cplusplus
}
#endif

#if !defined(LWIP_COMPAT_SOCKETS) || LWIP_COMPAT_SOCKETS != 0
#define gethostbyname(name) lwip_gethostbyname(name)
#define gethostbyname_r(name, ret, buf, buflen, result, h_errnop) \
  lwip_gethostbyname_r(name, ret, buf, buflen, result, h_errnop)
#define freeaddrinfo(addrinfo) lwip_freeaddrinfo(addrinfo)
#define getaddrinfo(nodname, servname, hints, res) lwip_getaddrinfo(nodname, servname, hints, res)
#define getnameinfo(sa, salen, host, hostlen, serv, servlen, flags) \
  lwip_getnameinfo(sa, salen, host, hostlen, serv, servlen, flags)
#endif

#endif /* LWNET_LWIP_NETDB_H */
