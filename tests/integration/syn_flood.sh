#!/usr/bin/env bash
# A SYN flood against `lwnet serve --echo 7`: 3000 SYNs from spoofed sources
# that never answer (192.0.2.0/24 on the link, 198.51.100.0/24 and
# 203.0.113.0/24 behind the gateway, which is Linux here and does not
# forward), sent raw on the TAP by scapy in 30 bursts over about 3 s. Meanwhile
# a connection opened before the flood keeps echoing (no stall over 1 s), and
# `nc` connects anew during and after the flood and gets its echo at once
# (well under Linux's 1 s SYN retransmission: the SYN cookie answered).
# lwnet's counters at exit account for every SYN.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init syn_flood "$@"
lwit_require nc python3 date
/usr/bin/python3 -c 'import scapy.all' 2>/dev/null || lwit_fail "Debian's python3-scapy is missing: run scripts/install-deps.sh"

flood_syns=3000
flood_bursts=30
backlog=6  # CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE: serve's listen backlog

lwit_make_namespace
lwit_start_lwnet --gw "$LWIT_LINUX_IP" serve --echo 7

# The connection that transfers throughout: 1000 bytes every 10 ms until the
# flood is over (the file `stop` appears; 60 s at most), each echo checked,
# and no echo later than 1 s.
cat >"$LWIT_DIR/transfer.py" <<'PY'
import os, socket, sys, time
host, seconds, ready, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.create_connection((host, 7), timeout=5)
open(ready, "w").close()
sent = received = 0
worst = 0.0
end = time.monotonic() + seconds
while time.monotonic() < end and not os.path.exists(stop):
    data = os.urandom(1000)
    started = time.monotonic()
    s.sendall(data)
    back = b""
    while len(back) < len(data):
        chunk = s.recv(len(data) - len(back))
        if not chunk:
            sys.exit(f"echo connection closed after {received} bytes")
        back += chunk
    worst = max(worst, time.monotonic() - started)
    if back != data:
        sys.exit(f"echo differs after {received} bytes")
    sent += len(data)
    received += len(back)
    time.sleep(0.01)
s.close()
print(f"transfer: {received} bytes echoed, slowest echo {worst:.3f} s")
if worst > 1.0:
    sys.exit(f"an echo took {worst:.3f} s: the connection stalled")
PY

# The flood: Ethernet frames straight onto the TAP, sources only from the
# documentation ranges (never .1 or .2 of 192.0.2.0/24: Linux and lwnet).
cat >"$LWIT_DIR/flood.py" <<'PY'
import random, socket, sys, time
from scapy.all import Ether, IP, TCP
iface, mac, target, count, bursts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
halfway = sys.argv[6]
random.seed(8)
prefixes = ["192.0.2.", "198.51.100.", "203.0.113."]
frames = []
for i in range(count):
    source = prefixes[i % 3] + str(10 + (i * 7) % 240)
    syn = (Ether(dst=mac, src="02:00:00:00:00:5f") / IP(src=source, dst=target) /
           TCP(sport=10000 + i, dport=7, flags="S", seq=random.getrandbits(32), window=64240,
               options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (i, 0)), ("NOP", None),
                        ("WScale", 7)]))
    frames.append(bytes(syn))
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
raw.bind((iface, 0))
per_burst = count // bursts
for b in range(bursts):
    for frame in frames[b * per_burst:(b + 1) * per_burst]:
        raw.send(frame)
    if b == bursts // 2:
        open(halfway, "w").close()
    time.sleep(0.1)
print(f"flood: {count} SYNs sent")
PY

lwit_spawn python3 "$LWIT_DIR/transfer.py" "$LWIT_LWNET_IP" 60 "$LWIT_DIR/transfer.ready" "$LWIT_DIR/transfer.stop" >"$LWIT_DIR/transfer.out" 2>&1
transfer_pid=$LWIT_SPAWNED
for _ in $(seq 50); do [ -e "$LWIT_DIR/transfer.ready" ] && break; sleep 0.1; done
lwit_expect "the transfer connection is open before the flood" test -e "$LWIT_DIR/transfer.ready"

lwit_spawn /usr/bin/python3 "$LWIT_DIR/flood.py" "$LWIT_TAP" "$LWIT_MAC" "$LWIT_LWNET_IP" "$flood_syns" "$flood_bursts" "$LWIT_DIR/flood.halfway" >"$LWIT_DIR/flood.out" 2>&1
flood_pid=$LWIT_SPAWNED

# connect_and_echo WHAT: a new nc connection must echo a line within 1 s.
connect_and_echo() {
  local started ended elapsed_ms
  started=$(date +%s%N)
  echo "hello $1" | lwit_ns timeout 5 nc -N "$LWIT_LWNET_IP" 7 >"$LWIT_DIR/echo.out" ||
    lwit_fail "nc $1 failed"
  ended=$(date +%s%N)
  elapsed_ms=$(((ended - started) / 1000000))
  lwit_expect_equal "nc $1: echo" "hello $1" "$(cat "$LWIT_DIR/echo.out")"
  lwit_expect "nc $1: done in ${elapsed_ms} ms, under a SYN retransmission (1 s)" test "$elapsed_ms" -lt 1000
}

# Building the frames takes scapy a while: wait until half of them are out.
for _ in $(seq 300); do [ -e "$LWIT_DIR/flood.halfway" ] && break; sleep 0.1; done
lwit_expect "the flood is halfway" test -e "$LWIT_DIR/flood.halfway"
lwit_expect "the flood is still running" kill -0 "$flood_pid"
connect_and_echo "during the flood"

wait "$flood_pid" || lwit_fail "the flood generator failed: $(cat "$LWIT_DIR/flood.out")"
lwit_log "$(cat "$LWIT_DIR/flood.out")"
# The handshakes the flood left still hold the whole backlog.
connect_and_echo "after the flood"

touch "$LWIT_DIR/transfer.stop"
wait "$transfer_pid" || lwit_fail "the transfer failed: $(cat "$LWIT_DIR/transfer.out")"
lwit_log "$(cat "$LWIT_DIR/transfer.out")"

lwit_stop_lwnet
capture=${LWIT_CAPTURES[0]}
spoofed_seen=$(lwit_count_frames "$capture" "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 7 && ip.src != $LWIT_LINUX_IP")
lwit_log "SYNs from spoofed sources that reached lwnet: $spoofed_seen of $flood_syns"
lwit_expect "most of the flood reached lwnet" test "$spoofed_seen" -ge $((flood_syns * 9 / 10))
# Every SYN but the first `backlog` got a cookie. The connection made during
# the flood evicted one handshake, whose place the next spoofed SYN took; the
# one after the flood evicted another. The two nc SYNs got cookies too.
# A handshake with an on-link spoofed source also ends when the flood's
# SYN-ACKs push the ARP resolution of its own SYN-ACK out of the table (a
# host unreachable, tcp_table.half_open_icmp_aborted); while the flood runs
# the next spoofed SYN takes that place instead of a cookie, after it
# nobody does. How many end before the flood stops is timing, so the
# cookies are between the two.
cookies=$(lwit_counter tcp_table.syn_cookies_sent)
aborted=$(lwit_counter tcp_table.half_open_icmp_aborted)
no_aborts=$((spoofed_seen - backlog - 1 + 2))
lwit_log "cookies sent: $cookies; half-open connections ended by a host unreachable: $aborted"
lwit_expect "tcp_table.syn_cookies_sent ($cookies): $no_aborts, less up to the $aborted ended handshakes" \
  test "$cookies" -le "$no_aborts" -a "$cookies" -ge $((no_aborts - $aborted))
lwit_expect "the ended handshakes ($aborted) are at most the ARP evictions" \
  test "$aborted" -le "$(lwit_counter arp.cache_evictions)"
lwit_expect_equal "tcp_table.syn_cookies_validated (the two nc connections)" 2 "$(lwit_counter tcp_table.syn_cookies_validated)"
lwit_expect_equal "tcp_table.half_open_evicted" 2 "$(lwit_counter tcp_table.half_open_evicted)"
lwit_expect_equal "tcp_table.syn_cookies_rejected" 0 "$(lwit_counter tcp_table.syn_cookies_rejected)"
lwit_expect_equal "tcp_table.drop_backlog_full" 0 "$(lwit_counter tcp_table.drop_backlog_full)"
lwit_expect_equal "tcp_table.drop_no_slot" 0 "$(lwit_counter tcp_table.drop_no_slot)"
lwit_expect_equal "tcp_table.connections_accepted" 3 "$(lwit_counter tcp_table.connections_accepted)"
lwit_expect_equal "echo.connections" 3 "$(lwit_counter echo.connections)"
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"
# (Closing the listener at exit resets the handshakes left: those RSTs go
# to the spoofed sources, none to Linux.)
resets=$(lwit_tshark -r "$capture" -Y "eth.src == $LWIT_MAC && tcp.flags.reset == 1 && ip.dst == $LWIT_LINUX_IP" 2>/dev/null)
lwit_expect_equal "RSTs lwnet sent to Linux's connections" "" "$resets"
lwit_check_capture
lwit_pass
