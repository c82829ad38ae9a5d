#!/usr/bin/env bash
# `lwnet serve --udp-echo 7` returns exactly the bytes it got: one datagram
# from `nc -u`, then datagrams of several sizes (fragmented ones included)
# from a Python client that compares every byte. --verbose logs each one.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init udp_echo "$@"
lwit_require nc python3

lwit_make_namespace
lwit_start_lwnet --verbose serve --udp-echo 7
lwit_expect "service line" grep -q "^lwnet: udp echo on port 7$" "$LWNET_OUT"

printf 'hello lwnet\n' >"$LWIT_DIR/sent"
lwit_ns nc -u -w 3 -W 1 "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" || true
lwit_expect "nc got the same 12 bytes back" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"
lwit_expect "--verbose logged the datagram" grep -q "^lwnet: udp echo: 12 bytes from $LWIT_LINUX_IP:[0-9]*$" "$LWNET_ERR"

lwit_ns python3 - "$LWIT_LWNET_IP" <<'PY' || lwit_fail "python UDP echo client"
import os, socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(3)
sock.bind(("0.0.0.0", 40007))
for size in (0, 1, 100, 1472, 1473, 4000, 8000):
    data = os.urandom(size)
    sock.sendto(data, (sys.argv[1], 7))
    back, peer = sock.recvfrom(65535)
    if back != data or peer != (sys.argv[1], 7):
        sys.exit(f"size {size}: got {len(back)} bytes from {peer}, not the {size} sent")
    print(f"udp echo: {size} bytes back intact")
PY

lwit_stop_lwnet
lwit_expect_equal "udp.rx_delivered" 8 "$(lwit_counter udp.rx_delivered)"
lwit_expect_equal "udp.tx" 8 "$(lwit_counter udp.tx)"

capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "echo datagrams lwnet sent (capture)" 8 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && udp.srcport == 7 && !icmp")"
lwit_check_capture
lwit_pass
