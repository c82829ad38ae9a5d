/* lwIP's <lwip/netdb.h> on lwnet: lwip_getaddrinfo, lwip_freeaddrinfo,
 * lwip_gethostbyname and lwip_gethostbyname_r, and (unless
 * LWIP_COMPAT_SOCKETS is 0) the standard names as macros for them.
 *
 * No DNS yet (a later issue): a name resolves only when it is a numeric
 * IPv4 address (as ip4addr_aton reads it: "192.0.2.1", also "0x7f.1") or
 * "localhost" (127.0.0.1). Any other name fails: getaddrinfo with
 * EAI_NONAME, gethostbyname(_r) with HOST_NOT_FOUND. Results are IPv4 only
 * (lwnet's sockets are): hints->ai_family AF_INET6 gives EAI_FAMILY.
 *
 * getaddrinfo as lwIP's: one result (not one per socket type); the service
 * must be a decimal port number (else EAI_SERVICE); ai_socktype and
 * ai_protocol are copied from the hints; ai_canonname is the node name;
 * with a NULL node the address is 0.0.0.0 under AI_PASSIVE, else 127.0.0.1;
 * AI_NUMERICHOST is honoured (then "localhost" fails too); a NULL `res`
 * gives EAI_FAIL, NULL node and service EAI_NONAME, no memory EAI_MEMORY.
 *
 * gethostbyname as lwIP's: one address; the result lives in storage of the
 * calling thread until its next call. gethostbyname_r also as lwIP's (not
 * glibc's): it returns 0, or -1 with *h_errnop (when not NULL) set to
 * HOST_NOT_FOUND, ERANGE (buf too small) or EINVAL (a NULL argument).
 *
 * Types and constants are the C library's (struct addrinfo, struct hostent,
 * EAI_*, AI_*, HOST_NOT_FOUND). A program compiled as strict ISO C (-std=c11
 * without _POSIX_C_SOURCE / _DEFAULT_SOURCE) does not get struct addrinfo
 * and EAI_* from glibc; this header then declares them itself, with the
 * C library's layout and values.
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

#ifdef __cplusplus
}
#endif

#if !defined(LWIP_COMPAT_SOCKETS) || LWIP_COMPAT_SOCKETS != 0
#define gethostbyname(name) lwip_gethostbyname(name)
#define gethostbyname_r(name, ret, buf, buflen, result, h_errnop) \
  lwip_gethostbyname_r(name, ret, buf, buflen, result, h_errnop)
#define freeaddrinfo(addrinfo) lwip_freeaddrinfo(addrinfo)
#define getaddrinfo(nodname, servname, hints, res) lwip_getaddrinfo(nodname, servname, hints, res)
#endif

#endif /* LWNET_LWIP_NETDB_H */
