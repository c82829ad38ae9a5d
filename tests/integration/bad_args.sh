#!/usr/bin/env bash
# Wrong arguments: exit status 2, exactly one line on stderr, nothing on
# stdout, and no TAP touched. What the OS refuses: exit 1, one line.
# --help: exit 0 and every option explained.
# Every lwnet runs inside the test's namespace (a mistake in argument parsing
# cannot reach the host's network) and under `timeout`.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init bad_args "$@"
lwit_make_namespace

# run_lwnet ARGS...: lwnet ARGS in the namespace, stdout and stderr into
# $LWIT_DIR/out and err, exit status into status. A sanitizer report or the
# timeout fails the test.
run_lwnet() {
  set +e
  lwit_ns timeout -k 5 20 "$LWNET" "$@" >"$LWIT_DIR/out" 2>"$LWIT_DIR/err"
  status=$?
  set -e
  if [ "$status" -eq "$LWIT_SANITIZER_STATUS" ]; then
    cat "$LWIT_DIR/err" >&2
  fi
  lwit_check_sanitizer "lwnet $*" "$status"
  lwit_check_timeout "lwnet $*" "$status"
}

good=(--tap lw0 --ip 192.0.2.2/24)
check_bad() {
  local what=$1
  shift
  run_lwnet "$@"
  local lines
  lines=$(wc -l <"$LWIT_DIR/err")
  if [ $status -ne 2 ] || [ "$lines" -ne 1 ] || [ -s "$LWIT_DIR/out" ]; then
    echo "stdout:"; cat "$LWIT_DIR/out"; echo "stderr:"; cat "$LWIT_DIR/err"
    lwit_fail "$what (lwnet $*): status $status, $lines stderr lines; want 2 and 1 line, empty stdout"
  fi
  lwit_log "ok: $what -> $(cat "$LWIT_DIR/err")"
}

check_bad "unknown option" "${good[@]}" --bogus serve
check_bad "unknown subcommand" "${good[@]}" fly
check_bad "no subcommand" "${good[@]}"
check_bad "bad address" --tap lw0 --ip 192.0.2.300/24 serve
check_bad "address without prefix" --tap lw0 --ip 192.0.2.2 serve
check_bad "prefix too long" --tap lw0 --ip 192.0.2.2/33 serve
check_bad "bad MAC" "${good[@]}" --mac 02:00:00:zz:00:01 serve
check_bad "multicast MAC" "${good[@]}" --mac 01:00:5e:00:00:01 serve
check_bad "MTU not a number" "${good[@]}" --mtu lots serve
check_bad "MTU too small" "${good[@]}" --mtu 10 serve
check_bad "gateway outside the prefix" "${good[@]}" --gw 198.51.100.1 serve
check_bad "missing --tap" --ip 192.0.2.2/24 serve
check_bad "missing --ip" --tap lw0 serve
check_bad "device name too long" --tap abcdefghijklmnopq --ip 192.0.2.2/24 serve
check_bad "udp echo port 0" "${good[@]}" serve --udp-echo 0
check_bad "udp echo port too big" "${good[@]}" serve --udp-echo 70000
check_bad "ping without host" "${good[@]}" ping
check_bad "ping host not an address" "${good[@]}" ping not-an-address
check_bad "ping count not a number" "${good[@]}" ping -c many 192.0.2.1
check_bad "ping count zero" "${good[@]}" ping -c 0 192.0.2.1
check_bad "ping size too big" "${good[@]}" ping -s 70000 192.0.2.1
check_bad "ping interval negative" "${good[@]}" ping -i -1 192.0.2.1
check_bad "ping two hosts" "${good[@]}" ping 192.0.2.1 192.0.2.3
# None of them wrote a frame to the namespace's lw0 (Linux counts what lwnet
# writes to the TAP as received).
lwit_expect_equal "frames written to $LWIT_TAP by the refused runs" 0 \
  "$(lwit_ns cat "/sys/class/net/$LWIT_TAP/statistics/rx_packets")"

# The OS refuses (not a usage error): exit status 1, one line naming the option.
check_refused() {
  local what=$1 expected=$2
  shift 2
  run_lwnet "$@"
  local lines
  lines=$(wc -l <"$LWIT_DIR/err")
  if [ $status -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$expected" "$LWIT_DIR/err"; then
    echo "stderr:"; cat "$LWIT_DIR/err"
    lwit_fail "$what (lwnet $*): status $status, $lines stderr lines; want 1 and one line with '$expected'"
  fi
  lwit_log "ok: $what -> $(cat "$LWIT_DIR/err")"
}
check_refused "a device that is not a TAP" "^lwnet: --tap lo: " --tap lo --ip 192.0.2.2/24 serve
check_refused "a capture file that cannot be created" "^lwnet: --pcap /nonexistent/x.pcap: " \
  --tap lw0 --ip 192.0.2.2/24 --pcap /nonexistent/x.pcap serve

# Help: exit 0, on stdout, and it names every option.
run_lwnet --help
lwit_expect_status "lwnet --help exit status" 0 "$status"
for word in serve ping --tap --mac --mtu --ip --gw --pcap --verbose "Exit status"; do
  lwit_expect "lwnet --help mentions $word" grep -q -- "$word" "$LWIT_DIR/out"
done
run_lwnet serve --help
lwit_expect_status "lwnet serve --help exit status" 0 "$status"
lwit_expect "serve --help mentions --udp-echo" grep -q -- "--udp-echo" "$LWIT_DIR/out"
run_lwnet ping --help
lwit_expect_status "lwnet ping --help exit status" 0 "$status"
for word in HOST --count --interval --size --timeout; do
  lwit_expect "ping --help mentions $word" grep -q -- "$word" "$LWIT_DIR/out"
done
lwit_pass
