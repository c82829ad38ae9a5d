#!/usr/bin/env bash
# tests/bench/run.sh - lwnet, real lwIP and the Linux kernel, side by side, from one run.
#
#   bash tests/bench/run.sh                 # as root; REPS=3 SECS=10 CRR_N=2000 (PING_REPS=2*REPS+1)
#   REPS=1 SECS=5 bash tests/bench/run.sh   # quicker, noisier
#   ONLY="to_stack" bash tests/bench/run.sh  # only these measures (ping to_stack
#                                           # from_stack crr call_cost idle kernel);
#                                           # rows of the others say n/a
#   ONLY=idle IDLE_N=200 bash tests/bench/run.sh  # memory per idle TCP connection only
#
# Builds lwnet (Release, host preset) into build-bench/ (the `lwnet` command
# and tests/bench's socket_bench_server and socket_call_cost), builds the lwIP
# anchor bench (/work/shared/anchors/lwip-bench, or $ANCHOR) and
# socket_call_cost against Debian's liblwip in a temporary directory, then
# measures every stack with the same Linux-side tools: iperf 2, the anchor's
# `client sink` / `client crr`, and ping; and the cost of a 1-byte socket call
# (socket_call_cost) on lwnet's and on lwIP's sockets; and, for TCP only,
# tap_tcp_ceiling: the least a TCP peer can do on a TAP without offloads, the
# ceiling for lwnet --no-offload; and the memory each stack takes per idle
# TCP connection (IDLE_N connections held open by idle_connections.py). The
# columns are
# interleaved inside every repetition, so a busy moment of the shared machine
# hits all of them alike. Prints a Markdown table and writes it to
# tests/bench/results/latest.md, and draws throughput and connections/s into
# tests/bench/results/latest.svg (plot.py). Not a CTest test.
#
# Network: only namespaces it creates (lwb-lwnet, lwb-lwnet2, lwb-lwsock,
# lwb-lwsock64, lwb-lwsockl, lwb-lwip, lwb-ceil, lwb-busy, lwb-k1, lwb-k2)
# and documentation addresses (192.0.2.0/24 on the TAPs, 198.51.100.0/24 on
# the veth pair). Every process it starts is stopped by PID and every
# namespace deleted when it exits, also on failure or Ctrl-C.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ANCHOR=${ANCHOR:-/work/shared/anchors/lwip-bench}
REPS=${REPS:-3}
SECS=${SECS:-10}
CRR_N=${CRR_N:-2000}
# A ping repetition takes a second, and one slow wake-up of a vCPU moves its
# average by tens of microseconds: more of them steady the median.
PING_REPS=${PING_REPS:-$((REPS * 2 + 1))}
CALL_N=${CALL_N:-20000}   # round trips per socket_call_cost run
# Idle connections held at once: within every column's limits (the host
# preset's 256 TCP connections and sockets; lwIP allocates its PCBs with
# malloc, MEMP_NUM_TCP_PCB does not bound them).
IDLE_N=${IDLE_N:-200}
ONLY=${ONLY:-ping to_stack from_stack crr call_cost idle kernel}
wanted() { [[ " $ONLY " == *" $1 "* ]]; }
BUILD=${BUILD:-$ROOT/build-bench}
RESULTS_DIR=$ROOT/tests/bench/results
OUT=$(mktemp -d /tmp/lwnet-bench.XXXXXX)   # logs, raw values and the anchor build
RES=$OUT/values.tsv                          # metric <TAB> column <TAB> rep <TAB> value
NOTES=$OUT/notes.txt                         # one line per failure or oddity, shown under the table
: > "$RES"; : > "$NOTES"
NAMESPACES=(lwb-lwnet lwb-lwnet2 lwb-lwsock lwb-lwsock64 lwb-lwsockl lwb-lwip lwb-ceil lwb-busy lwb-k1 lwb-k2)
PIDS=()

# lwnet's host preset (src/config/presets/host.h), as the README builds it:
# window and send buffer 256 KiB (window scaling), full-size MSS, SACK,
# reassembly on, core locking (the threading of Debian's lwIP build: a
# socket call runs the stack code itself under the core mutex). The sockets
# columns use the same build; one of them the same with
# CONFIG_LWIP_TCPIP_CORE_LOCKING=0 (ESP-IDF's default: every call is a
# message to the TCP/IP thread) in $BUILD-message-passing.
LWNET_CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DLWNET_BUILD_TESTS=OFF -DLWNET_PRESET=host
)
BUILD_MESSAGES=$BUILD-message-passing

log() { echo "bench: $*" >&2; }
note() { echo "$*" >> "$NOTES"; log "NOTE: $*"; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
  for p in "${NAMESPACES[@]}"; do ip netns del "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}

[ "$(id -u)" -eq 0 ] || { echo "run.sh needs root (namespaces, TAP devices)" >&2; exit 1; }
[ -d "$ANCHOR" ] || { echo "anchor bench not found at $ANCHOR (set ANCHOR=...)" >&2; exit 1; }

########## packages (installs only what is missing) ##########
packages=(cmake make gcc g++ lld libcli11-dev liblwip-dev pkg-config iperf iproute2 iputils-ping ethtool python3 procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${missing[@]}" || { apt-get update -q && apt-get install -y "${missing[@]}"; } ||
    { echo "cannot install ${missing[*]}" >&2; exit 1; }
fi

########## builds ##########
log "building lwnet (Release, host preset) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" "${LWNET_CMAKE_FLAGS[@]}" > "$OUT/cmake.log" 2>&1 &&
  cmake --build "$BUILD" --target lwnet socket_bench_server socket_call_cost tap_tcp_ceiling -j2 >> "$OUT/cmake.log" 2>&1 ||
  { tail -30 "$OUT/cmake.log" >&2; echo "lwnet build failed (log: $OUT/cmake.log)" >&2; exit 1; }
LWNET=$BUILD/tools/lwnet
SOCKET_SERVER=$BUILD/tests/bench/socket_bench_server
LWNET_CALL_COST=$BUILD/tests/bench/socket_call_cost
CEILING=$BUILD/tests/bench/tap_tcp_ceiling
log "building lwnet's sockets programs with message passing in $BUILD_MESSAGES"
cmake -S "$ROOT" -B "$BUILD_MESSAGES" "${LWNET_CMAKE_FLAGS[@]}" \
  -DCONFIG_LWIP_TCPIP_CORE_LOCKING=0 >> "$OUT/cmake.log" 2>&1 &&
  cmake --build "$BUILD_MESSAGES" --target socket_bench_server socket_call_cost -j2 >> "$OUT/cmake.log" 2>&1 ||
  { tail -30 "$OUT/cmake.log" >&2; echo "lwnet message-passing build failed (log: $OUT/cmake.log)" >&2; exit 1; }
SOCKET_SERVER_MESSAGES=$BUILD_MESSAGES/tests/bench/socket_bench_server
LWNET_CALL_COST_MESSAGES=$BUILD_MESSAGES/tests/bench/socket_call_cost

log "building the lwIP anchor bench in $OUT/anchor"
mkdir -p "$OUT/anchor"
cp "$ANCHOR"/Makefile "$ANCHOR"/*.c "$OUT/anchor/"
make -C "$OUT/anchor" lwbench kbench client > "$OUT/make.log" 2>&1 ||
  { tail -30 "$OUT/make.log" >&2; echo "anchor build failed" >&2; exit 1; }
LWBENCH=$OUT/anchor/lwbench; KBENCH=$OUT/anchor/kbench; CLIENT=$OUT/anchor/client
# Our call-cost program on lwIP's sockets, with the anchor's compiler flags.
LWIP_CALL_COST=$OUT/anchor/lwip_call_cost
gcc -O2 -g -Wall -Wextra -Werror -DCALL_COST_LWIP $(pkg-config --cflags lwip) -o "$LWIP_CALL_COST" \
  "$ROOT/tests/bench/socket_call_cost.c" $(pkg-config --libs lwip) -lpthread >> "$OUT/make.log" 2>&1 ||
  { tail -30 "$OUT/make.log" >&2; echo "socket_call_cost (lwIP) build failed" >&2; exit 1; }

LWNET_TCP=0
if "$LWNET" serve --help 2>&1 | grep -q -- '--iperf'; then LWNET_TCP=1; else
  note "lwnet: \`lwnet serve\` has no --iperf/--source/--echo yet, so only ping and RSS are measured for lwnet"
fi

########## setup ##########
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done

tap_ns() {  # namespace with a TAP whose kernel end is 192.0.2.1
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip -n "$1" tuntap add dev "$2" mode tap
  ip -n "$1" addr add 192.0.2.1/24 dev "$2"
  ip -n "$1" link set "$2" up
}
tap_ns lwb-lwnet lwb-tap0
tap_ns lwb-lwnet2 lwb-tap2
tap_ns lwb-lwsock lwb-tap3
tap_ns lwb-lwsock64 lwb-tap4
tap_ns lwb-lwsockl lwb-tap5
tap_ns lwb-lwip lwb-tap1
tap_ns lwb-ceil lwb-tap6
tap_ns lwb-busy lwb-tap7
ip netns add lwb-k1; ip netns add lwb-k2
ip -n lwb-k1 link set lo up; ip -n lwb-k2 link set lo up
ip -n lwb-k1 link add lwb-veth1 type veth peer name lwb-veth2 netns lwb-k2
ip -n lwb-k1 addr add 198.51.100.1/24 dev lwb-veth1
ip -n lwb-k2 addr add 198.51.100.2/24 dev lwb-veth2
ip -n lwb-k1 link set lwb-veth1 up; ip -n lwb-k2 link set lwb-veth2 up

# Two lwnet columns: "lwnet" as a user runs it (TCP segmentation offload
# to the TAP, the default) and "lwnet_plain" with --no-offload, frame by
# frame like lwIP, which shows the stack itself. Two lwnet sockets columns:
# socket_bench_server (the anchor's sockets services on lwnet's sockets,
# brought up by lwnet_tap_up, so with offload as "lwnet") with the build's
# buffers ("lwnet_sock") and with SO_RCVBUF = SO_SNDBUF = 65535, lwIP's
# TCP_WND and TCP_SND_BUF ("lwnet_sock64"); and the message-passing build's
# server with the build's buffers ("lwnet_sock_msg").
LWNET_RUN=0
declare -A LWNET_PIDS=()
start_lwnet() {  # col
  LWNET_RUN=$((LWNET_RUN + 1))
  local svc=() ns=lwb-lwnet tap=lwb-tap0 extra=() log="$OUT/$1.$LWNET_RUN.log"
  LWNET_LOG[$1]=$log
  case $1 in
    lwnet_sock)
      ip netns exec lwb-lwsock "$SOCKET_SERVER" lwb-tap3 192.0.2.2/24 5001 > "$log" 2>&1 &
      LWNET_PIDS[$1]=$!; PIDS+=("$!"); return;;
    lwnet_sock64)
      ip netns exec lwb-lwsock64 "$SOCKET_SERVER" lwb-tap4 192.0.2.2/24 5001 65535 > "$log" 2>&1 &
      LWNET_PIDS[$1]=$!; PIDS+=("$!"); return;;
    lwnet_sock_msg)
      ip netns exec lwb-lwsockl "$SOCKET_SERVER_MESSAGES" lwb-tap5 192.0.2.2/24 5001 > "$log" 2>&1 &
      LWNET_PIDS[$1]=$!; PIDS+=("$!"); return;;
  esac
  [ "$LWNET_TCP" = 1 ] && svc=(--iperf 5001 --source 5002 --echo 5003)
  if [ "$1" = lwnet_plain ]; then ns=lwb-lwnet2; tap=lwb-tap2; extra=(--no-offload); fi
  ip netns exec "$ns" "$LWNET" --tap "$tap" --ip 192.0.2.2/24 "${extra[@]}" serve "${svc[@]}" \
    > "$log" 2>&1 &
  LWNET_PIDS[$1]=$!; PIDS+=("$!")
}
declare -A LWNET_LOG=()
LWNET_COLS=(lwnet lwnet_plain lwnet_sock lwnet_sock64 lwnet_sock_msg)
for c in "${LWNET_COLS[@]}"; do start_lwnet "$c"; done
start_lwbench() {
  ip netns exec lwb-lwip "$LWBENCH" -i lwb-tap1 -a 192.0.2.2 -g 192.0.2.1 >> "$OUT/lwbench.log" 2>&1 &
  LWIP_PID=$!; PIDS+=("$LWIP_PID")
}
start_kbench() {
  ip netns exec lwb-k2 "$KBENCH" 198.51.100.2 >> "$OUT/kbench.log" 2>&1 &
  KB_PID=$!; PIDS+=("$KB_PID")
}
start_lwbench
# The ceiling: a minimal C TCP endpoint on a TAP without offloads (iperf's
# port, the source port and the echo port, as lwnet); it answers ARP and ping.
ip netns exec lwb-ceil "$CEILING" lwb-tap6 192.0.2.2 sink 5001 source 5002 echo 5003 > "$OUT/ceiling.log" 2>&1 &
CEIL_PID=$!; PIDS+=("$CEIL_PID")
start_kbench
ip netns exec lwb-k2 iperf -s -p 5101 > "$OUT/iperf-server.log" 2>&1 &
PIDS+=("$!")
sleep 1
for c in "lwb-lwnet 192.0.2.2" "lwb-lwnet2 192.0.2.2" "lwb-lwsock 192.0.2.2" "lwb-lwsock64 192.0.2.2" \
         "lwb-lwsockl 192.0.2.2" "lwb-lwip 192.0.2.2" "lwb-k1 198.51.100.2"; do
  set -- $c
  ip netns exec "$1" ping -q -c 3 -i 0.2 -W 1 "$2" > /dev/null || { echo "$1: $2 does not answer ping" >&2; exit 1; }
done

# The sockets servers' ready lines: their listeners exist, with these buffers.
sock_ready() {  # col -> the ready line, waiting up to 5 s for it
  local i
  for i in $(seq 50); do
    grep -m1 '^listening on ' "${LWNET_LOG[$1]}" && return 0
    sleep 0.1
  done
  return 1
}
for i in $(seq 50); do grep -q '^ready on ' "$OUT/ceiling.log" && break; sleep 0.1; done
grep -q '^ready on ' "$OUT/ceiling.log" || { echo "tap_tcp_ceiling: no ready line: $(cat "$OUT/ceiling.log")" >&2; exit 1; }
ip netns exec lwb-ceil ping -q -c 3 -i 0.2 -W 1 192.0.2.2 > /dev/null || { echo "tap_tcp_ceiling: 192.0.2.2 does not answer ping" >&2; exit 1; }
declare -A SOCK_READY=()
for c in lwnet_sock lwnet_sock64 lwnet_sock_msg; do
  SOCK_READY[$c]=$(sock_ready "$c") || { echo "$c: no ready line: $(cat "${LWNET_LOG[$c]}")" >&2; exit 1; }
done

# Columns: name, namespace of the Linux side, address, first port, which PID serves it.
COLS=(lwnet lwnet_plain ceiling lwnet_sock lwnet_sock64 lwnet_sock_msg lwip_sock lwip_raw linux)
declare -A C_NS=([lwnet]=lwb-lwnet [lwnet_plain]=lwb-lwnet2 [ceiling]=lwb-ceil [lwnet_sock]=lwb-lwsock [lwnet_sock64]=lwb-lwsock64
                 [lwnet_sock_msg]=lwb-lwsockl [lwip_sock]=lwb-lwip [lwip_raw]=lwb-lwip [linux]=lwb-k1)
declare -A C_DST=([lwnet]=192.0.2.2 [lwnet_plain]=192.0.2.2 [ceiling]=192.0.2.2 [lwnet_sock]=192.0.2.2 [lwnet_sock64]=192.0.2.2
                  [lwnet_sock_msg]=192.0.2.2 [lwip_sock]=192.0.2.2 [lwip_raw]=192.0.2.2 [linux]=198.51.100.2)
declare -A C_PORT=([lwnet]=5001 [lwnet_plain]=5001 [ceiling]=5001 [lwnet_sock]=5001 [lwnet_sock64]=5001
                   [lwnet_sock_msg]=5001 [lwip_sock]=5001 [lwip_raw]=5011 [linux]=5001)
col_pid() { case $1 in lwnet*) echo "${LWNET_PIDS[$1]}";; lwip_*) echo "$LWIP_PID";; ceiling) echo "$CEIL_PID";; linux) echo "$KB_PID";; esac; }
col_has_tcp() { case $1 in lwnet|lwnet_plain) [ "$LWNET_TCP" = 1 ];; *) true;; esac; }

rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RES"; log "  $1 $2 rep$3 = ${4:-FAILED}"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
now_s() { date +%s.%N; }
cpu_pct() {  # ticks0 ticks1 t0 t1 -> percent of one core
  awk -v a="$1" -v b="$2" -v s="$3" -v e="$4" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (e > s) printf "%.0f", (b - a) * 100 / hz / (e - s) }'
}
kv() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -1; }

# After every lwnet measurement: if lwnet died, say so (with the tail of its
# log) and start a new one, so the remaining measures still run.
check_lwnet() {  # col what
  local pid=${LWNET_PIDS[$1]}
  kill -0 "$pid" 2>/dev/null && return 0
  wait "$pid"; local st=$?
  forget_pid "$pid"
  note "$1: process exited (status $st) during $2; last lines: $(tail -5 "${LWNET_LOG[$1]}" | tr '\n' '|')"
  start_lwnet "$1"; sleep 1
}

# ss -tin of the Linux end while a transfer runs (rwnd/cwnd limits).
ss_snapshot() {  # ns dst file
  sleep "$(awk -v s="$SECS" 'BEGIN{print s/2}')"
  ip netns exec "$1" ss -tin dst "$2" > "$3" 2>&1
}

m_ping() {  # col rep
  local c=$1 r=$2 line
  line=$(ip netns exec "${C_NS[$c]}" ping -q -c 100 -i 0.01 -W 1 "${C_DST[$c]}" 2>&1 | tee -a "$OUT/ping.log")
  local loss; loss=$(echo "$line" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
  [ -n "$loss" ] && [ "$loss" != 0 ] && note "$c: ping rep $r lost $loss % of 100 echo requests"
  set -- $(echo "$line" | awk -F'[/ =]+' '/^rtt/{print $7, $6}')
  rec ping_avg_ms "$c" "$r" "${1:-}"; rec ping_min_ms "$c" "$r" "${2:-}"
}

m_to_stack() {  # col rep: Linux -> stack, iperf 2 client
  local c=$1 r=$2 pid; pid=$(col_pid "$c")
  local ssf="$OUT/ss-to-$c-$r.txt" log="$OUT/iperf-to-$c-$r.log"
  ss_snapshot "${C_NS[$c]}" "${C_DST[$c]}" "$ssf" & local sspid=$!; PIDS+=("$sspid")
  local k0 k1 t0 t1 st v
  k0=$(cpu_ticks "$pid"); t0=$(now_s)
  ip netns exec "${C_NS[$c]}" timeout $((SECS + 20)) iperf -c "${C_DST[$c]}" -p "${C_PORT[$c]}" -t "$SECS" -f m > "$log" 2>&1
  st=$?
  t1=$(now_s); k1=$(cpu_ticks "$pid")
  wait "$sspid" 2>/dev/null; forget_pid "$sspid"
  v=$(awk '/Mbits\/sec/{v=$(NF-1)} END{print v}' "$log")
  if [ "$st" -ne 0 ] || [ -z "$v" ]; then
    note "$c: Linux -> stack rep $r: iperf exit status $st$([ "$st" = 124 ] && echo ' (killed: no end within SECS+20 s)'), output: $(tr '\n' '|' < "$log" | tail -c 300)"
    [ "$st" -ne 0 ] && v=""
  fi
  rec to_stack_mbit "$c" "$r" "$v"
  rec to_stack_cpu_pct "$c" "$r" "$(cpu_pct "$k0" "$k1" "$t0" "$t1")"
  if grep -q '^ESTAB' "$ssf"; then  # Linux prints rwnd_limited only when it is not zero
    v=$(sed -n 's/.*rwnd_limited:[0-9]*ms(\([0-9.]*\)%).*/\1/p' "$ssf" | head -1)
    rec to_stack_rwnd_limited_pct "$c" "$r" "${v:-0}"
    rec to_stack_snd_wnd_kB "$c" "$r" "$(sed -n 's/.* snd_wnd:\([0-9]*\).*/\1/p' "$ssf" | head -1 | awk '{if ($1 != "") printf "%.0f", $1 / 1024}')"
    rec to_stack_rtt_ms "$c" "$r" "$(sed -n 's/.* rtt:\([0-9.]*\)\/.*/\1/p' "$ssf" | head -1)"
  else
    note "$c: Linux -> stack rep $r: no established connection at half-time (ss -tin: $(tr '\n' '|' < "$ssf" | tail -c 200))"
  fi
}

m_from_stack() {  # col rep: stack -> Linux, client sink on the source port
  local c=$1 r=$2 pid; pid=$(col_pid "$c")
  local ssf="$OUT/ss-from-$c-$r.txt" log="$OUT/sink-from-$c-$r.log"
  ss_snapshot "${C_NS[$c]}" "${C_DST[$c]}" "$ssf" & local sspid=$!; PIDS+=("$sspid")
  local k0 k1 t0 t1 st v bytes
  k0=$(cpu_ticks "$pid"); t0=$(now_s)
  ip netns exec "${C_NS[$c]}" timeout $((SECS + 20)) "$CLIENT" sink "${C_DST[$c]}" $((C_PORT[$c] + 1)) "$SECS" > "$log" 2>&1
  st=$?
  t1=$(now_s); k1=$(cpu_ticks "$pid")
  wait "$sspid" 2>/dev/null; forget_pid "$sspid"
  v=$(kv mbit < "$log"); bytes=$(kv bytes < "$log")
  if [ "$st" -ne 0 ] || [ -z "$v" ] || [ "${bytes:-0}" = 0 ]; then
    note "$c: stack -> Linux rep $r: client sink exit status $st$([ "$st" = 124 ] && echo ' (killed: no end within SECS+20 s)'), output: $(tr '\n' '|' < "$log" | tail -c 300)"
    v=""
  fi
  rec from_stack_mbit "$c" "$r" "$v"
  rec from_stack_cpu_pct "$c" "$r" "$(cpu_pct "$k0" "$k1" "$t0" "$t1")"
}

m_crr() {  # col rep: connect, 1-byte echo, close; CRR_N times in a row
  local c=$1 r=$2 log="$OUT/crr-$c-$r.log" st pid k0 k1 t0 t1; pid=$(col_pid "$c")
  k0=$(cpu_ticks "$pid"); t0=$(now_s)
  ip netns exec "${C_NS[$c]}" timeout $((SECS + 60)) "$CLIENT" crr "${C_DST[$c]}" $((C_PORT[$c] + 2)) "$CRR_N" > "$log" 2>&1
  st=$?
  t1=$(now_s); k1=$(cpu_ticks "$pid")
  if [ "$st" -ne 0 ]; then
    note "$c: CRR rep $r: client crr exit status $st$([ "$st" = 124 ] && echo ' (killed: stalled)'), output: $(tr '\n' '|' < "$log" | tail -c 300)"
    rec crr_per_s "$c" "$r" ""; rec crr_p50_us "$c" "$r" ""; rec crr_cpu_pct "$c" "$r" ""
    return
  fi
  rec crr_per_s "$c" "$r" "$(kv conn_per_s < "$log")"
  rec crr_p50_us "$c" "$r" "$(kv p50_us < "$log")"
  rec crr_cpu_pct "$c" "$r" "$(cpu_pct "$k0" "$k1" "$t0" "$t1")"
}

m_call_cost() {  # col rep: 1-byte ping-pong over the stack's loopback (socket_call_cost)
  local c=$1 r=$2 log="$OUT/call-cost-$c-$r.log" st program
  case $c in
    lwnet_sock) program=$LWNET_CALL_COST;; lwnet_sock_msg) program=$LWNET_CALL_COST_MESSAGES;;
    lwip_sock) program=$LWIP_CALL_COST;; *) return;;
  esac
  timeout 120 "$program" "$CALL_N" > "$log" 2>&1
  st=$?
  if [ "$st" -ne 0 ]; then
    note "$c: socket_call_cost rep $r: exit status $st, output: $(tr '\n' '|' < "$log" | tail -c 300)"
    rec call_per_s "$c" "$r" ""; rec call_rtt_us "$c" "$r" ""; rec call_send_us "$c" "$r" ""
    rec call_recv_us "$c" "$r" ""; rec call_server_send_us "$c" "$r" ""; rec call_empty_recv_us "$c" "$r" ""
    return
  fi
  rec call_per_s "$c" "$r" "$(kv round_trips_per_s < "$log")"
  rec call_rtt_us "$c" "$r" "$(kv " rtt_us" < "$log")"
  rec call_send_us "$c" "$r" "$(kv " send_us" < "$log")"
  rec call_recv_us "$c" "$r" "$(kv " recv_us" < "$log")"
  rec call_server_send_us "$c" "$r" "$(kv server_send_us < "$log")"
  rec call_empty_recv_us "$c" "$r" "$(kv empty_recv_us < "$log")"
}

each() {  # measure-function label [repetitions]: every repetition, every column, interleaved
  local f=$1 r c
  log "== $2"
  for r in $(seq 1 "${3:-$REPS}"); do
    for c in "${COLS[@]}"; do
      if [ "$f" != m_ping ] && ! col_has_tcp "$c"; then continue; fi
      if [ "$c" = ceiling ]; then case $f in m_to_stack|m_from_stack|m_crr|m_ping) ;; *) continue;; esac; fi
      if [ "$f" = m_call_cost ]; then case $c in lwnet_sock|lwnet_sock_msg|lwip_sock) ;; *) continue;; esac; fi
      "$f" "$c" "$r"
      case $c in lwnet*) check_lwnet "$c" "$2 rep $r";; esac
      if [ "$c" = ceiling ] && [ -z "${CEIL_DEAD:-}" ] && ! kill -0 "$CEIL_PID" 2>/dev/null; then
        CEIL_DEAD=1; note "ceiling: tap_tcp_ceiling exited during $2 rep $r: $(tail -3 "$OUT/ceiling.log" | tr '\n' '|')"
      fi
      [ "$f" = m_ping ] || sleep 1
    done
  done
}

for c in lwnet_sock lwnet_sock64 lwnet_sock_msg; do
  rec sock_buffers_kB "$c" 1 "$(echo "${SOCK_READY[$c]}" | sed -n 's/.*SO_RCVBUF=\([0-9]*\).*/\1/p' | awk '{printf "%.0f", $1 / 1024}')"
  rec sock_sndbuf_kB "$c" 1 "$(echo "${SOCK_READY[$c]}" | sed -n 's/.*SO_SNDBUF=\([0-9]*\).*/\1/p' | awk '{printf "%.0f", $1 / 1024}')"
done
for c in "${LWNET_COLS[@]}"; do
  rec rss_idle_kB "$c" 1 "$(awk '/VmRSS/{print $2}' "/proc/${LWNET_PIDS[$c]}/status")"
done
rec rss_idle_kB lwip_sock 1 "$(awk '/VmRSS/{print $2}' "/proc/$LWIP_PID/status")"
wanted ping && each m_ping "ping RTT" "$PING_REPS"
# lwnet --busy-poll (issue 12 allows it for ping, reported apart): a process
# that never sleeps keeps a CPU awake, which makes every other column's pings
# faster too (the wake of an idle vCPU is most of a TAP round trip here), so
# it runs alone, started for its pings and connections and stopped after
# them. Its connections/s are paired with the kernel's measured right after
# it stops (the same CRR client, nothing else running), as the CRR phase
# below measures every column in turn.
m_busy() {  # rep
  local r=$1 pid i line log st
  ip netns exec lwb-busy "$LWNET" --tap lwb-tap7 --ip 192.0.2.2/24 --busy-poll serve --echo 5003 > "$OUT/busy.$r.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for i in $(seq 50); do ip netns exec lwb-busy ping -q -c 1 -W 1 192.0.2.2 > /dev/null 2>&1 && break; sleep 0.1; done
  if wanted ping; then
    line=$(ip netns exec lwb-busy ping -q -c 100 -i 0.01 -W 1 192.0.2.2 2>&1 | tee -a "$OUT/ping.log")
    set -- $(echo "$line" | awk -F'[/ =]+' '/^rtt/{print $7, $6}')
    rec ping_busy_avg_ms lwnet "$r" "${1:-}"; rec ping_busy_min_ms lwnet "$r" "${2:-}"
  fi
  if wanted crr; then
    log="$OUT/crr-busy-$r.log"
    ip netns exec lwb-busy timeout $((SECS + 60)) "$CLIENT" crr 192.0.2.2 5003 "$CRR_N" > "$log" 2>&1
    st=$?
    [ "$st" -ne 0 ] && note "lwnet --busy-poll: CRR rep $r: client crr exit status $st, output: $(tr '\n' '|' < "$log" | tail -c 300)"
    rec crr_busy_per_s lwnet "$r" "$([ "$st" -eq 0 ] && kv conn_per_s < "$log")"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null; forget_pid "$pid"
  if wanted crr; then
    log="$OUT/crr-busy-pair-linux-$r.log"
    ip netns exec "${C_NS[linux]}" timeout $((SECS + 60)) "$CLIENT" crr "${C_DST[linux]}" $((C_PORT[linux] + 2)) "$CRR_N" > "$log" 2>&1
    st=$?
    [ "$st" -ne 0 ] && note "linux: CRR paired with --busy-poll, rep $r: client crr exit status $st"
    rec crr_busy_per_s linux "$r" "$([ "$st" -eq 0 ] && kv conn_per_s < "$log")"
  fi
}
if wanted ping || wanted crr; then
  log "== lwnet --busy-poll (alone): ping RTT and connections/s, the kernel's connections/s after each"
  for r in $(seq 1 "$REPS"); do m_busy "$r"; done
fi
wanted to_stack && each m_to_stack "TCP Linux -> stack"
wanted from_stack && each m_from_stack "TCP stack -> Linux"
wanted crr && each m_crr "connections per second"
wanted call_cost && each m_call_cost "cost of a 1-byte socket call (socket_call_cost, $CALL_N round trips)"

# Peak RSS of each server process over everything above.
for c in "${LWNET_COLS[@]}"; do
  rec rss_peak_kB "$c" 1 "$(awk '/VmHWM/{print $2}' "/proc/${LWNET_PIDS[$c]}/status")"
done
rec rss_peak_kB lwip_sock 1 "$(awk '/VmHWM/{print $2}' "/proc/$LWIP_PID/status")"
rec rss_peak_kB linux 1 "$(awk '/VmHWM/{print $2}' "/proc/$KB_PID/status")"

# The kernel's own ceilings: iperf -s over veth, with offloads and without.
log "== Linux kernel: iperf -s over veth, offloads on, then TSO/GSO/GRO off"
for mode in on off; do
  wanted kernel || break
  if [ "$mode" = off ]; then
    ip netns exec lwb-k1 ethtool -K lwb-veth1 tso off gso off gro off > /dev/null 2>&1
    ip netns exec lwb-k2 ethtool -K lwb-veth2 tso off gso off gro off > /dev/null 2>&1
  fi
  for r in $(seq 1 "$REPS"); do
    v=$(ip netns exec lwb-k1 timeout $((SECS + 20)) iperf -c 198.51.100.2 -p 5101 -t "$SECS" -f m 2>&1 |
      tee -a "$OUT/iperf-kernel.log" | awk '/Mbits\/sec/{v=$(NF-1)} END{print v}')
    rec "iperf_s_offload_${mode}_mbit" linux "$r" "$v"
    sleep 1
  done
done

# Stop the lwnets with SIGTERM: `lwnet serve` prints its counters into its
# log, socket_bench_server its peak RSS.
for c in "${LWNET_COLS[@]}"; do
  pid=${LWNET_PIDS[$c]}
  kill -TERM "$pid" 2>/dev/null; wait "$pid"; st=$?; forget_pid "$pid"
  [ "$st" -eq 0 ] || note "$c: exit status $st after SIGTERM"
done
LWNET_COUNTERS=${LWNET_LOG[lwnet]}
if [ -z "${CEIL_DEAD:-}" ]; then  # it prints its counters on SIGTERM
  kill -TERM "$CEIL_PID" 2>/dev/null; wait "$CEIL_PID"; st=$?; forget_pid "$CEIL_PID"
  [ "$st" -eq 0 ] || note "ceiling: exit status $st after SIGTERM"
fi

# Memory per idle TCP connection: IDLE_N connections from the Linux side to
# each server's discard port (lwIP raw: 5011), held open and silent; the
# server's (VmRSS with them - VmRSS before) / IDLE_N. In fresh server
# processes, after everything else: memory the other measures freed would
# otherwise hold the new connections unseen (lwIP mallocs its PCBs), and
# the threads and pages these connections leave behind would count in the
# peak RSS row. lwIP raw goes before lwIP sockets (the same process). For the
# kernel column, besides kbench's RSS, the kernel's own objects: the growth
# of the slab caches a TCP socket takes (TCP, sock_inode_cache, filp,
# dentry) over the 2 x IDLE_N sockets (both ends are the kernel's).
vm_rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null; }
slab_bytes() {
  awk '$1 == "TCP" || $1 == "sock_inode_cache" || $1 == "filp" || $1 == "dentry" { b += $2 * $4 } END { print b }' /proc/slabinfo
}
m_idle() {  # col
  local c=$1 pid out="$OUT/idle-$1.log" port=${C_PORT[$1]} before after s0 s1 cpid st i
  pid=$(col_pid "$c")
  before=$(vm_rss "$pid"); s0=$(slab_bytes)
  ip netns exec "${C_NS[$c]}" python3 "$ROOT/tests/bench/idle_connections.py" "${C_DST[$c]}" "$port" "$IDLE_N" \
    > "$out" 2>&1 &
  cpid=$!; PIDS+=("$cpid")
  for i in $(seq 600); do grep -q '^connected' "$out" && break; sleep 0.1; done
  sleep 1  # the last handshakes reach accept() and the service
  after=$(vm_rss "$pid"); s1=$(slab_bytes)
  kill -TERM "$cpid" 2>/dev/null; wait "$cpid"; st=$?; forget_pid "$cpid"
  if [ "$st" -ne 0 ] || [ -z "$before" ] || [ -z "$after" ]; then
    note "$c: idle connections: exit status $st, output: $(tr '\n' '|' < "$out" | tail -c 300)"
    rec idle_conn_kB "$c" 1 ""
    return
  fi
  log "  $c: VmRSS $before -> $after kB with $IDLE_N idle connections"
  rec idle_conn_kB "$c" 1 "$(awk -v a="$before" -v b="$after" -v n="$IDLE_N" 'BEGIN { printf "%.2f", (b - a) / n }')"
  if [ "$c" = linux ]; then
    rec idle_conn_kernel_kB linux 1 "$(awk -v a="$s0" -v b="$s1" -v n="$IDLE_N" 'BEGIN { printf "%.2f", (b - a) / 1024 / (2 * n) }')"
  fi
}
if wanted idle; then
  log "== memory per idle TCP connection ($IDLE_N connections, fresh servers)"
  for pid in "$LWIP_PID" "$KB_PID"; do
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; forget_pid "$pid"
  done
  for c in "${LWNET_COLS[@]}"; do start_lwnet "$c"; done
  start_lwbench; start_kbench
  sleep 1
  for c in lwnet_sock lwnet_sock64 lwnet_sock_msg; do
    sock_ready "$c" > /dev/null || note "$c: no ready line for the idle connections"
  done
  for c in lwnet lwnet_plain lwnet_sock lwnet_sock64 lwnet_sock_msg lwip_raw lwip_sock linux; do
    col_has_tcp "$c" || continue
    m_idle "$c"
    case $c in lwnet*) check_lwnet "$c" "idle connections";; esac
    sleep 1
  done
  for c in "${LWNET_COLS[@]}"; do
    pid=${LWNET_PIDS[$c]}
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; forget_pid "$pid"
  done
fi


########## table ##########
mkdir -p "$RESULTS_DIR"
export REPS SECS CRR_N CALL_N LWNET_TCP IDLE_N
export BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
export BENCH_MACHINE="$(nproc) vCPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), load average (1/5/15 min) $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
export BENCH_CC=$(ip netns exec lwb-lwnet cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null)
export BENCH_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$([ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' + uncommitted changes')"
export BENCH_LWNET_FLAGS="${LWNET_CMAKE_FLAGS[*]}"
export BENCH_LWIP="$(pkg-config --modversion lwip 2>/dev/null) ($(dpkg-query -W -f='${Version}' liblwip-dev 2>/dev/null))"
export PING_REPS
export BENCH_CMD="REPS=$REPS PING_REPS=$PING_REPS SECS=$SECS CRR_N=$CRR_N CALL_N=$CALL_N$([ "$ONLY" != "ping to_stack from_stack crr call_cost idle kernel" ] && echo " ONLY=\"$ONLY\"") bash tests/bench/run.sh"
python3 - "$RES" "$NOTES" > "$RESULTS_DIR/latest.md" <<'EOF'
import os, sys, statistics
vals, reps_seen = {}, {}
for line in open(sys.argv[1]):
    m, c, r, v = line.rstrip("\n").split("\t")
    reps_seen.setdefault((m, c), 0)
    reps_seen[(m, c)] += 1
    if v:
        vals.setdefault((m, c), []).append(float(v))
notes = [n.strip() for n in open(sys.argv[2]) if n.strip()]
E = os.environ
SECS, CRR_N, CALL_N, IDLE_N = E["SECS"], E["CRR_N"], E["CALL_N"], E["IDLE_N"]

def fmt(x, digits):
    return f"{x:.{digits}f}"

def cell(metric, col, digits=0, unit=""):
    vs = vals.get((metric, col))
    n = reps_seen.get((metric, col), 0)
    if n == 0:
        return "n/a"
    if not vs:
        return "**failed** (see notes)"
    s = fmt(statistics.median(vs), digits) + unit
    if len(vs) > 1:
        s += f" ({fmt(min(vs), digits)}-{fmt(max(vs), digits)})"
    if len(vs) < n:
        s += f" **{n - len(vs)} of {n} failed**"
    return s

COLS = ["lwnet", "lwnet_plain", "ceiling", "lwnet_sock", "lwnet_sock64", "lwnet_sock_msg", "lwip_sock", "lwip_raw", "linux"]
LWNET_ONLY = {"lwnet": "-", "lwnet_plain": "-", "lwnet_sock64": "-", "lwip_raw": "-", "linux": "-"}
KERNEL_ONLY = {c: "-" for c in COLS if c != "linux"}
LWNET_ONLY_BUSY = {c: "-" for c in COLS if c != "lwnet"}
SOCK_ROWS = {"lwnet": "-", "lwnet_plain": "-", "lwnet_sock64": "same program as lwnet sockets", "lwip_raw": "-", "linux": "-"}
rows = [
    ("stack's receive window cap / send buffer, KiB", None, 0, {
        "lwnet": "256 / 256 (host preset)", "lwnet_plain": "256 / 256 (host preset)",
        "ceiling": "256 / - (fixed: what arrives is dropped at once; sends what Linux's window allows)",
        "lwip_sock": "64 / 64 (TCP_WND = TCP_SND_BUF = 65535, fixed)", "lwip_raw": "64 / 64 (fixed)",
        "linux": "autotuned"}),
    (f"TCP Linux -> stack, Mbit/s (iperf 2, {SECS} s)", "to_stack_mbit", 0, {}),
    ("stack process CPU meanwhile, % of one core", "to_stack_cpu_pct", 0, {}),
    ("Linux sender: rwnd-limited, % of time (ss -tin at half-time)", "to_stack_rwnd_limited_pct", 0, {}),
    ("Linux sender: stack's window (snd_wnd) at half-time, KiB", "to_stack_snd_wnd_kB", 0, {}),
    ("Linux sender: smoothed RTT at half-time, ms", "to_stack_rtt_ms", 2, {}),
    (f"TCP stack -> Linux, Mbit/s (client sink, {SECS} s)", "from_stack_mbit", 0, {}),
    ("stack process CPU meanwhile, % of one core", "from_stack_cpu_pct", 0, {}),
    (f"connections/s (client crr, {CRR_N} sequential)", "crr_per_s", 0, {}),
    ("CRR latency p50, us", "crr_p50_us", 0, {}),
    ("server process CPU meanwhile, % of one core (for the kernel only what runs in its process)", "crr_cpu_pct", 0, {}),
    ("ping RTT avg, ms (100 x 10 ms)", "ping_avg_ms", 3, {}),
    ("ping RTT min, ms", "ping_min_ms", 3, {}),
    ("ping RTT avg, ms, `lwnet --busy-poll serve` (run alone: it keeps a CPU awake)", "ping_busy_avg_ms", 3, LWNET_ONLY_BUSY),
    ("ping RTT min, ms, `lwnet --busy-poll serve`", "ping_busy_min_ms", 3, LWNET_ONLY_BUSY),
    (f"connections/s, `lwnet --busy-poll serve` (alone; the kernel's measured right after each), {CRR_N} sequential",
     "crr_busy_per_s", 0, {c: "-" for c in COLS if c not in ("lwnet", "linux")}),
    (f"1-byte ping-pong over the stack's loopback, round trips/s (socket_call_cost, {CALL_N})", "call_per_s", 0, SOCK_ROWS),
    ("round trip, us (2 sends, 2 recvs, 2 segments through the TCP/IP thread)", "call_rtt_us", 1, SOCK_ROWS),
    ("1-byte send(), us in the call (client)", "call_send_us", 2, SOCK_ROWS),
    ("1-byte send(), us in the call (server)", "call_server_send_us", 2, SOCK_ROWS),
    ("blocking 1-byte recv(), us until it returns (client; includes the server's turn)", "call_recv_us", 1, SOCK_ROWS),
    ("non-blocking recv() that finds nothing (EAGAIN), us", "call_empty_recv_us", 3, SOCK_ROWS),
    ("RSS after start-up, kB", "rss_idle_kB", 0, {"lwip_raw": "same process", "linux": "-"}),
    ("peak RSS (VmHWM) after all tests, kB", "rss_peak_kB", 0, {"lwip_raw": "same process"}),
    (f"memory per idle TCP connection, kB: the server's (VmRSS with {IDLE_N} idle connections - VmRSS before) / {IDLE_N}, "
     "to its discard port (lwIP raw: 5011; sockets servers and kbench: a thread per connection)", "idle_conn_kB", 2, {}),
    (f"Linux: kernel memory per idle TCP socket, kB (slab caches TCP, sock_inode_cache, filp, dentry: growth / {2 * int(IDLE_N)} sockets, both ends)",
     "idle_conn_kernel_kB", 2, KERNEL_ONLY),
    (f"Linux -> `iperf -s` over veth, Mbit/s ({SECS} s)", "iperf_s_offload_on_mbit", 0, KERNEL_ONLY),
    ("same, veth with TSO/GSO/GRO off", "iperf_s_offload_off_mbit", 0, KERNEL_ONLY),
]
out = []
out.append(f"# lwnet / lwIP / Linux benchmark, {E['BENCH_DATE']}")
out.append("")
out.append(f"- command: `{E['BENCH_CMD']}` (as root)")
out.append(f"- machine: {E['BENCH_MACHINE']}; Linux TCP congestion control: {E['BENCH_CC']}")
out.append(f"- lwnet: commit {E['BENCH_COMMIT']}, `{E['BENCH_LWNET_FLAGS']}`; `lwnet serve --iperf 5001 --source 5002 --echo 5003` on a TAP, with TCP segmentation offload to the TAP (the default; column lwnet) and with `--no-offload` (column lwnet, no offload)")
out.append(f"- lwnet sockets: the same build's `tests/bench/socket_bench_server` (the anchor's three sockets-API services, written with standard socket calls over lwnet's sockets; a thread per service, blocking calls; `lwnet_tap_up`, so TCP segmentation offload to the TAP as in column lwnet) with the build's buffers (column lwnet sockets) and with SO_RCVBUF = SO_SNDBUF = 65535 on the listeners, lwIP's TCP_WND and TCP_SND_BUF (column lwnet sockets, 64 KiB). the host preset has CONFIG_LWIP_TCPIP_CORE_LOCKING 1 (a call runs the stack code on the calling thread under the core mutex, as in Debian's lwIP) and CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT 1 (a blocked call reads the TAP itself); column lwnet sockets, message passing: the same server built with CONFIG_LWIP_TCPIP_CORE_LOCKING=0 (ESP-IDF's default: every call is a message to the TCP/IP thread), the build's buffers")
out.append(f"- lwIP: Debian liblwip {E['BENCH_LWIP']}, the anchor's `lwbench` (TCP_WND = TCP_SND_BUF = 65535, no window scaling: the build cannot offer more) on a TAP; sockets API ports 5001-5003, raw API 5011-5013. Debian's build has LWIP_TCPIP_CORE_LOCKING 1: a socket call takes the core mutex and runs the stack code on the calling thread")
out.append("- cost per call: `tests/bench/socket_call_cost` (our program; for lwIP built against Debian's liblwip) in one process: a client thread sends 1 byte, a server thread receives it and sends it back, TCP_NODELAY, over the stack's own loopback (lwnet: 127.0.0.1; Debian's lwIP has no loopif, so a netif without a device whose own address loops back); CLOCK_MONOTONIC around every call")
out.append("- minimal C on the TAP, no offload: `tests/bench/tap_tcp_ceiling lwb-tap6 192.0.2.2 sink 5001 source 5002 echo 5003`, no lwnet: a TCP endpoint straight on a TAP opened without offloads (1514-byte frames, one read/write per frame, poll() when a read would block) doing the least a TCP peer can do (ARP, checksums checked, in-order data counted and dropped, an ACK per 2 segments; constant-payload segments as far as Linux's window allows, go-back-N; echo: new bytes sent back at once; ICMP echo answered): the ceiling of any user-space stack on this TAP, for these services only. Its connections/s and ping show what a TAP on this machine allows at all: a frame that finds the program asleep costs it the same wake-up as any stack")
out.append("- Linux kernel: the anchor's `kbench` (same services, kernel sockets) over a veth pair, default offloads")
out.append(f"- median of {E['REPS']} repetitions (ping RTT: {E['PING_REPS']}), (min-max); columns interleaved within each repetition")
out.append("")
out.append("| measure | lwnet | lwnet, no offload | minimal C on the TAP, no offload | lwnet sockets | lwnet sockets, 64 KiB | lwnet sockets, message passing | lwIP sockets | lwIP raw | Linux kernel |")
out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for label, metric, digits, fixed in rows:
    if metric is None:  # the buffers row: the sockets servers report theirs
        for c in ("lwnet_sock", "lwnet_sock64", "lwnet_sock_msg"):
            rcv, snd = vals.get(("sock_buffers_kB", c)), vals.get(("sock_sndbuf_kB", c))
            fixed[c] = f"{rcv[0]:.0f} / {snd[0]:.0f} (SO_RCVBUF / SO_SNDBUF)" if rcv and snd else "**unknown**"
    # The ceiling does TCP transfers, the echo service and ping only.
    cells = [fixed.get(c) or ("-" if c == "ceiling" and not metric.startswith(("to_stack", "from_stack", "crr_", "ping_avg", "ping_min"))
                              else cell(metric, c, digits)) for c in COLS]
    out.append(f"| {label} | " + " | ".join(cells) + " |")

# The issue's targets for lwnet's sockets: at least 1.5x lwIP's sockets and at
# least lwIP's raw API, on every row (medians).
def median(metric, col):
    vs = vals.get((metric, col))
    return statistics.median(vs) if vs else None
out.append("")
out.append("Targets for lwnet's sockets (medians; higher is better except where marked; ratios are "
           "lwnet's advantage, so above 1 is better also for latencies): at least 1.5x lwIP sockets "
           "and at least lwIP raw.")
out.append("")
SOCK_COLS = [("lwnet_sock", "lwnet sockets"), ("lwnet_sock64", "64 KiB"), ("lwnet_sock_msg", "message passing")]
out.append("| measure | " + " | ".join(f"{name}: value, x lwIP sockets (>= 1.5), x lwIP raw (>= 1)" for _, name in SOCK_COLS) + " |")
out.append("| --- |" + " --- |" * len(SOCK_COLS))
targets = [("TCP Linux -> stack, Mbit/s", "to_stack_mbit", False), ("TCP stack -> Linux, Mbit/s", "from_stack_mbit", False),
           ("connections/s", "crr_per_s", False), ("CRR latency p50, us (lower)", "crr_p50_us", True),
           ("ping RTT avg, ms (lower)", "ping_avg_ms", True),
           ("1-byte ping-pong round trips/s (no raw-API counterpart)", "call_per_s", False)]
def ratio(metric, ours, theirs, lower_better):
    a, b = median(metric, ours), median(metric, theirs)
    if a is None or b is None or a == 0 or b == 0:
        return None
    return b / a if lower_better else a / b
def verdict(r, goal):
    if r is None:
        return "-"
    return f"{r:.2f}" + ("" if r >= goal else " **missed**")
for label, metric, lower in targets:
    cells = []
    for col, _ in SOCK_COLS:
        v = median(metric, col)
        if v is None:
            cells.append("-")
            continue
        cells.append(f"{v:g}, {verdict(ratio(metric, col, 'lwip_sock', lower), 1.5)}, "
                     f"{verdict(ratio(metric, col, 'lwip_raw', lower), 1.0)}")
    out.append(f"| {label} | " + " | ".join(cells) + " |")
out.append("")
out.append("Targets for lwnet (issue 12; medians): connections/s at least the kernel's; ping RTT average at "
           "most 0.5x lwIP raw's (busy-poll allowed, reported apart; connections/s with busy polling are "
           "reported apart too); peak RSS at most lwIP's.")
out.append("")
out.append("| measure | lwnet | against | ratio, lwnet's advantage (goal) |")
out.append("| --- | --- | --- | --- |")
show = lambda v: "-" if v is None else f"{v:g}"
for label, metric, ours, theirs, their_col, lower, goal in [
        ("connections/s", "crr_per_s", "crr_per_s", "crr_per_s", "linux", False, 1.0),
        ("connections/s, --busy-poll (the kernel's right after each)", "crr_busy_per_s", "crr_busy_per_s",
         "crr_busy_per_s", "linux", False, 1.0),
        ("ping RTT avg, ms", "ping_avg_ms", "ping_avg_ms", "ping_avg_ms", "lwip_raw", True, 2.0),
        ("ping RTT avg, ms, --busy-poll", "ping_busy_avg_ms", "ping_busy_avg_ms", "ping_avg_ms", "lwip_raw", True, 2.0),
        ("peak RSS, kB", "rss_peak_kB", "rss_peak_kB", "rss_peak_kB", "lwip_sock", True, 1.0)]:
    a, b = median(ours, "lwnet"), median(theirs, their_col)
    r = None if a is None or b is None or a == 0 or b == 0 else (b / a if lower else a / b)
    name = {"linux": "Linux kernel", "lwip_raw": "lwIP raw", "lwip_sock": "lwIP (one process)"}[their_col]
    out.append(f"| {label} | {show(a)} | {name}: {show(b)} | {verdict(r, goal)} (>= {goal:g}) |")
out.append("")
out.append("What a TAP allows on this machine (medians): the minimal C endpoint's connections/s and ping "
           "beside lwnet's, the kernel's and lwIP's. A goal the minimal endpoint itself misses is out of "
           "reach of any stack on a TAP here without busy polling.")
out.append("")
out.append("| measure | minimal C on the TAP | lwnet | lwnet against minimal C (1.0: as good) | against | minimal C's advantage there | lwnet's goal there |")
out.append("| --- | --- | --- | --- | --- | --- | --- |")
for label, metric, their_col, lower, goal in [
        ("connections/s", "crr_per_s", "linux", False, "at least the kernel (1.0)"),
        ("ping RTT avg, ms", "ping_avg_ms", "lwip_raw", True, "at most 0.5x lwIP raw (2.0)")]:
    ce, ln, th = median(metric, "ceiling"), median(metric, "lwnet"), median(metric, their_col)
    own = ratio(metric, "lwnet", "ceiling", lower)
    adv = ratio(metric, "ceiling", their_col, lower)
    name = {"linux": "Linux kernel", "lwip_raw": "lwIP raw"}[their_col]
    out.append(f"| {label} | {show(ce)} | {show(ln)} | {'-' if own is None else f'{own:.2f}'} | {name}: {show(th)} | "
               f"{'-' if adv is None else f'{adv:.2f}'} | {goal} |")
out.append("")
out.append("Target for lwnet without offload (issue 12): at least 0.8x what the minimal C endpoint "
           "reaches on the same kind of TAP in the same run (medians).")
out.append("")
out.append("| measure | lwnet, no offload | minimal C on the TAP | lwnet, no offload / ceiling (>= 0.8) |")
out.append("| --- | --- | --- | --- |")
for label, metric in [("TCP Linux -> stack, Mbit/s", "to_stack_mbit"), ("TCP stack -> Linux, Mbit/s", "from_stack_mbit")]:
    a, b = median(metric, "lwnet_plain"), median(metric, "ceiling")
    show = lambda v: "-" if v is None else f"{v:g}"
    out.append(f"| {label} | {show(a)} | {show(b)} | {verdict(ratio(metric, 'lwnet_plain', 'ceiling', False), 0.8)} |")
out.append("")
out.append("CPU is utime+stime of the serving process from /proc (200 % = both cores). For Linux it is")
out.append("kbench's own time only: much of the kernel's TCP work runs in softirq context and is not charged to it.")
if notes:
    out.append("")
    out.append("Notes from this run:")
    out.append("")
    for n in notes:
        out.append(f"- {n}")
print("\n".join(out))
EOF
python3 "$ROOT/tests/bench/plot.py" "$RES" "$RESULTS_DIR/latest.svg"  # the same figures as bars
cat "$RESULTS_DIR/latest.md"
echo
echo "lwnet's counters (SIGTERM): $LWNET_COUNTERS"
grep -i 'tcp\|drop\|pool\|fail' "$LWNET_COUNTERS" | head -40 | sed 's/^/  /'
echo "tap_tcp_ceiling's counters (SIGTERM): $(grep '^tap_tcp_ceiling: ' "$OUT/ceiling.log")"
echo "raw values and logs: $OUT"
