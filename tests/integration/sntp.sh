#!/usr/bin/env bash
# `lwnet sntp` against chronyd (local stratum 1, -x: it never touches the
# host clock) on the Linux side of the TAP: the four plain lines, an offset
# within 5 ms (both share the host's clock), exit 0; the same server over
# IPv6. Then the global
# --sntp option before a job. Then a kiss-o'-death DENY from a scripted
# server (chrony 4.3 sends none): reported, exit 1. Then nobody: exit 1.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init sntp "$@"
lwit_require chronyd ss

lwit_make_namespace

# chronyd answers on IPv6 as well, from 2001:db8::1 on the TAP.
LINUX_IP6=2001:db8::1
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

cat >"$LWIT_DIR/chrony.conf" <<CONF
local stratum 1
allow 192.0.2.0/24
allow 2001:db8::/32
bindaddress $LWIT_LINUX_IP
bindaddress $LINUX_IP6
port 123
cmdport 0
pidfile $LWIT_DIR/chronyd.pid
driftfile $LWIT_DIR/chrony.drift
CONF
lwit_spawn chronyd -x -d -u root -f "$LWIT_DIR/chrony.conf" >"$LWIT_DIR/chronyd.log" 2>&1
CHRONYD_PID=$LWIT_SPAWNED
chrony_listening() { [ -n "$(lwit_ns ss -Huln "( sport = :123 )" 2>/dev/null)" ]; }
lwit_wait_until "chronyd listening on UDP 123" 10 chrony_listening

lwit_run_lwnet sntp -W 5 "$LWIT_LINUX_IP"
cat "$LWNET_OUT"
lwit_expect_status "exit status" 0 "$LWNET_STATUS"
lwit_expect "server line" grep -qx "server $LWIT_LINUX_IP" "$LWNET_OUT"
lwit_expect "stratum line" grep -qx "stratum 1" "$LWNET_OUT"
lwit_expect "offset line" grep -Eqx "offset [+-][0-9]+\.[0-9]{6} s" "$LWNET_OUT"

lwit_expect "delay line" grep -Eqx "delay [0-9]+\.[0-9]{6} s" "$LWNET_OUT"
offset=$(awk '$1 == "offset" { print $2 }' "$LWNET_OUT")
lwit_expect "offset within 5 ms ($offset s)" awk -v o="$offset" 'BEGIN { exit !(o < 0.005 && o > -0.005) }'
lwit_expect_equal "requests lwnet sent (capture)" 1 \
  "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && ntp.flags.mode == 3")"
lwit_expect_equal "server replies (capture)" 1 \
  "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "ip.src == $LWIT_LINUX_IP && ntp.flags.mode == 4")"

# An IPv6 server: the reply must reach the client (its endpoint bound to
# 0.0.0.0 answered it with port unreachable), and the request waits for DAD
# of lwnet's address.
LWIT_ADDRESS_OPTIONS=(--ip "$LWIT_LWNET_IP/$LWIT_PREFIX" --ip6 2001:db8::2/64)
lwit_run_lwnet sntp -W 5 "$LINUX_IP6"
LWIT_ADDRESS_OPTIONS=()
cat "$LWNET_OUT"
lwit_expect_status "exit status with an IPv6 server" 0 "$LWNET_STATUS"
lwit_expect "IPv6 server line" grep -qx "server $LINUX_IP6" "$LWNET_OUT"
lwit_expect "IPv6 stratum line" grep -qx "stratum 1" "$LWNET_OUT"
lwit_expect_equal "IPv6 server replies (capture)" 1 \
  "$(lwit_count_frames "${LWIT_CAPTURES[-1]}" "ipv6.src == $LINUX_IP6 && ntp.flags.mode == 4")"
lwit_expect_equal "no port unreachable from lwnet (capture)" 0 \
  "$(lwit_count_frames "${LWIT_CAPTURES[-1]}" "eth.src == $LWIT_MAC && icmpv6.type == 1")"

# --sntp: one line before the job (ping) runs.
lwit_run_lwnet --sntp "$LWIT_LINUX_IP" ping -c 1 "$LWIT_LINUX_IP"
cat "$LWNET_OUT"
lwit_expect_status "exit status with --sntp" 0 "$LWNET_STATUS"
lwit_expect "sntp line first" bash -c "head -1 '$LWNET_OUT' | grep -Eqx 'sntp offset [+-][0-9.]+ s from $LWIT_LINUX_IP stratum 1 delay [0-9.]+ s'"
lwit_expect "the ping ran" grep -q "1 packets transmitted, 1 received" "$LWNET_OUT"

kill -TERM "$CHRONYD_PID"
wait "$CHRONYD_PID" 2>/dev/null || true

# A server that answers every request with a DENY kiss (RFC 5905 7.4).
cat >"$LWIT_DIR/kiss.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 123))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(512)
    if len(data) < 48:
        continue
    reply = bytes([0xe4, 0, 0, 0]) + bytes(8) + b"DENY" + bytes(8) + data[40:48] + bytes(16)
    s.sendto(reply, peer)
PY
lwit_spawn /usr/bin/python3 "$LWIT_DIR/kiss.py" "$LWIT_LINUX_IP" >"$LWIT_DIR/kiss.log" 2>&1
kiss_ready() { grep -qs ready "$LWIT_DIR/kiss.log"; }
lwit_wait_until "the kiss-o'-death server" 10 kiss_ready
lwit_run_lwnet sntp -W 5 "$LWIT_LINUX_IP"
cat "$LWNET_ERR"
lwit_expect_status "exit status after DENY" 1 "$LWNET_STATUS"
lwit_expect "DENY reported" grep -q "refused us (kiss-o'-death DENY or RSTR)" "$LWNET_ERR"
lwit_expect "no offset printed" bash -c "! grep -q '^offset' '$LWNET_OUT'"

# Nobody at 192.0.2.99: no reply within the timeout.
lwit_run_lwnet sntp -W 1 192.0.2.99
lwit_expect_status "exit status without a server" 1 "$LWNET_STATUS"
lwit_expect "timeout reported" grep -q "no reply from 192.0.2.99 within 1.000000 s" "$LWNET_ERR"

lwit_check_capture
lwit_pass
