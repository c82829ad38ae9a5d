#!/usr/bin/env bash
# `lwnet ping` to Linux: three replies printed like iputils, exit 0. The first
# request waits in the stack for ARP. Then a silent address: no reply, exit 1.
# Then without -c until SIGINT: statistics and exit 0.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init lwnet_ping "$@"

lwit_make_namespace

lwit_run_lwnet ping -c 3 -i 0.2 "$LWIT_LINUX_IP"
cat "$LWNET_OUT"
lwit_expect_status "exit status" 0 "$LWNET_STATUS"
lwit_expect "header line" grep -q "^PING $LWIT_LINUX_IP ($LWIT_LINUX_IP) 56(84) bytes of data\.$" "$LWNET_OUT"
for seq in 1 2 3; do
  lwit_expect "reply icmp_seq=$seq" grep -Eq "^64 bytes from $LWIT_LINUX_IP: icmp_seq=$seq ttl=64 time=[0-9.]+ ms$" "$LWNET_OUT"
done
lwit_expect_equal "reply lines" 3 "$(grep -c " bytes from " "$LWNET_OUT")"
lwit_expect "statistics header" grep -q "^--- $LWIT_LINUX_IP ping statistics ---$" "$LWNET_OUT"
lwit_expect "3 transmitted, 3 received" grep -Eq "^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$" "$LWNET_OUT"
lwit_expect "rtt line" grep -Eq "^rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms$" "$LWNET_OUT"
lwit_expect_equal "requests lwnet sent (capture)" 3 \
  "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && icmp.type == 8 && ip.dst == $LWIT_LINUX_IP")"

lwit_run_lwnet ping -c 2 -i 0.2 -W 1 192.0.2.99
cat "$LWNET_OUT"
lwit_expect_status "exit status with no reply" 1 "$LWNET_STATUS"
lwit_expect "2 transmitted, 0 received" grep -q "^2 packets transmitted, 0 received, 100% packet loss" "$LWNET_OUT"
lwit_expect "no rtt line without replies" bash -c "! grep -q '^rtt' '$LWNET_OUT'"

# No -c: pings until SIGINT, then prints the statistics like iputils.
LWNET_OUT="$LWIT_DIR/until-sigint.out"
LWNET_ERR="$LWIT_DIR/until-sigint.err"
lwit_spawn "$LWNET" --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" \
  ping -i 0.2 "$LWIT_LINUX_IP" >"$LWNET_OUT" 2>"$LWNET_ERR"
LWNET_PID=$LWIT_SPAWNED
lwit_wait_until "3 reply lines from lwnet ping" 10 lwit_lines_at_least "$LWNET_OUT" " bytes from " 3
lwit_stop_lwnet INT
cat "$LWNET_OUT"
replies=$(grep -c " bytes from " "$LWNET_OUT")
lwit_expect "at least 3 replies before SIGINT" test "$replies" -ge 3
lwit_expect "statistics after SIGINT" grep -Eq "^[0-9]+ packets transmitted, $replies received" "$LWNET_OUT"

lwit_check_capture
lwit_pass
