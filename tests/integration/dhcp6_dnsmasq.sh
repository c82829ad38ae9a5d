#!/usr/bin/env bash
# lwnet's stateless DHCPv6 client against dnsmasq: dnsmasq in the namespace
# sends RAs for 2001:db8:1::/64 in ra-stateless mode (A and O flags) and
# answers Information-requests with a DNS server (option 23) and an NTP
# server (option 56). `lwnet --slaac --dhcp6 show` must print its SLAAC
# address, the DHCPv6 server and both servers learned from DHCPv6; dnsmasq
# must have logged the Information-request. Then `lwnet --slaac --dhcp6
# resolve` resolves a name dnsmasq serves through that DNS server, which
# lwnet knows only from DHCPv6.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init dhcp6_dnsmasq "$@"
lwit_require dnsmasq

LINUX_IP6=2001:db8:1::1
DNS_SERVER=2001:db8:1::53
NTP_SERVER=2001:db8:1::123
LWNET_SLAAC=2001:db8:1::ff:fe00:2   # from lwnet's default MAC 02:00:00:00:00:02
NAME=host.name.test
NAME_ADDRESS=2001:db8:1::7

lwit_make_namespace
# Linux's DAD would hold its addresses back: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad
ip -n "$LWIT_NS" addr add "$DNS_SERVER/64" dev "$LWIT_TAP" nodad

: >"$LWIT_DIR/dnsmasq.log"
lwit_spawn dnsmasq --no-daemon --no-resolv --no-hosts --user=root --port=53 \
  --interface="$LWIT_TAP" --bind-interfaces --pid-file="$LWIT_DIR/dnsmasq.pid" \
  --enable-ra --ra-param="$LWIT_TAP,4" --dhcp-range=2001:db8:1::,ra-stateless \
  --dhcp-option="option6:dns-server,[$DNS_SERVER]" --dhcp-option="option6:ntp-server,[$NTP_SERVER]" \
  --local=/name.test/ --host-record="$NAME,$NAME_ADDRESS" \
  --log-dhcp --log-queries --log-facility="$LWIT_DIR/dnsmasq.log" 2>"$LWIT_DIR/dnsmasq.err"
DNSMASQ_PID=$LWIT_SPAWNED
lwit_wait_until "dnsmasq serving DHCPv6" 10 grep -q "DHCPv6 stateless on" "$LWIT_DIR/dnsmasq.log"

# 1. The servers, learned by DHCPv6 after an RA with O.
LWIT_RUN_TIMEOUT=40 lwit_run_lwnet --slaac --dhcp6 --dhcp6-timeout 15 show --wait 10
lwit_expect_status "lwnet --slaac --dhcp6 show --wait 10" 0 "$LWNET_STATUS"
lwit_expect "a preferred SLAAC address from 2001:db8:1::/64" \
  grep -q "^address $LWNET_SLAAC/64 preferred slaac" "$LWNET_OUT"
lwit_expect "an RA with O" grep -q "^ra managed no other yes" "$LWNET_OUT"
lwit_expect "the DHCPv6 client informed by dnsmasq's link-local address" \
  grep -q "^dhcp6 informed server fe80::" "$LWNET_OUT"
lwit_expect "the DNS server from DHCPv6" grep -q "^dns $DNS_SERVER from dhcp6" "$LWNET_OUT"
lwit_expect "the NTP server from DHCPv6" grep -q "^ntp $NTP_SERVER from dhcp6" "$LWNET_OUT"
lwit_expect "no stateful DHCPv6 asked for" bash -c "! grep -q '^dhcp6 stateful' '$LWNET_OUT'"
lwit_expect "dnsmasq answered an Information-request" \
  grep -qi "information-request" "$LWIT_DIR/dnsmasq.log"
# What lwnet sent: an Information-request from its link-local address to
# ff02::1:2, with its DUID-LL and an option request for 23, 31, 32, 56.
capture=${LWIT_CAPTURES[0]}
lwit_expect "one Information-request or more in the capture" \
  test "$(lwit_count_frames "$capture" "dhcpv6.msgtype == 11 && ipv6.src == fe80::ff:fe00:2 && ipv6.dst == ff02::1:2 && udp.srcport == 546")" -ge 1
lwit_expect "the DUID-LL of lwnet's MAC" \
  test "$(lwit_count_frames "$capture" "dhcpv6.msgtype == 11 && dhcpv6.duid.type == 3 && dhcpv6.duidll.link_layer_addr == 02:00:00:00:00:02")" -ge 1
lwit_expect "a Reply with the DNS and NTP servers" \
  test "$(lwit_count_frames "$capture" "dhcpv6.msgtype == 7 && dhcpv6.dns_server == $DNS_SERVER && dhcpv6.ntpserver.addr == $NTP_SERVER")" -ge 1
kill -0 "$DNSMASQ_PID" 2>/dev/null || lwit_fail "dnsmasq died: $(tail -5 "$LWIT_DIR/dnsmasq.log")"

# 2. A name through the DNS server only DHCPv6 named.
LWIT_RUN_TIMEOUT=40 lwit_run_lwnet --slaac --dhcp6 --dhcp6-timeout 15 resolve "$NAME" --family 6
lwit_expect_status "lwnet --slaac --dhcp6 resolve $NAME" 0 "$LWNET_STATUS"
lwit_expect_equal "the AAAA record dnsmasq serves" "$NAME_ADDRESS" "$(cat "$LWNET_OUT")"
lwit_expect "dnsmasq got the query from lwnet" grep -q "query\[AAAA\] $NAME from" "$LWIT_DIR/dnsmasq.log"

lwit_check_capture
lwit_pass
