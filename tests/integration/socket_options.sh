#!/usr/bin/env bash
# Socket options of lwnet's BSD layer against Linux peers, with
# socket_options_probe (its argument) on the TAP lw0 as 192.0.2.2/24:
#   - IP_TOS 0xb8 and IP_TTL 7 on a UDP socket: a Python receiver reads both
#     from its IP_RECVTOS / IP_RECVTTL control messages
#   - IP_TOS 0x28 and IP_TTL 13 on a TCP socket: every segment the Linux
#     side receives from it (SYN, data, pure ACKs, FIN) carries them, seen
#     by a raw IPPROTO_TCP socket
#   - IP_PKTINFO: a unicast and a subnet broadcast from Linux arrive with
#     their destination address and the TAP netif's index (2)
#   - ENOMEM: a TAP transmit queue of 4 frames at 100 kB/s refuses most of a
#     burst of 50 datagrams (send fails with ENOMEM, the stack counts each
#     refusal); after a pause every send succeeds and Linux receives all of
#     those datagrams
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init socket_options "$@"
lwit_require python3 ss
PROBE=$LWNET

linux_listens() { [ -n "$(lwit_ns ss -H "$1" "( sport = :$2 )" 2>/dev/null)" ]; }

# run_probe NAME ARGS...: the probe in the foreground (at most 30 s), output
# into $LWIT_DIR/NAME.out/.err, exit status into PROBE_STATUS.
run_probe() {
  local name=$1
  shift
  LWNET_OUT="$LWIT_DIR/$name.out"
  LWNET_ERR="$LWIT_DIR/$name.err"
  PROBE_STATUS=0
  lwit_ns timeout -k 5 30 "$PROBE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR" || PROBE_STATUS=$?
  lwit_check_sanitizer "socket_options_probe $*" "$PROBE_STATUS"
  lwit_expect_equal "socket_options_probe $* exit status" 0 "$PROBE_STATUS"
}

lwit_make_namespace

# ---- UDP: IP_TOS, IP_TTL -----------------------------------------------------------
cat >"$LWIT_DIR/udp_receiver.py" <<'EOF'
import socket, sys
# Linux's numbers (<linux/in.h>); Python names only some of them.
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
s.bind(("192.0.2.1", 4000))
s.settimeout(20)
data, control, flags, source = s.recvmsg(64, 256)
seen = {}
for level, kind, value in control:
    if level == socket.IPPROTO_IP and kind == socket.IP_TOS:
        seen["tos"] = value[0]
    if level == socket.IPPROTO_IP and kind == socket.IP_TTL:
        seen["ttl"] = int.from_bytes(value[:4], sys.byteorder)
print("from %s data %s tos %d ttl %d" % (source[0], data.decode(), seen.get("tos", -1), seen.get("ttl", -1)))
EOF
lwit_spawn python3 "$LWIT_DIR/udp_receiver.py" >"$LWIT_DIR/udp_receiver.out"
receiver=$LWIT_SPAWNED
lwit_wait_until "the UDP receiver on 4000" 10 linux_listens -uln 4000
run_probe udp_send udp-send "$LWIT_LINUX_IP" 4000 184 7
wait "$receiver" || lwit_fail "the UDP receiver failed"
lwit_expect_equal "Linux saw the UDP datagram's TOS and TTL" "from $LWIT_LWNET_IP data tos-ttl tos 184 ttl 7" \
  "$(cat "$LWIT_DIR/udp_receiver.out")"

# ---- TCP: IP_TOS, IP_TTL on every segment ------------------------------------------
cat >"$LWIT_DIR/tcp_receiver.py" <<'EOF'
import socket
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("192.0.2.1", 4001))
listener.listen(1)
listener.settimeout(20)
connection, _ = listener.accept()
connection.settimeout(20)
received = b""
while True:
    chunk = connection.recv(100)
    if not chunk:
        break
    received += chunk
connection.close()
# Every segment lwnet sent to port 4001, from the raw socket's copies.
raw.settimeout(1)
segments = []
try:
    while True:
        packet = raw.recv(2048)
        header = (packet[0] & 0x0F) * 4
        destination_port = int.from_bytes(packet[header + 2:header + 4], "big")
        if packet[12:16] == socket.inet_aton("192.0.2.2") and destination_port == 4001:
            flags = packet[header + 13]
            payload = len(packet) - header - (packet[header + 12] >> 4) * 4
            segments.append((packet[1], packet[8], flags, payload))
except socket.timeout:
    pass
kinds = set()
for tos, ttl, flags, payload in segments:
    if tos != 0x28 or ttl != 13:
        print("segment with tos %d ttl %d" % (tos, ttl))
    if flags & 0x02:
        kinds.add("syn")
    if flags & 0x01:
        kinds.add("fin")
    if payload > 0:
        kinds.add("data")
    if flags == 0x10 and payload == 0:
        kinds.add("ack")
print("received %s" % received.decode())
print("kinds %s" % " ".join(sorted(kinds)))
EOF
lwit_spawn python3 "$LWIT_DIR/tcp_receiver.py" >"$LWIT_DIR/tcp_receiver.out"
receiver=$LWIT_SPAWNED
lwit_wait_until "the TCP receiver on 4001" 10 linux_listens -tln 4001
run_probe tcp_send tcp-send "$LWIT_LINUX_IP" 4001 40 13
wait "$receiver" || lwit_fail "the TCP receiver failed"
lwit_expect_equal "Linux saw every TCP segment with TOS 0x28 and TTL 13" "received tos-ttl
kinds ack data fin syn" "$(cat "$LWIT_DIR/tcp_receiver.out")"

# ---- IP_PKTINFO ------------------------------------------------------------------------
lwit_spawn "$PROBE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" pktinfo 5000 2 \
  >"$LWIT_DIR/pktinfo.out" 2>"$LWIT_DIR/pktinfo.err"
probe=$LWIT_SPAWNED
LWNET_OUT="$LWIT_DIR/pktinfo.out"
LWNET_ERR="$LWIT_DIR/pktinfo.err"
lwit_wait_until "the probe's ready line" 10 grep -q "^listening on $LWIT_LWNET_IP:5000" "$LWNET_OUT"
# Linux resolves 192.0.2.2 first: else the unicast waits for ARP and the
# broadcast overtakes it.
lwit_expect "192.0.2.2 answers ping" lwit_ns ping -c 1 -W 5 "$LWIT_LWNET_IP" >/dev/null
lwit_ns python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b"unicast", ("192.0.2.2", 5000))
s.sendto(b"broadcast", ("192.0.2.255", 5000))
'
status=0
wait "$probe" || status=$?
lwit_check_sanitizer "socket_options_probe pktinfo" "$status"
lwit_expect_equal "socket_options_probe pktinfo exit status" 0 "$status"
lwit_expect_equal "IP_PKTINFO: destinations and the TAP's index" "listening on $LWIT_LWNET_IP:5000
7 bytes to $LWIT_LWNET_IP ifindex 2
9 bytes to 192.0.2.255 ifindex 2
device busy drops 0" "$(cat "$LWNET_OUT")"

# ---- ENOMEM under a full transmit queue, then recovery -----------------------------
cat >"$LWIT_DIR/burst_receiver.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 4002))
s.settimeout(5)
total = 0
after = []
try:
    while len(after) < 10:
        data = s.recv(2048)
        total += 1
        if data.startswith(b"after-"):
            after.append(data.decode())
except socket.timeout:
    pass
print("after %s" % " ".join(after))
EOF
lwit_spawn python3 "$LWIT_DIR/burst_receiver.py" >"$LWIT_DIR/burst_receiver.out"
receiver=$LWIT_SPAWNED
lwit_wait_until "the burst receiver on 4002" 10 linux_listens -uln 4002
run_probe burst burst "$LWIT_LINUX_IP" 4002 50
wait "$receiver" || lwit_fail "the burst receiver failed"
burst_line=$(grep '^burst sent' "$LWNET_OUT") || lwit_fail "no burst line from the probe"
read -r _ _ burst_sent _ burst_enomem <<<"$burst_line"
lwit_log "burst: $burst_sent sent, $burst_enomem refused with ENOMEM"
lwit_expect "some sends of the burst failed with ENOMEM" [ "$burst_enomem" -gt 0 ]
lwit_expect "some sends of the burst went through" [ "$burst_sent" -gt 0 ]
lwit_expect_equal "every send of the burst either went or failed with ENOMEM" 50 $((burst_sent + burst_enomem))
lwit_expect_equal "after the pause every send succeeded" "after sent 10 enomem 0" \
  "$(grep '^after sent' "$LWNET_OUT")"
lwit_expect_equal "the stack counted each refusal" "device busy drops $burst_enomem" \
  "$(grep '^device busy drops' "$LWNET_OUT")"
lwit_expect_equal "Linux received every datagram sent after the pause" \
  "after after-0 after-1 after-2 after-3 after-4 after-5 after-6 after-7 after-8 after-9" \
  "$(cat "$LWIT_DIR/burst_receiver.out")"
lwit_pass
