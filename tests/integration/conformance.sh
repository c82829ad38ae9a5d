#!/usr/bin/env bash
# lwnet's sockets against the Linux kernel's: conformance_probe.c makes the
# same socket calls (about 600 steps: wrong arguments and null pointers,
# every state of a TCP socket, connect/accept/shutdown, non-blocking
# connect, a peer that never answers ARP or ND, UDP with ICMP errors,
# MSG_PEEK/MSG_TRUNC/MSG_WAITALL/MSG_MORE, sendmsg/recvmsg with pieces,
# option values and limits, multicast and broadcast, IPv6 with mapped
# addresses, raw ICMP and ICMPv6, inet_pton/inet_ntop, numeric getaddrinfo,
# poll/select mixing a pipe) once on the kernel's sockets and once on
# lwnet's, against the same Linux peer at 192.0.2.1 (TCP echo on 7001,
# connect-back on 7005, UDP echo on 7004, a multicast and broadcast sender
# on UDP 7006; TCP 7002 and UDP 7003 closed; over IPv6 2001:db8::1, TCP echo
# on 7011, UDP echo on 7014), and every line of results (return values,
# errno names, option values, revents, addresses) must be the same, but for
# the differences conformance_differences.txt lists with their reasons
# (conformance_compare.py compares).
#   - the kernel's run: a second namespace with 192.0.2.2/24 and
#     2001:db8::2/64 on a veth to the peer's namespace (the TAP is down
#     meanwhile)
#   - lwnet's run: conformance_probe on the TAP lw0 as 192.0.2.2/24 and
#     2001:db8::2/64
# Its argument is the directory holding conformance_probe and
# conformance_probe_kernel.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init conformance "$@"
lwit_require socat ss
PROBES=$LWNET
for probe in conformance_probe conformance_probe_kernel; do
  [ -x "$PROBES/$probe" ] || lwit_fail "$PROBES/$probe is missing"
done
# Debian's python3 (not another one first on PATH).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || lwit_fail "$PYTHON is missing: run scripts/install-deps.sh"

# The kernel's side has a namespace of its own, removed with the test's.
KERNEL_NS="lwit-conformance_kernel-$$"
conformance_cleanup() {
  local status=$?
  set +e
  ip netns delete "$KERNEL_NS" 2>/dev/null
  (exit $status)  # lwit_cleanup reads the test's status from $?
  lwit_cleanup
}
trap conformance_cleanup EXIT

lwit_make_namespace
# Every closed port answers: no ICMP rate limit between the two runs.
lwit_ns sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0

# ---- The peer -----------------------------------------------------------------------
lwit_spawn socat TCP-LISTEN:7001,reuseaddr,fork EXEC:cat >"$LWIT_DIR/socat.out" 2>&1
lwit_spawn socat TCP6-LISTEN:7011,reuseaddr,fork EXEC:cat >"$LWIT_DIR/socat6.out" 2>&1
cat >"$LWIT_DIR/peer.py" <<'EOF'
import socket, threading

def udp_echo(family, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    while True:
        data, source = s.recvfrom(2048)
        s.sendto(data, source)

def connect_back(connection, source):
    with connection:
        line = b""
        while not line.endswith(b"\n"):
            piece = connection.recv(16)
            if not piece:
                return
            line += piece
        back = socket.create_connection((source[0], int(line)), timeout=5)
        back.sendall(b"hi")
        back.close()

def send_to_group():
    # "ADDRESS PORT": one datagram "to ADDRESS" sent there (a multicast
    # group, through the route to 224.0.0.0/4 that names the interface of
    # the run, or the subnet's broadcast address).
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 7006))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    while True:
        data, source = s.recvfrom(256)
        try:
            address, port = data.decode().split()
            s.sendto(("to " + address).encode(), (address, int(port)))
        except (OSError, ValueError) as e:
            print("send_to_group:", e, flush=True)

threading.Thread(target=udp_echo, args=(socket.AF_INET, 7004), daemon=True).start()
threading.Thread(target=send_to_group, daemon=True).start()
threading.Thread(target=udp_echo, args=(socket.AF_INET6, 7014), daemon=True).start()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 7005))
listener.listen(8)
print("ready", flush=True)
while True:
    connection, source = listener.accept()
    threading.Thread(target=connect_back, args=(connection, source), daemon=True).start()
EOF
lwit_spawn "$PYTHON" "$LWIT_DIR/peer.py" >"$LWIT_DIR/peer.out" 2>&1
peer_ready() { grep -qs '^ready' "$LWIT_DIR/peer.out" && lwit_listening 7001 && lwit_listening 7011; }
lwit_wait_until "the peer's services" 10 peer_ready

# run_probe NAME NAMESPACE: runs NAME in NAMESPACE (at most 60 s), output
# into $LWIT_DIR/NAME.out; it must exit 0.
run_probe() {
  local name=$1 namespace=$2 status=0
  LWNET_OUT="$LWIT_DIR/$name.out"
  LWNET_ERR="$LWIT_DIR/$name.err"
  ip netns exec "$namespace" timeout -k 5 60 "$PROBES/$name" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" \
    >"$LWNET_OUT" 2>"$LWNET_ERR" || status=$?
  lwit_check_sanitizer "$name" "$status"
  lwit_check_timeout "$name" "$status"
  lwit_expect_equal "$name's exit status" 0 "$status"
  lwit_expect "$name made every step" grep -q '^mixed pipe close: 0$' "$LWNET_OUT"
  lwit_log "$name: $(wc -l <"$LWNET_OUT") lines"
}

# ---- The kernel's sockets over a veth --------------------------------------------------
ip netns add "$KERNEL_NS"
ip -n "$LWIT_NS" link set "$LWIT_TAP" down
ip -n "$LWIT_NS" link add kv0 type veth peer name kv1 netns "$KERNEL_NS"
ip -n "$LWIT_NS" addr add "$LWIT_LINUX_IP/$LWIT_PREFIX" dev kv0
ip -n "$LWIT_NS" addr add 2001:db8::1/64 dev kv0 nodad
ip -n "$LWIT_NS" link set kv0 up
ip -n "$LWIT_NS" route add 224.0.0.0/4 dev kv0
ip -n "$KERNEL_NS" link set lo up
ip -n "$KERNEL_NS" addr add "$LWIT_LWNET_IP/$LWIT_PREFIX" dev kv1
ip -n "$KERNEL_NS" addr add 2001:db8::2/64 dev kv1 nodad
ip -n "$KERNEL_NS" link set kv1 up
run_probe conformance_probe_kernel "$KERNEL_NS"
# The peer's services worked (else equal results would prove nothing): the
# kernel's run got what each of them sends.
for line in 'recv 2: 2 "he"' 'accepted recv: 2 "hi"' 'udp recv MSG_TRUNC: 6' \
  'udp recv after port unreachable: -1 ECONNREFUSED' 'raw recvfrom: 34 version 4 header 20 type 0 payload "lwnet!"' \
  'v6 recv: 3 "six"' 'v6 udp recvfrom: 4' 'v6 raw recvfrom reply: 12 type 129 payload "six!"' \
  'group both joined: [0] 12 "to 239.1.2.3" from 192.0.2.1:7006 [1] 12 "to 239.1.2.3" from 192.0.2.1:7006 [2] -1 EAGAIN' \
  'group unicast: [0] -1 EAGAIN [1] -1 EAGAIN [2] 12 "to 192.0.2.2" from 192.0.2.1:7006'; do
  lwit_expect "the kernel's run has '$line'" grep -qxF "$line" "$LWIT_DIR/conformance_probe_kernel.out"
done
ip netns delete "$KERNEL_NS"
ip -n "$LWIT_NS" link del kv0 2>/dev/null || true
ip -n "$LWIT_NS" neigh flush all
ip -n "$LWIT_NS" addr add 2001:db8::1/64 dev "$LWIT_TAP" nodad
ip -n "$LWIT_NS" link set "$LWIT_TAP" up
ip -n "$LWIT_NS" route add 224.0.0.0/4 dev "$LWIT_TAP"

# ---- lwnet's sockets over the TAP -------------------------------------------------------
run_probe conformance_probe "$LWIT_NS"

if ! "$PYTHON" "$(dirname "${BASH_SOURCE[0]}")/conformance_compare.py" "$LWIT_DIR/conformance_probe_kernel.out" \
  "$LWIT_DIR/conformance_probe.out" "$(dirname "${BASH_SOURCE[0]}")/conformance_differences.txt" \
  >"$LWIT_DIR/compare.out"; then
  cat "$LWIT_DIR/compare.out" >&2
  lwit_fail "lwnet's sockets gave other results than the kernel's"
fi
lwit_log "$(tail -1 "$LWIT_DIR/compare.out")"
lwit_pass
