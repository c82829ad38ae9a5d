#!/usr/bin/env bash
# `lwnet --dns ADDR resolve NAME` against dnsmasq in the namespace (DHCP off):
# A and AAAA records, both families in RFC 6724 order (IPv4 first when lwnet
# has no IPv6 address, IPv6 first with --ip6), a CNAME, a name that does not
# exist (exit 1), an answer too big for UDP (dnsmasq sets TC, lwnet asks
# again over TCP), and a `name.local` answered by a one-shot mDNS responder
# (a python3 socket on port 5353 in the namespace, joined to 224.0.0.251 on
# the TAP).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init dns_resolve "$@"
lwit_require dnsmasq python3

lwit_make_namespace

# 40 A records for big.name.test: 40 * 16 bytes of answer do not fit 512.
big_records=()
for i in $(seq 100 139); do big_records+=("--address=/big.name.test/192.0.2.$i"); done
lwit_spawn dnsmasq --no-daemon --no-resolv --no-hosts --port=53 --bind-interfaces \
  --listen-address="$LWIT_LINUX_IP" --pid-file="$LWIT_DIR/dnsmasq.pid" --user=root \
  --local=/name.test/ --local-ttl=60 --log-queries --log-facility="$LWIT_DIR/dnsmasq.log" \
  --host-record=host.name.test,192.0.2.10,2001:db8::10 \
  --host-record=v6only.name.test,2001:db8::20 \
  --cname=alias.name.test,host.name.test "${big_records[@]}"
dnsmasq_pid=$LWIT_SPAWNED
lwit_wait_listening 53

# The mDNS responder: answers A questions for printer.local with
# 192.0.2.42, unicast to the querier's port (RFC 6762 6.7: the id and the
# question repeated), and records what it answered.
lwit_spawn /usr/bin/python3 - "$LWIT_LINUX_IP" "$LWIT_DIR/mdns.log" <<'PY'
import socket, struct, sys
local, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5353))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton("224.0.0.251") + socket.inet_aton(local))
with open(log, "a") as f:
    f.write("ready\n")
while True:
    data, peer = s.recvfrom(1500)
    qid, flags, qd = struct.unpack(">HHH", data[:6])
    at, labels = 12, []
    while data[at]:
        labels.append(data[at + 1:at + 1 + data[at]].decode())
        at += 1 + data[at]
    qtype, qclass = struct.unpack(">HH", data[at + 1:at + 5])
    question = data[12:at + 5]
    name = ".".join(labels).lower()
    with open(log, "a") as f:
        f.write(f"query {name} type {qtype} from {peer[0]}:{peer[1]}\n")
    if name != "printer.local" or qtype != 1:
        continue
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 120, 4) + socket.inet_aton("192.0.2.42")
    s.sendto(struct.pack(">HHHHHH", qid, 0x8400, 1, 1, 0, 0) + question + answer, peer)
PY
lwit_wait_until "the mDNS responder" 10 grep -q ready "$LWIT_DIR/mdns.log"

dns=(--dns "$LWIT_LINUX_IP")

lwit_run_lwnet "${dns[@]}" resolve host.name.test --family 4
lwit_expect_status "resolve host.name.test --family 4" 0 "$LWNET_STATUS"
lwit_expect_equal "A record" "192.0.2.10" "$(cat "$LWNET_OUT")"

lwit_run_lwnet "${dns[@]}" resolve host.name.test --family 6
lwit_expect_status "resolve host.name.test --family 6" 0 "$LWNET_STATUS"
lwit_expect_equal "AAAA record" "2001:db8::10" "$(cat "$LWNET_OUT")"

lwit_run_lwnet "${dns[@]}" resolve host.name.test
lwit_expect_status "resolve host.name.test" 0 "$LWNET_STATUS"
lwit_expect_equal "both families, IPv4 first" "192.0.2.10 2001:db8::10" "$(tr '\n' ' ' <"$LWNET_OUT" | sed 's/ $//')"

# With a global IPv6 address as well, RFC 6724 puts the IPv6 address first
# (precedence 40 over IPv4's 35), as getaddrinfo orders them: the sources
# are the stack's, not only its IPv4 address.
LWIT_ADDRESS_OPTIONS=(--ip "$LWIT_LWNET_IP/$LWIT_PREFIX" --ip6 2001:db8::2/64)
lwit_run_lwnet "${dns[@]}" resolve host.name.test
LWIT_ADDRESS_OPTIONS=()
lwit_expect_status "resolve host.name.test with --ip6" 0 "$LWNET_STATUS"
lwit_expect_equal "both families, IPv6 first with an IPv6 source" "2001:db8::10 192.0.2.10" \
  "$(tr '\n' ' ' <"$LWNET_OUT" | sed 's/ $//')"

lwit_run_lwnet "${dns[@]}" resolve v6only.name.test
lwit_expect_status "resolve v6only.name.test" 0 "$LWNET_STATUS"
lwit_expect_equal "a name with only AAAA" "2001:db8::20" "$(cat "$LWNET_OUT")"

lwit_run_lwnet "${dns[@]}" resolve ALIAS.name.test --family 4
lwit_expect_status "resolve alias.name.test" 0 "$LWNET_STATUS"
lwit_expect_equal "CNAME followed" "192.0.2.10" "$(cat "$LWNET_OUT")"

lwit_run_lwnet "${dns[@]}" resolve nothere.name.test
lwit_expect_status "resolve nothere.name.test" 1 "$LWNET_STATUS"
lwit_expect "no output for an unknown name" test ! -s "$LWNET_OUT"
lwit_expect "the reason on stderr" grep -q "no such name" "$LWNET_ERR"

lwit_run_lwnet -v "${dns[@]}" resolve big.name.test --family 4
lwit_expect_status "resolve big.name.test" 0 "$LWNET_STATUS"
lwit_expect "an address of big.name.test" grep -Eq '^192\.0\.2\.1[0-3][0-9]$' "$LWNET_OUT"
lwit_expect "TC seen, asked again" grep -q "truncated 1" "$LWNET_ERR"
big_capture=${LWIT_CAPTURES[-1]}
lwit_expect "the UDP answer came truncated" \
  test "$(lwit_count_frames "$big_capture" "dns.flags.truncated == 1 && udp.srcport == 53")" -ge 1
lwit_expect "the query went again over TCP" \
  test "$(lwit_count_frames "$big_capture" "eth.src == $LWIT_MAC && tcp.dstport == 53 && tcp.len > 0")" -ge 1

lwit_run_lwnet "${dns[@]}" resolve printer.local --family 4
lwit_expect_status "resolve printer.local" 0 "$LWNET_STATUS"
lwit_expect_equal "mDNS answer" "192.0.2.42" "$(cat "$LWNET_OUT")"
lwit_expect "the responder got the query from an ephemeral port" \
  grep -Eq "^query printer.local type 1 from $LWIT_LWNET_IP:(4915[2-9]|491[6-9][0-9]|49[2-9][0-9][0-9]|5[0-9]{4}|6[0-5][0-9]{3})$" "$LWIT_DIR/mdns.log"
mdns_capture=${LWIT_CAPTURES[-1]}
lwit_expect "the query went to 224.0.0.251:5353 with TTL 255" \
  test "$(lwit_count_frames "$mdns_capture" "eth.src == $LWIT_MAC && ip.dst == 224.0.0.251 && udp.dstport == 5353 && ip.ttl == 255")" -ge 1
lwit_expect "dnsmasq was not asked for printer.local" bash -c "! grep -q printer.local '$LWIT_DIR/dnsmasq.log'"

# Numbers need no server at all.
lwit_run_lwnet resolve 198.51.100.7
lwit_expect_status "resolve 198.51.100.7" 0 "$LWNET_STATUS"
lwit_expect_equal "numeric name" "198.51.100.7" "$(cat "$LWNET_OUT")"

lwit_expect "dnsmasq logged lwnet's queries" grep -q "query\[AAAA\] host.name.test from $LWIT_LWNET_IP" "$LWIT_DIR/dnsmasq.log"
kill "$dnsmasq_pid"
lwit_check_capture
lwit_pass
