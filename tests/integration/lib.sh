# shellcheck shell=bash
# Shared setup and checks of the integration tests. Sourced by each test:
#
#   source "$(dirname "$0")/lib.sh"
#   lwit_init udp_echo "$@"        # $1 of the test: the lwnet binary
#   lwit_make_namespace            # namespace + TAP lw0, Linux 192.0.2.1/24 on it
#   lwit_start_lwnet serve --udp-echo 7
#   ... lwit_ns <linux command> ..., lwit_expect ...
#   lwit_stop_lwnet                # SIGTERM, must exit 0 (no ASan/UBSan/LSan report)
#   lwit_check_capture             # tshark: nothing lwnet sent is malformed
#   lwit_pass
#
# Everything a test creates (namespace, TAP inside it, processes, files) is
# removed by the EXIT trap, also when the test fails or is interrupted
# (LWIT_KEEP=1 in the environment keeps the files: outputs and captures in
# /tmp/lwit-NAME-PID.*, for a look after a run by hand).
# Processes are killed by the PID the test recorded, never by name.
# Only 192.0.2.0/24 is used (RFC 5737 documentation addresses).
#
# Tests wait for conditions (lwit_wait_until), never for a fixed time.
# A sanitizer report makes lwnet exit with LWIT_SANITIZER_STATUS (86, set
# below for a test run by hand as well as under ctest): every helper that
# looks at an exit status fails the test on it, naming the report.

set -euo pipefail

# The exit status of a sanitizer report: distinct from lwnet's own 0, 1 and 2,
# so that a test expecting status 1 cannot pass on a report. Keep in step with
# LWNET_SANITIZER_EXIT_CODE in cmake/Sanitizers.cmake. Appended to what the
# caller set, so these win (the last occurrence of an option counts).
LWIT_SANITIZER_STATUS=86
lwit_sanitizer_options="exitcode=$LWIT_SANITIZER_STATUS:halt_on_error=1:abort_on_error=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$lwit_sanitizer_options"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}$lwit_sanitizer_options:print_stacktrace=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=$LWIT_SANITIZER_STATUS"
unset lwit_sanitizer_options

LWIT_LINUX_IP=192.0.2.1
LWIT_LWNET_IP=192.0.2.2
LWIT_PREFIX=24
LWIT_TAP=lw0
LWIT_MAC=02:00:00:00:00:02  # lwnet's default --mac; set it when a test gives --mac
# The address options lwit_start_lwnet and lwit_run_lwnet give lwnet; empty:
# --ip $LWIT_LWNET_IP/$LWIT_PREFIX (as the test set them when it starts
# lwnet). An IPv6-only lwnet gets --ip6 instead.
LWIT_ADDRESS_OPTIONS=()

LWIT_NAME=""
LWIT_NS=""
LWIT_DIR=""
LWIT_PIDS=()         # every background process the test started
LWNET_PID=""         # the lwnet currently running, if any
LWNET_OUT=""         # its stdout
LWNET_ERR=""         # its stderr
LWNET_STATUS=""      # its exit status after lwit_stop_lwnet / lwit_run_lwnet
LWIT_CAPTURES=()     # pcap files lwnet wrote, checked by lwit_check_capture

lwit_log() { echo "[$LWIT_NAME] $*"; }

lwit_fail() {
  echo "[$LWIT_NAME] FAIL: $*" >&2
  exit 1
}

# lwit_init NAME LWNET_BINARY
lwit_init() {
  LWIT_NAME=$1
  LWNET=${2:-}
  [ -n "$LWNET" ] || lwit_fail "usage: $0 PATH_TO_LWNET"
  [ -x "$LWNET" ] || lwit_fail "lwnet binary '$LWNET' is not executable"
  [ "$(id -u)" -eq 0 ] || lwit_fail "must run as root (creates network namespaces and TAP devices)"
  local tool
  for tool in ip tshark; do
    command -v "$tool" >/dev/null || lwit_fail "'$tool' is missing: run scripts/install-deps.sh"
  done
  lwit_remove_stale
  # The PID of this shell in the names lets a later run tell what a killed
  # run left behind (lwit_remove_stale).
  LWIT_NS="lwit-$LWIT_NAME-$$"
  trap lwit_cleanup EXIT
  trap 'lwit_log "interrupted"; exit 130' INT TERM
  LWIT_DIR=$(mktemp -d "/tmp/lwit-$LWIT_NAME-$$.XXXXXX")
}

# Removes what an earlier run that was killed too hard to clean up (SIGKILL,
# a ctest timeout) left: namespaces lwit-NAME-PID and directories
# /tmp/lwit-NAME-PID.XXXXXX whose PID is no longer alive, with the processes
# still inside such a namespace (found by namespace, not by name). A test
# running at the same time is alive, so its namespace and files stay.
lwit_remove_stale() {
  local name pid
  for name in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^lwit-[A-Za-z0-9_]+-[0-9]+$'); do
    pid=${name##*-}
    kill -0 "$pid" 2>/dev/null && continue
    echo "lwit: removing namespace $name left by a run that is gone (pid $pid)" >&2
    local inside
    for inside in $(ip netns pids "$name" 2>/dev/null); do
      kill -KILL "$inside" 2>/dev/null || true
    done
    ip netns delete "$name" 2>/dev/null || true
  done
  local dir
  for dir in /tmp/lwit-*-*.??????; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    name=${name%.*}
    pid=${name##*-}
    [[ $pid =~ ^[0-9]+$ ]] || continue
    kill -0 "$pid" 2>/dev/null && continue
    rm -rf "$dir"
  done
}

lwit_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || lwit_fail "'$tool' is missing: run scripts/install-deps.sh"
  done
}

lwit_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  local pid
  for pid in "${LWIT_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      # Give it up to a second to write its capture, then insist.
      lwit_poll 1 lwit_gone "$pid" || kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  if [ $status -ne 0 ] && [ -n "$LWNET_OUT" ]; then
    echo "---- lwnet stdout ($LWNET_OUT) ----" >&2
    cat "$LWNET_OUT" >&2 2>/dev/null
    echo "---- lwnet stderr ----" >&2
    cat "$LWNET_ERR" >&2 2>/dev/null
    local capture
    for capture in "${LWIT_CAPTURES[@]}"; do
      echo "---- capture $capture ----" >&2
      tshark -r "$capture" 2>&1 | head -50 >&2
    done
  fi
  if [ -n "$LWIT_NS" ] && ip netns list | awk '{ print $1 }' | grep -qxF "$LWIT_NS"; then
    # Deleting the namespace deletes the TAP inside it.
    ip netns delete "$LWIT_NS"
  fi
  [ -n "$LWIT_DIR" ] && [ -z "${LWIT_KEEP:-}" ] && rm -rf "$LWIT_DIR"
  if [ $status -eq 0 ]; then
    return 0
  fi
  echo "[$LWIT_NAME] failed (status $status)" >&2
  exit $status
}

# A namespace with a TAP named lw0: Linux has 192.0.2.1/24 on it, lwnet will
# attach to it and be 192.0.2.2/24.
lwit_make_namespace() {
  ip netns add "$LWIT_NS"
  ip -n "$LWIT_NS" link set lo up
  ip -n "$LWIT_NS" tuntap add dev "$LWIT_TAP" mode tap
  ip -n "$LWIT_NS" addr add "$LWIT_LINUX_IP/$LWIT_PREFIX" dev "$LWIT_TAP"
  ip -n "$LWIT_NS" link set "$LWIT_TAP" up
}

# Runs a command inside the test's namespace.
lwit_ns() { ip netns exec "$LWIT_NS" "$@"; }

# lwit_spawn COMMAND...: starts COMMAND in the test's namespace in the
# background (redirections given to lwit_spawn apply to it) and records its
# PID, in LWIT_SPAWNED and for the cleanup. `lwit_ns ... &` would record the
# PID of a subshell: killing that leaves the command running.
lwit_spawn() {
  # <&0: without it bash gives a background command /dev/null as stdin,
  # not the redirection given to lwit_spawn.
  ip netns exec "$LWIT_NS" "$@" <&0 &
  LWIT_SPAWNED=$!
  LWIT_PIDS+=("$LWIT_SPAWNED")
}

# lwit_start_lwnet [GLOBAL OPTIONS...] SUBCOMMAND [OPTIONS...]
# Starts lwnet in the background on lw0 with --ip 192.0.2.2/24
# (LWIT_ADDRESS_OPTIONS) and a capture,
# and waits until it reports the interface up.
lwit_start_lwnet() {
  local addressing=("${LWIT_ADDRESS_OPTIONS[@]}")
  [ ${#addressing[@]} -ne 0 ] || addressing=(--ip "$LWIT_LWNET_IP/$LWIT_PREFIX")
  local n=${#LWIT_CAPTURES[@]}
  local capture="$LWIT_DIR/lwnet-$n.pcap"
  LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
  LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
  LWIT_CAPTURES+=("$capture")
  ip netns exec "$LWIT_NS" "$LWNET" --tap "$LWIT_TAP" "${addressing[@]}" \
    --pcap "$capture" "$@" >"$LWNET_OUT" 2>"$LWNET_ERR" &
  LWNET_PID=$!
  LWIT_PIDS+=("$LWNET_PID")
  lwit_wait_until "lwnet's line 'lwnet: tap $LWIT_TAP up' on stdout" 10 lwit_lwnet_up
  lwit_log "lwnet $* running (pid $LWNET_PID)"
}

# True once the lwnet started by lwit_start_lwnet reported its interface up;
# fails the test if lwnet is gone without having done so.
lwit_lwnet_up() {
  grep -qs "^lwnet: tap $LWIT_TAP up" "$LWNET_OUT" && return 0
  kill -0 "$LWNET_PID" 2>/dev/null && return 1
  set +e
  wait "$LWNET_PID"
  LWNET_STATUS=$?
  set -e
  LWNET_PID=""
  lwit_check_sanitizer "lwnet" "$LWNET_STATUS"
  lwit_fail "lwnet exited with status $LWNET_STATUS before bringing the interface up"
}

# lwit_run_lwnet SUBCOMMAND...: runs lwnet in the foreground on lw0 (with a
# capture, under `timeout` of LWIT_RUN_TIMEOUT seconds, default 60), output
# into LWNET_OUT/LWNET_ERR, exit status into LWNET_STATUS. A sanitizer report
# or the timeout fails the test; check any other status with
# lwit_expect_status.
lwit_run_lwnet() {
  local addressing=("${LWIT_ADDRESS_OPTIONS[@]}")
  [ ${#addressing[@]} -ne 0 ] || addressing=(--ip "$LWIT_LWNET_IP/$LWIT_PREFIX")
  local n=${#LWIT_CAPTURES[@]}
  local capture="$LWIT_DIR/lwnet-$n.pcap"
  LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
  LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
  LWIT_CAPTURES+=("$capture")
  set +e
  ip netns exec "$LWIT_NS" timeout -k 5 "${LWIT_RUN_TIMEOUT:-60}" \
    "$LWNET" --tap "$LWIT_TAP" "${addressing[@]}" \
    --pcap "$capture" "$@" >"$LWNET_OUT" 2>"$LWNET_ERR"
  LWNET_STATUS=$?
  set -e
  lwit_log "lwnet $* exited with $LWNET_STATUS"
  lwit_check_sanitizer "lwnet $*" "$LWNET_STATUS"
  lwit_check_timeout "lwnet $*" "$LWNET_STATUS"
}

# lwit_check_sanitizer WHAT STATUS: fails the test if STATUS is a sanitizer's
# (ASan, UBSan or LSan found something: the report is on WHAT's stderr).
lwit_check_sanitizer() {
  if [ "$2" -eq "$LWIT_SANITIZER_STATUS" ]; then
    lwit_fail "$1: sanitizer report (exit status $2); see its stderr"
  fi
}

# lwit_check_timeout WHAT STATUS: fails the test if STATUS is `timeout`'s.
lwit_check_timeout() {
  if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
    lwit_fail "$1: did not end in time and was killed by timeout (status $2)"
  fi
}

# lwit_expect_status DESCRIPTION EXPECTED ACTUAL: like lwit_expect_equal for
# an exit status, but a sanitizer's status is named as such.
lwit_expect_status() {
  lwit_check_sanitizer "$1" "$3"
  lwit_expect_equal "$1" "$2" "$3"
}

# Sends SIGNAL (default TERM) to the running lwnet and waits for it; its exit
# status must be 0 (a sanitizer report or a leak makes it non-zero).
lwit_stop_lwnet() {
  local signal=${1:-TERM}
  [ -n "$LWNET_PID" ] || lwit_fail "no lwnet running"
  kill -"$signal" "$LWNET_PID"
  set +e
  wait "$LWNET_PID"
  LWNET_STATUS=$?
  set -e
  LWNET_PID=""
  lwit_check_sanitizer "lwnet after SIG$signal" "$LWNET_STATUS"
  [ "$LWNET_STATUS" -eq 0 ] || lwit_fail "lwnet exited with status $LWNET_STATUS after SIG$signal"
}

# lwit_poll TIMEOUT_SECONDS COMMAND...: runs COMMAND every 50 ms until it
# succeeds (status 0) or TIMEOUT_SECONDS (whole seconds) have passed (status 1).
lwit_poll() {
  local timeout_us=$(($1 * 1000000))
  shift
  local start now
  start=${EPOCHREALTIME//[!0-9]/}
  while :; do
    "$@" && return 0
    now=${EPOCHREALTIME//[!0-9]/}
    [ $((now - start)) -lt "$timeout_us" ] || return 1
    sleep 0.05  # the polling interval
  done
}

# lwit_wait_until DESCRIPTION TIMEOUT_SECONDS COMMAND...: waits until COMMAND
# succeeds, checking every 50 ms; fails the test naming DESCRIPTION (the
# condition waited for) if it has not within TIMEOUT_SECONDS.
lwit_wait_until() {
  local what=$1 timeout=$2
  shift 2
  lwit_poll "$timeout" "$@" || lwit_fail "waited $timeout s in vain for: $what"
}

# lwit_gone PID: true once process PID no longer exists.
lwit_gone() { ! kill -0 "$1" 2>/dev/null; }

# lwit_listening PORT: true once a TCP socket in the namespace listens on PORT.
lwit_listening() {
  [ -n "$(lwit_ns ss -Htln "( sport = :$1 )" 2>/dev/null)" ]
}

# lwit_wait_listening PORT: waits (up to 10 s) for a Linux peer's listener.
lwit_wait_listening() {
  lwit_wait_until "a TCP listener on port $1 in the namespace" 10 lwit_listening "$1"
}

# lwit_lines_at_least FILE PATTERN N: true once FILE has N lines matching the
# basic regular expression PATTERN.
lwit_lines_at_least() {
  [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

# lwit_expect DESCRIPTION COMMAND...: fails the test unless COMMAND succeeds.
lwit_expect() {
  local what=$1
  shift
  if "$@"; then
    lwit_log "ok: $what"
  else
    lwit_fail "$what"
  fi
}

# lwit_expect_equal DESCRIPTION EXPECTED ACTUAL
lwit_expect_equal() {
  if [ "$2" = "$3" ]; then
    lwit_log "ok: $1 ($3)"
  else
    lwit_fail "$1: expected '$2', got '$3'"
  fi
}

# lwit_idle_second_ticks: the CPU time (utime + stime, in clock ticks of
# CLK_TCK, printed as "TICKS HZ") the running lwnet takes over one second in
# which the test sends it nothing.
lwit_idle_second_ticks() {
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$LWNET_PID/stat")
  sleep 1
  after=$(awk '{print $14 + $15}' "/proc/$LWNET_PID/stat")
  echo "$((after - before)) $(getconf CLK_TCK)"
}

# lwit_counter NAME: the value lwnet serve printed for counter NAME (0 when
# it printed none: only non-zero counters are printed).
lwit_counter() {
  local value
  value=$(awk -v name="$1" '$1 == name { print $2 }' "$LWNET_OUT")
  echo "${value:-0}"
}

# TCP payloads are decoded as plain data: the tests carry random bytes, which
# tshark's heuristic dissectors (GSM RSL, ...) would otherwise call malformed.
lwit_tshark() {
  tshark -n -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o ip.defragment:TRUE -d 'tcp.port==1-65535,data' "$@"
}

# lwit_count_frames CAPTURE FILTER: frames of CAPTURE matching the display FILTER.
lwit_count_frames() {
  lwit_tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

# Every capture lwnet wrote must be readable, contain frames lwnet sent (from
# LWIT_MAC: a test that gives --mac sets it), and none of them may be
# malformed or carry a bad IP, UDP, TCP or ICMP checksum (tshark's dissectors
# are the second opinion).
lwit_check_capture() {
  local mac=$LWIT_MAC
  local capture sent bad
  for capture in "${LWIT_CAPTURES[@]}"; do
    [ -s "$capture" ] || lwit_fail "capture $capture is missing or empty"
    lwit_tshark -r "$capture" >/dev/null 2>"$LWIT_DIR/tshark.err" ||
      lwit_fail "tshark cannot read $capture: $(cat "$LWIT_DIR/tshark.err")"
    sent=$(lwit_count_frames "$capture" "eth.src == $mac")
    [ "$sent" -gt 0 ] || lwit_fail "capture $capture has no frame sent by lwnet ($mac)"
    bad=$(lwit_tshark -r "$capture" -Y "eth.src == $mac && (_ws.malformed || _ws.expert.severity >= 0x00800000 || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 || icmp.checksum.status == 0)" 2>/dev/null)
    if [ -n "$bad" ]; then
      echo "$bad" >&2
      lwit_fail "tshark finds malformed or bad-checksum frames lwnet sent in $capture"
    fi
    lwit_log "ok: capture $(basename "$capture"): $sent frames sent by lwnet, tshark finds none malformed"
  done
}

lwit_pass() { lwit_log "PASS"; }

# ---- TCP ----------------------------------------------------------------------

# lwit_wait_time_wait PORT: waits (up to 20 s) until Linux holds a TCP
# connection to lwnet's PORT in TIME-WAIT, i.e. both sides closed it and
# Linux closed first; lwnet has then read everything Linux sent.
lwit_wait_time_wait() {
  lwit_wait_until "a connection to lwnet's port $1 in TIME-WAIT" 20 lwit_time_wait "$1"
}
lwit_time_wait() {
  [ -n "$(lwit_ns ss -Htn state time-wait "( dport = :$1 )" 2>/dev/null)" ]
}

# lwit_wait_all_closed PORT: waits (up to 20 s) until Linux holds no
# connection to lwnet's PORT in any state but TIME-WAIT: every connection
# Linux closed first has then been closed by lwnet too, and Linux sent its
# final ACK into the TAP (so lwnet reads it before anything sent later).
lwit_wait_all_closed() {
  lwit_wait_until "no connection to lwnet's port $1 open or closing (TIME-WAIT aside)" 20 \
    lwit_all_closed "$1"
}
lwit_all_closed() {
  local open
  open=$(lwit_ns ss -Htn state connected exclude time-wait "( dport = :$1 )") || return 1
  [ -z "$open" ]
}
