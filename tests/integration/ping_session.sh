#!/usr/bin/env bash
# ESP-IDF's ping session C API (esp_ping_*) on lwnet, run by
# ping_session_probe (its argument) on the TAP lw0 as 192.0.2.2/24 against
# the Linux side: three replies with Linux's TTL and the data size, the TOS
# given seen by Linux (tcpdump), then a silent address: two timeouts, the
# end callback, exit 1.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init ping_session "$@"
lwit_require tcpdump
PROBE=$LWNET

lwit_make_namespace

lwit_spawn tcpdump -n -i "$LWIT_TAP" -w "$LWIT_DIR/linux.pcap" -U icmp 2>"$LWIT_DIR/tcpdump.err"
TCPDUMP_PID=$LWIT_SPAWNED
tcpdump_ready() { grep -qs "listening on" "$LWIT_DIR/tcpdump.err"; }
lwit_wait_until "tcpdump listening" 10 tcpdump_ready

status=0
lwit_ns timeout -k 5 30 "$PROBE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$LWIT_LINUX_IP" 3 1000 184 \
  >"$LWIT_DIR/probe.out" 2>"$LWIT_DIR/probe.err" || status=$?
cat "$LWIT_DIR/probe.out" "$LWIT_DIR/probe.err"
lwit_expect_status "probe exit status" 0 "$status"
for seq in 1 2 3; do
  lwit_expect "reply seq=$seq" grep -qx "reply seq=$seq ttl=64 size=64 from=$LWIT_LINUX_IP" "$LWIT_DIR/probe.out"
done
lwit_expect "end line" grep -Eqx "end requests=3 replies=3 duration_ms=[0-9]+" "$LWIT_DIR/probe.out"

# tcpdump writes each packet as it takes it (-U); wait until it has taken
# all six before stopping it.
tos_requests() { lwit_count_frames "$LWIT_DIR/linux.pcap" "icmp.type == 8 && ip.dsfield == 0xb8 && ip.src == $LWIT_LWNET_IP"; }
all_captured() { [ "$(lwit_count_frames "$LWIT_DIR/linux.pcap" icmp)" -ge 6 ]; }
lwit_wait_until "tcpdump to write the six ICMP packets" 10 all_captured
kill -TERM "$TCPDUMP_PID"
wait "$TCPDUMP_PID" 2>/dev/null || true
lwit_expect_equal "echo requests with TOS 184 (0xb8) seen by Linux" 3 \
  "$(tos_requests)"

status=0
lwit_ns timeout -k 5 30 "$PROBE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" 192.0.2.99 2 300 0 \
  >"$LWIT_DIR/silent.out" 2>"$LWIT_DIR/silent.err" || status=$?
cat "$LWIT_DIR/silent.out"
lwit_expect_status "probe exit status without replies" 1 "$status"
lwit_expect "timeout seq=1" grep -qx "timeout seq=1" "$LWIT_DIR/silent.out"
lwit_expect "timeout seq=2" grep -qx "timeout seq=2" "$LWIT_DIR/silent.out"
lwit_expect "end line" grep -Eqx "end requests=2 replies=0 duration_ms=[0-9]+" "$LWIT_DIR/silent.out"
lwit_pass
