#!/usr/bin/env bash
# `lwnet --spin`: after a pass the loop keeps looking at the TAP before it
# sleeps, so a frame that comes within the spin is taken without the thread
# having slept. Shown by the kernel's count of the process's sleeps
# (voluntary_ctxt_switches in /proc/PID/status) while pinged every 2 ms:
# with --spin 0 it sleeps at least once per echo request; with --spin 10000
# (each next request comes well within 10 ms) it sleeps at most half as
# often. Every request is still answered, an idle spinning lwnet still lets
# the CPU rest (the spin stops by itself once frames stop coming), and a
# spin above 10000 us is refused as a usage error.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init spin "$@"
lwit_require ping

lwit_make_namespace

sleeps() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$LWNET_PID/status"; }
requests=200

# pinged SPIN: starts lwnet serve with --spin SPIN, pings it $requests times
# every 2 ms, stops it; SLEPT is how often it slept meanwhile.
pinged() {
  lwit_start_lwnet --spin "$1" serve
  # ARP resolved and the first wake-ups done before counting.
  lwit_ns ping -c 2 -i 0.2 -W 2 "$LWIT_LWNET_IP" >/dev/null || lwit_fail "--spin $1: no answer to ping"
  local before out
  before=$(sleeps)
  out=$(lwit_ns ping -q -c "$requests" -i 0.002 -W 2 "$LWIT_LWNET_IP") || lwit_fail "--spin $1: ping failed: $out"
  SLEPT=$(($(sleeps) - before))
  lwit_expect "--spin $1: every request answered" \
    grep -q "^$requests packets transmitted, $requests received, 0% packet loss" <<<"$out"
  lwit_log "--spin $1: slept $SLEPT times during $requests echo requests"
}

pinged 0
without_spin=$SLEPT
lwit_stop_lwnet
lwit_expect "--spin 0 sleeps between echo requests ($without_spin sleeps for $requests)" \
  test "$without_spin" -ge $((requests * 3 / 4))

pinged 10000
with_spin=$SLEPT
lwit_expect "--spin 10000 takes most requests without sleeping ($with_spin sleeps against $without_spin)" \
  test $((with_spin * 2)) -le "$without_spin"
# Idle: after a few spins that found nothing it only looks once before
# sleeping, so an idle second takes next to no CPU (busy_poll.sh: at least a
# fifth of a core when it never sleeps).
sleep 0.5
read -r ticks hz < <(lwit_idle_second_ticks)
lwit_log "--spin 10000, idle second: $ticks of $hz ticks"
lwit_expect "an idle lwnet --spin 10000 lets the CPU rest ($ticks ticks of $hz)" \
  test "$ticks" -lt $((hz / 10))
lwit_stop_lwnet
lwit_expect_equal "icmp.tx_echo_reply" $((requests + 2)) "$(lwit_counter icmp.tx_echo_reply)"
lwit_check_capture

lwit_run_lwnet --spin 10001 serve
lwit_expect_status "--spin 10001 is a usage error" 2 "$LWNET_STATUS"
lwit_expect "the error names --spin" grep -q -- "--spin" "$LWNET_ERR"
lwit_pass
