#!/usr/bin/env bash
# A sanitizer report cannot pass for an exit status a test expects: with the
# Debug build's flags (-fno-sanitize-recover=all) and the options lib.sh and
# CTest set, ASan, UBSan and LSan reports end a process with status 86, and
# lib.sh's helpers (lwit_run_lwnet, lwit_expect_status, lwit_stop_lwnet,
# lwit_start_lwnet) fail the test naming a "sanitizer report" where a test
# expecting status 1 would otherwise have passed. The reports come from
# lwnet_sanitizer_probe (sanitizer_probe.cpp), a test-only program run in
# lwnet's place.
# Usage: sanitizer_exit.sh LWNET PROBE
# (SC2016: the helpers' code given in single quotes expands in a subshell.)
# shellcheck disable=SC2016
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init sanitizer_exit "$1"
probe=${2:-}
[ -x "$probe" ] || lwit_fail "usage: $0 LWNET PROBE (the probe '$probe' is not executable: build lwnet_sanitizer_probe)"

lwit_make_namespace

# The sanitizers themselves: each report, status 86.
declare -A report=([asan]="ERROR: AddressSanitizer: heap-buffer-overflow"
                   [ubsan]="runtime error: signed integer overflow"
                   [leak]="ERROR: LeakSanitizer: detected memory leaks")
for mode in asan ubsan leak; do
  set +e
  lwit_ns timeout 30 "$probe" "$mode" >"$LWIT_DIR/$mode.out" 2>"$LWIT_DIR/$mode.err"
  status=$?
  set -e
  lwit_expect "$mode: the report is on stderr ('${report[$mode]}')" grep -q "${report[$mode]}" "$LWIT_DIR/$mode.err"
  lwit_expect_equal "$mode: exit status" "$LWIT_SANITIZER_STATUS" "$status"
done
lwit_expect "UBSan prints a stack trace (print_stacktrace=1)" grep -q "#0 " "$LWIT_DIR/ubsan.err"
lwit_ns "$probe" exit1 && status=0 || status=$?
lwit_expect_status "without a report the probe exits 1" 1 "$status"

# lib.sh's helpers, each in a subshell (it exits on a failure; the EXIT trap
# is not inherited, so the test's namespace stays): every one must fail, and
# say why.
# expect_helper_fails DESCRIPTION SHELL_CODE (single-quoted below: it
# expands in the subshell)
expect_helper_fails() {
  local what=$1 code=$2 status
  set +e
  (eval "$code") >"$LWIT_DIR/helper.out" 2>"$LWIT_DIR/helper.err"
  status=$?
  set -e
  if [ "$status" -eq 0 ]; then
    cat "$LWIT_DIR/helper.out" "$LWIT_DIR/helper.err"
    lwit_fail "$what: the helper passed"
  fi
  grep -q "FAIL: .*sanitizer report (exit status $LWIT_SANITIZER_STATUS)" "$LWIT_DIR/helper.err" || {
    cat "$LWIT_DIR/helper.err"
    lwit_fail "$what: the helper failed without naming the sanitizer report"
  }
  lwit_log "ok: $what -> $(grep FAIL "$LWIT_DIR/helper.err")"
}

for mode in asan ubsan leak; do
  expect_helper_fails "lwit_run_lwnet on a $mode report" \
    'LWNET=$probe; lwit_run_lwnet '"$mode"'; lwit_expect_status "exit status" 1 "$LWNET_STATUS"'
done
expect_helper_fails "lwit_expect_status 1 given 86" \
  'lwit_expect_status "exit status" 1 '"$LWIT_SANITIZER_STATUS"
expect_helper_fails "lwit_stop_lwnet on a report after SIGTERM" '
  "$probe" term-ubsan >"$LWIT_DIR/term.out" 2>"$LWIT_DIR/term.err" &
  LWNET_PID=$!
  lwit_wait_until "the probe ready for SIGTERM" 10 grep -qx ready "$LWIT_DIR/term.out"
  lwit_stop_lwnet TERM'
expect_helper_fails "lwit_start_lwnet on a report before the interface is up" \
  'LWNET=$probe; lwit_start_lwnet ubsan'

# The same helpers pass the status the probe gives without a report.
(LWNET=$probe; lwit_run_lwnet exit1; lwit_expect_status "exit status" 1 "$LWNET_STATUS") ||
  lwit_fail "lwit_run_lwnet + lwit_expect_status 1 on a plain exit 1"
lwit_pass
