#!/usr/bin/python3
"""Linux's side of the multicast example tests (example_multicast.sh,
example_multicast6.sh), for either family (the group says which).

  multicast_peer.py send GROUP PORT INTERFACE SOURCE
      sends "linux multicast N" (N = 1..300) from SOURCE:40100 to the
      group on INTERFACE, 100 ms apart, TTL / hop limit 1, until killed.
  multicast_peer.py receive GROUP PORT INTERFACE ADDRESS
      joins the group on INTERFACE (IPv4: the interface's ADDRESS; IPv6:
      its index), prints "joined", then "HOST PORT TEXT" for each of three
      datagrams; exits 1 when they do not come within 20 s.
"""
import socket
import struct
import sys
import time


def main():
    mode, group, port, interface, address = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    v6 = ":" in group
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    if mode == "send":
        s.bind((address, 40100))
        if v6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(interface))
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
        else:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        for i in range(1, 301):
            s.sendto(b"linux multicast %d" % i, (group, port))
            time.sleep(0.1)
        return 0
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6:
        s.bind(("::", port))
        membership = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", socket.if_nametoindex(interface))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, membership)
    else:
        s.bind(("", port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(address)))
    print("joined", flush=True)
    s.settimeout(20)
    for _ in range(3):
        try:
            data, source = s.recvfrom(2048)
        except socket.timeout:
            return 1
        print("%s %d %s" % (source[0], source[1], data.decode()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
