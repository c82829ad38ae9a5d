#!/usr/bin/env bash
# IPv6 fragmentation and reassembly against Linux, both ways (lwnet has
# 2001:db8::2/64, Linux 2001:db8::1/64):
#  - Linux `ping -6 -s 4000` to lwnet: lwnet reassembles each request (3
#    fragments) and fragments its 4008-byte reply; Linux reassembles it.
#  - a 3000-byte UDP datagram from python3 to lwnet's UDP echo comes back
#    byte for byte, in lwnet's fragments.
#  - `lwnet ping -6 -s 4000` to Linux: the other way round.
# Needs a stack built with CONFIG_LWIP_IP6_REASSEMBLY=1 (scripts/test.sh does).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init ping6_large "$@"
lwit_require ping python3

LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

lwit_start_lwnet --ip6 "$LWNET_IP6/64" serve --udp-echo 7
# lwnet's DAD takes a second before its addresses answer.
sleep 1.5

out=$(lwit_ns ping -6 -c 2 -i 0.2 -W 2 -s 4000 "$LWNET_IP6") || lwit_fail "ping -6 -s 4000 failed: $out"
echo "$out"
lwit_expect_equal "4008-byte replies" 2 "$(grep -c "^4008 bytes from $LWNET_IP6: icmp_seq=" <<<"$out")"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received, 0% packet loss" <<<"$out"

# 3000 bytes that no run of 256 lines up with; the echo must be the same.
lwit_ns python3 - "$LWNET_IP6" >"$LWIT_DIR/udp.out" 2>&1 <<'EOF'
import socket
import sys

data = bytes((i * 7 + 3) % 251 for i in range(3000))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(data, (sys.argv[1], 7))
got, _ = s.recvfrom(65536)
print(len(got), got == data)
EOF
cat "$LWIT_DIR/udp.out"
lwit_expect "3000-byte UDP datagram echoed byte for byte" grep -qx "3000 True" "$LWIT_DIR/udp.out"

lwit_stop_lwnet
lwit_expect_equal "ipv6.reassembly.reass_ok" 3 "$(lwit_counter ipv6.reassembly.reass_ok)"
lwit_expect_equal "ipv6.frag_tx_datagrams" 3 "$(lwit_counter ipv6.frag_tx_datagrams)"
lwit_expect_equal "ipv6.frag_tx" 9 "$(lwit_counter ipv6.frag_tx)"
lwit_expect_equal "icmpv6.tx_echo_reply" 2 "$(lwit_counter icmpv6.tx_echo_reply)"

capture=${LWIT_CAPTURES[0]}
# 4008 bytes of ICMPv6 in pieces of 1448: 3 fragments per reply; the
# 3008-byte UDP echo in 3 more.
lwit_expect_equal "fragments lwnet sent" 9 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && ipv6.fraghdr.nxt")"
lwit_expect_equal "first fragments lwnet sent" 3 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && ipv6.fraghdr.offset == 0 && ipv6.fraghdr.more == 1")"
lwit_expect_equal "replies tshark reassembled from lwnet's fragments" 2 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && icmpv6.type == 129 && ipv6.fraghdr.offset > 0")"

lwit_run_lwnet --ip6 "$LWNET_IP6/64" ping -c 2 -i 0.2 -W 2 -s 4000 "$LINUX_IP6"
cat "$LWNET_OUT"
lwit_expect_status "lwnet ping -s 4000 $LINUX_IP6 exit status" 0 "$LWNET_STATUS"
lwit_expect_equal "4008-byte replies to lwnet ping" 2 \
  "$(grep -c "^4008 bytes from $LINUX_IP6: icmp_seq=[12] ttl=64 time=" "$LWNET_OUT")"
lwit_expect "no wrong data" bash -c "! grep -q wrong '$LWNET_OUT'"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received, 0% packet loss" "$LWNET_OUT"
lwit_expect_equal "request fragments lwnet sent" 6 \
  "$(lwit_count_frames "${LWIT_CAPTURES[1]}" "eth.src == $LWIT_MAC && ipv6.fraghdr.nxt")"

lwit_check_capture
lwit_pass
