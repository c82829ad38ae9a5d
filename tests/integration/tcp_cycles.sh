#!/usr/bin/env bash
# 1000 connect/send/receive/close cycles from Linux to `lwnet serve --echo 7`,
# one after the other, then proof that no connection slot leaked: all
# CONFIG_LWIP_MAX_ACTIVE_TCP (16) slots can be held open at once, and the
# 17th connection is refused (RST, counted as tcp_table.drop_no_slot).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_cycles "$@"
lwit_require python3

max_active_tcp=16  # CONFIG_LWIP_MAX_ACTIVE_TCP of the default configuration

lwit_make_namespace
lwit_start_lwnet serve --echo 7

lwit_ns python3 - "$LWIT_LWNET_IP" <<'PY' || lwit_fail "1000 echo cycles"
import os, socket, sys
host = sys.argv[1]
for i in range(1000):
    data = os.urandom(1 + i % 200)
    with socket.create_connection((host, 7), timeout=5) as s:
        s.sendall(data)
        back = b""
        while len(back) < len(data):
            chunk = s.recv(4096)
            if not chunk:
                sys.exit(f"cycle {i}: connection closed after {len(back)} of {len(data)} bytes")
            back += chunk
        if back != data:
            sys.exit(f"cycle {i}: echo differs")
print("1000 cycles: every echo intact")
PY

# The last connection's final ACK: Linux has sent it into the TAP once no
# connection is left but in TIME-WAIT, so lwnet reads it (and frees the slot)
# before the next SYN.
lwit_wait_all_closed 7
lwit_ns python3 - "$LWIT_LWNET_IP" "$max_active_tcp" <<'PY' || lwit_fail "all slots at once"
import socket, sys
host, slots = sys.argv[1], int(sys.argv[2])
held = []
for i in range(slots):
    try:
        held.append(socket.create_connection((host, 7), timeout=5))
    except OSError as e:
        sys.exit(f"connection {i + 1} of {slots} held at once: {e}")
for i, s in enumerate(held):
    s.sendall(b"slot %d\n" % i)
    if s.recv(100) != b"slot %d\n" % i:
        sys.exit(f"connection {i} of {slots} held at once: no echo")
print(f"{slots} connections open at once, each echoes")
try:
    extra = socket.create_connection((host, 7), timeout=5)
    sys.exit(f"connection {slots + 1} was accepted: the table has more slots than expected")
except ConnectionRefusedError:
    print(f"connection {slots + 1}: refused, the table is full")
for s in held:
    s.close()
PY

# lwnet closed all 16 (Linux closed first), and read every final ACK before
# the SIGTERM comes.
lwit_wait_all_closed 7
lwit_stop_lwnet
lwit_expect_equal "echo.connections" $((1000 + max_active_tcp)) "$(lwit_counter echo.connections)"
lwit_expect_equal "tcp_table.connections_accepted" $((1000 + max_active_tcp)) "$(lwit_counter tcp_table.connections_accepted)"
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"
lwit_expect_equal "echo.open (connections lwnet still held at exit)" 0 "$(lwit_counter echo.open)"
lwit_expect_equal "tcp_table.drop_no_slot (only the 17th)" 1 "$(lwit_counter tcp_table.drop_no_slot)"
lwit_check_capture
lwit_pass
