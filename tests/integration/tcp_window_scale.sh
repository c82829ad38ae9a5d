#!/usr/bin/env bash
# RFC 7323 window scaling against Linux, with an lwnet built to offer windows
# over 64 KiB (the host preset, src/config/presets/host.h; CMake passes that
# build's binary).
# Linux sends 4 MiB to `lwnet serve --echo 7` with nc and gets them back
# byte-exact; lwnet's capture must show:
#  - Linux's SYN and lwnet's SYN-ACK both carrying the window scale option,
#    lwnet's shift the one its configuration implies;
#  - lwnet advertising windows over 65535 bytes (tshark applies the shifts
#    it saw in the SYNs), each a whole number of 2^shift units;
#  - Linux taking them: ss shows it applies lwnet's shift and holds a send
#    window over 65535 bytes.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_window_scale "$@"
lwit_require nc cmp head awk sort

# The shift lwnet must announce: the smallest that lets 16 bits say its
# window cap, and at least CONFIG_LWIP_TCP_RCV_SCALE (RFC 7323 2.3).
config="$(dirname "${BASH_SOURCE[0]}")/../../src/config/presets/host.h"
config_value() { awk -v name="$1" '$1 == "#define" && $2 == name { print $3 }' "$config"; }
window_cap=$(config_value CONFIG_LWNET_TCP_WND_MAX)
window_default=$(config_value CONFIG_LWIP_TCP_WND_DEFAULT)
minimum_scale=$(config_value CONFIG_LWIP_TCP_RCV_SCALE)
[ -n "$window_cap" ] && [ -n "$window_default" ] && [ -n "$minimum_scale" ] ||
  lwit_fail "cannot read the window settings from $config"
[ "$(config_value CONFIG_LWIP_WND_SCALE)" = 1 ] || lwit_fail "$config does not turn window scaling on"
[ "$window_default" -gt 65535 ] || lwit_fail "$config: the default window must exceed 65535 bytes"
expected_shift=0
while [ $expected_shift -lt 14 ] && [ $((window_cap >> expected_shift)) -gt 65535 ]; do
  expected_shift=$((expected_shift + 1))
done
[ "$expected_shift" -ge "$minimum_scale" ] || expected_shift=$minimum_scale
lwit_log "lwnet's window: $window_default bytes, cap $window_cap: window scale shift $expected_shift"

lwit_make_namespace
lwit_expect_equal "Linux offers window scaling" 1 "$(lwit_ns sysctl -n net.ipv4.tcp_window_scaling)"
lwit_start_lwnet serve --echo 7

size=4194304
head -c $size /dev/urandom >"$LWIT_DIR/sent"
# nc reads a FIFO the test holds open, so that the connection outlives the
# data: Linux's view of it (ss) is read before nc ends it (-N: FIN at EOF).
# (Opened read-write first: opening a FIFO for reading alone would wait for
# a writer; nc does not inherit the test's end.)
mkfifo "$LWIT_DIR/to_nc"
exec 3<>"$LWIT_DIR/to_nc"
lwit_spawn timeout 60 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/to_nc" >"$LWIT_DIR/received" 3>&-
nc_pid=$LWIT_SPAWNED
cat "$LWIT_DIR/sent" >&3
# ss -i: "wscale:SND,RCV" (SND: the shift lwnet announced, which Linux
# applies to lwnet's windows) and "snd_wnd:N" (lwnet's last window, scaled).
linux_view=""
largest_send_window=0
for _ in $(seq 100); do
  linux_view=$(lwit_ns ss -tinH state established "( dport = :7 )" 2>/dev/null | tr -s ' \t\n' ' ')
  send_window=$(echo "$linux_view" | grep -o 'snd_wnd:[0-9]*' | cut -d: -f2)
  [ "${send_window:-0}" -le "$largest_send_window" ] || largest_send_window=$send_window
  [ "$largest_send_window" -le 65535 ] || break
  sleep 0.1
done
exec 3>&-
wait "$nc_pid" || lwit_fail "nc to the echo service failed"
lwit_expect "Linux applies lwnet's shift: ss shows wscale:$expected_shift,N ($linux_view)" \
  grep -q "wscale:$expected_shift," <<<"$linux_view"
lwit_expect "Linux holds a send window over 65535 bytes from lwnet (largest: $largest_send_window)" \
  test "$largest_send_window" -gt 65535
lwit_expect_equal "bytes echoed" $size "$(stat -c %s "$LWIT_DIR/received")"
lwit_expect "the echo is byte-exact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"

lwit_stop_lwnet
lwit_expect_equal "echo.connections" 1 "$(lwit_counter echo.connections)"
lwit_expect_equal "echo.bytes_received" $size "$(lwit_counter echo.bytes_received)"
lwit_expect_equal "echo.bytes_sent" $size "$(lwit_counter echo.bytes_sent)"
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"

capture=${LWIT_CAPTURES[0]}
# fields CAPTURE FILTER FIELD: one value per matching frame.
fields() { lwit_tshark -r "$1" -Y "$2" -T fields -e "$3" 2>/dev/null; }
linux_syn="eth.dst == $LWIT_MAC && tcp.flags.syn == 1 && tcp.flags.ack == 0"
lwnet_synack="eth.src == $LWIT_MAC && tcp.flags.syn == 1 && tcp.flags.ack == 1"
lwit_expect_equal "SYNs from Linux" 1 "$(lwit_count_frames "$capture" "$linux_syn")"
lwit_expect_equal "SYN-ACKs from lwnet" 1 "$(lwit_count_frames "$capture" "$lwnet_synack")"
linux_shift=$(fields "$capture" "$linux_syn" tcp.options.wscale.shift)
lwnet_shift=$(fields "$capture" "$lwnet_synack" tcp.options.wscale.shift)
lwit_expect "Linux's SYN carries a window scale option (shift '$linux_shift')" \
  test -n "$linux_shift"
lwit_expect_equal "the shift in lwnet's SYN-ACK" "$expected_shift" "$lwnet_shift"
# The window field of a SYN is never scaled (RFC 7323 2.2).
lwit_expect_equal "the window of lwnet's SYN-ACK" 65535 "$(fields "$capture" "$lwnet_synack" tcp.window_size_value)"

lwnet_segments="eth.src == $LWIT_MAC && tcp.flags.syn == 0 && tcp.flags.reset == 0"
largest_window=$(fields "$capture" "$lwnet_segments" tcp.window_size | sort -n | tail -1)
lwit_expect "lwnet advertised a window over 65535 bytes (largest: ${largest_window:-none})" \
  test "${largest_window:-0}" -gt 65535
lwit_expect "no window lwnet advertised exceeds its buffer ($window_default)" \
  test "$largest_window" -le "$window_default"
lwit_expect "tshark scaled lwnet's windows by 2^$expected_shift" \
  test "$(fields "$capture" "$lwnet_segments" tcp.window_size_scalefactor | sort -u)" = "$((1 << expected_shift))"
lwit_expect_equal "RSTs in the capture" 0 "$(lwit_count_frames "$capture" "tcp.flags.reset == 1")"
lwit_check_capture
lwit_pass
