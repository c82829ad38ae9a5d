#!/usr/bin/env bash
# Four TCP services in one `lwnet serve`, used over connections that are all
# open at the same time: chargen (RFC 864 lines checked character by
# character), source (zeros until we close; it never reads), echo and discard.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_services "$@"
lwit_require python3

lwit_make_namespace
lwit_start_lwnet serve --chargen 19 --source 5555 --echo 7 --discard 9
for service in "chargen on port 19" "source on port 5555" "echo on port 7" "discard on port 9"; do
  lwit_expect "service line: $service" grep -q "^lwnet: tcp $service$" "$LWNET_OUT"
done

lwit_ns python3 - "$LWIT_LWNET_IP" <<'PY' || lwit_fail "services used together"
import os, socket, sys
host = sys.argv[1]
def connect(port):
    return socket.create_connection((host, port), timeout=10)
chargen, source, echo, discard = connect(19), connect(5555), connect(7), connect(9)

def read_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(min(65536, n - len(data)))
        if not chunk:
            sys.exit(f"end of stream after {len(data)} of {n} bytes")
        data += chunk
    return bytes(data)

printable = bytes(range(32, 127))
got_chargen, got_source, sent = b"", 0, 0
for round in range(40):
    got_chargen += read_exactly(chargen, 1850)       # 25 lines of 74
    if read_exactly(source, 25000).count(0) != 25000:
        sys.exit(f"round {round}: source sent a non-zero byte")
    got_source += 25000
    data = os.urandom(5000)
    echo.sendall(data)
    if read_exactly(echo, len(data)) != data:
        sys.exit(f"round {round}: echo differs")
    discard.sendall(os.urandom(5000))
    sent += 5000
for n in range(len(got_chargen) // 74):
    line = got_chargen[74 * n: 74 * (n + 1)]
    want = bytes(printable[(n + i) % 95] for i in range(72)) + b"\r\n"
    if line != want:
        sys.exit(f"chargen line {n}: {line!r}, expected {want!r}")
print(f"chargen: {len(got_chargen) // 74} lines exact; source: {got_source} zeros; echo and discard: {sent} bytes each")
for s in (chargen, source, echo, discard):
    s.close()
PY

# Python closed chargen and source (unread data: an RST each) before echo and
# discard, so once lwnet answered echo's and discard's FINs with its own
# (TIME-WAIT), it had read those RSTs too: the TAP keeps Linux's order.
lwit_wait_time_wait 9
lwit_wait_time_wait 7
lwit_wait_all_closed 19
lwit_wait_all_closed 5555
lwit_stop_lwnet
for service in chargen source echo discard; do
  lwit_expect_equal "$service.connections" 1 "$(lwit_counter "$service.connections")"
  lwit_expect_equal "$service.open" 0 "$(lwit_counter "$service.open")"
done
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"
lwit_expect_equal "discard.failed" 0 "$(lwit_counter discard.failed)"
lwit_expect_equal "discard.bytes_received" 200000 "$(lwit_counter discard.bytes_received)"
lwit_expect_equal "echo.bytes_sent" 200000 "$(lwit_counter echo.bytes_sent)"
lwit_expect "source sent at least what Linux read" test "$(lwit_counter source.bytes_sent)" -ge 1000000
lwit_expect "chargen sent at least what Linux read" test "$(lwit_counter chargen.bytes_sent)" -ge 74000
lwit_check_capture
lwit_pass
