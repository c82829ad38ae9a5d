# shellcheck shell=bash
# Shared setup and checks of the integration tests. Sourced by each test:
#
#   source "$(dirname "$0")/lib.sh"
#   lwit_init udp_echo "$@"        # $1 of the test: the lwnet binary
#   lwit_make_namespace            # namespace + TAP lw0, Linux 192.0.2.1/24 on it
#   lwit_start_lwnet serve --udp-echo 7
#   ... lwit_ns <linux command> ..., lwit_expect ...
#   lwit_stop_lwnet                # SIGTERM, must exit 0 (no ASan/LSan report)
#   lwit_check_capture             # tshark: nothing lwnet sent is malformed
#   lwit_pass
#
# Everything a test creates (namespace, TAP inside it, processes, files) is
# removed by the EXIT trap, also when the test fails or is interrupted.
# Processes are killed by the PID the test recorded, never by name.
# Only 192.0.2.0/24 is used (RFC 5737 documentation addresses).

set -euo pipefail

LWIT_LINUX_IP=192.0.2.1
LWIT_LWNET_IP=192.0.2.2
LWIT_PREFIX=24
LWIT_TAP=lw0
LWIT_MAC=02:00:00:00:00:02  # lwnet's default --mac; set it when a test gives --mac

LWIT_NAME=""
LWIT_NS=""
LWIT_DIR=""
LWIT_PIDS=()         # every background process the test started
LWNET_PID=""         # the lwnet currently running, if any
LWNET_OUT=""         # its stdout
LWNET_ERR=""         # its stderr
LWNET_STATUS=""      # its exit status after lwit_stop_lwnet / lwit_wait_lwnet
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
  LWIT_NS="lwit-$LWIT_NAME-$$"
  LWIT_DIR=$(mktemp -d "/tmp/lwit-$LWIT_NAME.XXXXXX")
  trap lwit_cleanup EXIT
  trap 'lwit_log "interrupted"; exit 130' INT TERM
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
      # Give it a moment to write its capture, then insist.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL "$pid" 2>/dev/null
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
  [ -n "$LWIT_DIR" ] && rm -rf "$LWIT_DIR"
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
# Starts lwnet in the background on lw0 with --ip 192.0.2.2/24 and a capture,
# and waits until it reports the interface up.
lwit_start_lwnet() {
  local n=${#LWIT_CAPTURES[@]}
  local capture="$LWIT_DIR/lwnet-$n.pcap"
  LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
  LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
  LWIT_CAPTURES+=("$capture")
  ip netns exec "$LWIT_NS" "$LWNET" --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" \
    --pcap "$capture" "$@" >"$LWNET_OUT" 2>"$LWNET_ERR" &
  LWNET_PID=$!
  LWIT_PIDS+=("$LWNET_PID")
  local waited=0
  until grep -q "^lwnet: tap $LWIT_TAP up" "$LWNET_OUT"; do
    if ! kill -0 "$LWNET_PID" 2>/dev/null; then
      lwit_fail "lwnet exited before bringing the interface up"
    fi
    waited=$((waited + 1))
    [ $waited -le 100 ] || lwit_fail "lwnet did not report the interface up within 10 s"
    sleep 0.1
  done
  lwit_log "lwnet $* running (pid $LWNET_PID)"
}

# lwit_run_lwnet SUBCOMMAND...: runs lwnet in the foreground on lw0 (with a
# capture), output into LWNET_OUT/LWNET_ERR, exit status into LWNET_STATUS.
lwit_run_lwnet() {
  local n=${#LWIT_CAPTURES[@]}
  local capture="$LWIT_DIR/lwnet-$n.pcap"
  LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
  LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
  LWIT_CAPTURES+=("$capture")
  set +e
  ip netns exec "$LWIT_NS" "$LWNET" --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" \
    --pcap "$capture" "$@" >"$LWNET_OUT" 2>"$LWNET_ERR"
  LWNET_STATUS=$?
  set -e
  lwit_log "lwnet $* exited with $LWNET_STATUS"
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
  [ "$LWNET_STATUS" -eq 0 ] || lwit_fail "lwnet exited with status $LWNET_STATUS after SIG$signal"
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
  local port=$1 waited=0
  until [ -n "$(lwit_ns ss -Htn state time-wait "( dport = :$port )" 2>/dev/null)" ]; do
    waited=$((waited + 1))
    [ $waited -le 200 ] || lwit_fail "the connection to port $port did not close within 20 s"
    sleep 0.1
  done
}
