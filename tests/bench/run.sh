#!/usr/bin/env bash
# tests/bench/run.sh - lwnet, real lwIP and the Linux kernel, side by side, from one run.
#
#   bash tests/bench/run.sh                 # as root; REPS=3 SECS=10 CRR_N=2000
#   REPS=1 SECS=5 bash tests/bench/run.sh   # quicker, noisier
#
# Builds lwnet (Release, host preset) into build-bench/, builds the lwIP
# anchor bench (/work/shared/anchors/lwip-bench, or $ANCHOR) in a temporary
# directory, then measures every stack with the same Linux-side tools:
# iperf 2, the anchor's `client sink` / `client crr`, and ping. The columns are
# interleaved inside every repetition, so a busy moment of the shared machine
# hits all of them alike. Prints a Markdown table and writes it to
# tests/bench/results/latest.md. Not a CTest test.
#
# Network: only namespaces it creates (lwb-lwnet, lwb-lwnet2, lwb-lwip, lwb-k1, lwb-k2)
# and documentation addresses (192.0.2.0/24 on the TAPs, 198.51.100.0/24 on
# the veth pair). Every process it starts is stopped by PID and every
# namespace deleted when it exits, also on failure or Ctrl-C.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ANCHOR=${ANCHOR:-/work/shared/anchors/lwip-bench}
REPS=${REPS:-3}
SECS=${SECS:-10}
CRR_N=${CRR_N:-2000}
BUILD=${BUILD:-$ROOT/build-bench}
RESULTS_DIR=$ROOT/tests/bench/results
OUT=$(mktemp -d /tmp/lwnet-bench.XXXXXX)   # logs, raw values and the anchor build
RES=$OUT/values.tsv                          # metric <TAB> column <TAB> rep <TAB> value
NOTES=$OUT/notes.txt                         # one line per failure or oddity, shown under the table
: > "$RES"; : > "$NOTES"
NAMESPACES=(lwb-lwnet lwb-lwnet2 lwb-lwip lwb-k1 lwb-k2)
PIDS=()

# lwnet's host preset (src/config/presets/host.h), as the README builds it:
# window and send buffer 256 KiB (window scaling), full-size MSS, SACK,
# reassembly on.
LWNET_CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DLWNET_BUILD_TESTS=OFF -DLWNET_PRESET=host
)

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
packages=(cmake make gcc g++ libcli11-dev liblwip-dev pkg-config iperf iproute2 iputils-ping ethtool python3 procps)
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
  cmake --build "$BUILD" --target lwnet -j2 >> "$OUT/cmake.log" 2>&1 ||
  { tail -30 "$OUT/cmake.log" >&2; echo "lwnet build failed (log: $OUT/cmake.log)" >&2; exit 1; }
LWNET=$BUILD/tools/lwnet

log "building the lwIP anchor bench in $OUT/anchor"
mkdir -p "$OUT/anchor"
cp "$ANCHOR"/Makefile "$ANCHOR"/*.c "$OUT/anchor/"
make -C "$OUT/anchor" lwbench kbench client > "$OUT/make.log" 2>&1 ||
  { tail -30 "$OUT/make.log" >&2; echo "anchor build failed" >&2; exit 1; }
LWBENCH=$OUT/anchor/lwbench; KBENCH=$OUT/anchor/kbench; CLIENT=$OUT/anchor/client

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
tap_ns lwb-lwip lwb-tap1
ip netns add lwb-k1; ip netns add lwb-k2
ip -n lwb-k1 link set lo up; ip -n lwb-k2 link set lo up
ip -n lwb-k1 link add lwb-veth1 type veth peer name lwb-veth2 netns lwb-k2
ip -n lwb-k1 addr add 198.51.100.1/24 dev lwb-veth1
ip -n lwb-k2 addr add 198.51.100.2/24 dev lwb-veth2
ip -n lwb-k1 link set lwb-veth1 up; ip -n lwb-k2 link set lwb-veth2 up

# Two lwnet columns: "lwnet" as a user runs it (TCP segmentation offload
# to the TAP, the default) and "lwnet_plain" with --no-offload, frame by
# frame like lwIP, which shows the stack itself.
LWNET_RUN=0
declare -A LWNET_PIDS=()
start_lwnet() {  # col
  LWNET_RUN=$((LWNET_RUN + 1))
  local svc=() ns=lwb-lwnet tap=lwb-tap0 extra=()
  [ "$LWNET_TCP" = 1 ] && svc=(--iperf 5001 --source 5002 --echo 5003)
  if [ "$1" = lwnet_plain ]; then ns=lwb-lwnet2; tap=lwb-tap2; extra=(--no-offload); fi
  ip netns exec "$ns" "$LWNET" --tap "$tap" --ip 192.0.2.2/24 "${extra[@]}" serve "${svc[@]}" \
    > "$OUT/$1.$LWNET_RUN.log" 2>&1 &
  LWNET_PIDS[$1]=$!; PIDS+=("$!")
  LWNET_LOG[$1]=$OUT/$1.$LWNET_RUN.log
}
declare -A LWNET_LOG=()
start_lwnet lwnet
start_lwnet lwnet_plain
ip netns exec lwb-lwip "$LWBENCH" -i lwb-tap1 -a 192.0.2.2 -g 192.0.2.1 > "$OUT/lwbench.log" 2>&1 &
LWIP_PID=$!; PIDS+=("$LWIP_PID")
ip netns exec lwb-k2 "$KBENCH" 198.51.100.2 > "$OUT/kbench.log" 2>&1 &
KB_PID=$!; PIDS+=("$KB_PID")
ip netns exec lwb-k2 iperf -s -p 5101 > "$OUT/iperf-server.log" 2>&1 &
PIDS+=("$!")
sleep 1
for c in "lwb-lwnet 192.0.2.2" "lwb-lwnet2 192.0.2.2" "lwb-lwip 192.0.2.2" "lwb-k1 198.51.100.2"; do
  set -- $c
  ip netns exec "$1" ping -q -c 3 -i 0.2 -W 1 "$2" > /dev/null || { echo "$1: $2 does not answer ping" >&2; exit 1; }
done

# Columns: name, namespace of the Linux side, address, first port, which PID serves it.
COLS=(lwnet lwnet_plain lwip_sock lwip_raw linux)
declare -A C_NS=([lwnet]=lwb-lwnet [lwnet_plain]=lwb-lwnet2 [lwip_sock]=lwb-lwip [lwip_raw]=lwb-lwip [linux]=lwb-k1)
declare -A C_DST=([lwnet]=192.0.2.2 [lwnet_plain]=192.0.2.2 [lwip_sock]=192.0.2.2 [lwip_raw]=192.0.2.2 [linux]=198.51.100.2)
declare -A C_PORT=([lwnet]=5001 [lwnet_plain]=5001 [lwip_sock]=5001 [lwip_raw]=5011 [linux]=5001)
col_pid() { case $1 in lwnet*) echo "${LWNET_PIDS[$1]}";; lwip_*) echo "$LWIP_PID";; linux) echo "$KB_PID";; esac; }
col_has_tcp() { case $1 in lwnet*) [ "$LWNET_TCP" = 1 ];; *) true;; esac; }

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
  local c=$1 r=$2 log="$OUT/crr-$c-$r.log" st
  ip netns exec "${C_NS[$c]}" timeout $((SECS + 60)) "$CLIENT" crr "${C_DST[$c]}" $((C_PORT[$c] + 2)) "$CRR_N" > "$log" 2>&1
  st=$?
  if [ "$st" -ne 0 ]; then
    note "$c: CRR rep $r: client crr exit status $st$([ "$st" = 124 ] && echo ' (killed: stalled)'), output: $(tr '\n' '|' < "$log" | tail -c 300)"
    rec crr_per_s "$c" "$r" ""; rec crr_p50_us "$c" "$r" ""
    return
  fi
  rec crr_per_s "$c" "$r" "$(kv conn_per_s < "$log")"
  rec crr_p50_us "$c" "$r" "$(kv p50_us < "$log")"
}

each() {  # measure-function label: every repetition, every column, interleaved
  local f=$1 r c
  log "== $2"
  for r in $(seq 1 "$REPS"); do
    for c in "${COLS[@]}"; do
      if [ "$f" != m_ping ] && ! col_has_tcp "$c"; then continue; fi
      "$f" "$c" "$r"
      case $c in lwnet*) check_lwnet "$c" "$2 rep $r";; esac
      [ "$f" = m_ping ] || sleep 1
    done
  done
}

rec rss_idle_kB lwnet 1 "$(awk '/VmRSS/{print $2}' "/proc/${LWNET_PIDS[lwnet]}/status")"
rec rss_idle_kB lwnet_plain 1 "$(awk '/VmRSS/{print $2}' "/proc/${LWNET_PIDS[lwnet_plain]}/status")"
rec rss_idle_kB lwip_sock 1 "$(awk '/VmRSS/{print $2}' "/proc/$LWIP_PID/status")"
each m_ping "ping RTT"
each m_to_stack "TCP Linux -> stack"
each m_from_stack "TCP stack -> Linux"
each m_crr "connections per second"

# Peak RSS of each server process over everything above.
rec rss_peak_kB lwnet 1 "$(awk '/VmHWM/{print $2}' "/proc/${LWNET_PIDS[lwnet]}/status")"
rec rss_peak_kB lwnet_plain 1 "$(awk '/VmHWM/{print $2}' "/proc/${LWNET_PIDS[lwnet_plain]}/status")"
rec rss_peak_kB lwip_sock 1 "$(awk '/VmHWM/{print $2}' "/proc/$LWIP_PID/status")"
rec rss_peak_kB linux 1 "$(awk '/VmHWM/{print $2}' "/proc/$KB_PID/status")"

# The kernel's own ceilings: iperf -s over veth, with offloads and without.
log "== Linux kernel: iperf -s over veth, offloads on, then TSO/GSO/GRO off"
for mode in on off; do
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

# Stop both lwnets with SIGTERM: they print their counters into their logs.
for c in lwnet lwnet_plain; do
  pid=${LWNET_PIDS[$c]}
  kill -TERM "$pid" 2>/dev/null; wait "$pid"; st=$?; forget_pid "$pid"
  [ "$st" -eq 0 ] || note "$c: exit status $st after SIGTERM"
done
LWNET_COUNTERS=${LWNET_LOG[lwnet]}

########## table ##########
mkdir -p "$RESULTS_DIR"
export REPS SECS CRR_N LWNET_TCP
export BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
export BENCH_MACHINE="$(nproc) vCPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), load average (1/5/15 min) $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
export BENCH_CC=$(ip netns exec lwb-lwnet cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null)
export BENCH_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$([ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' + uncommitted changes')"
export BENCH_LWNET_FLAGS="${LWNET_CMAKE_FLAGS[*]}"
export BENCH_LWIP="$(pkg-config --modversion lwip 2>/dev/null) ($(dpkg-query -W -f='${Version}' liblwip-dev 2>/dev/null))"
export BENCH_CMD="REPS=$REPS SECS=$SECS CRR_N=$CRR_N bash tests/bench/run.sh"
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
SECS, CRR_N = E["SECS"], E["CRR_N"]

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

COLS = ["lwnet", "lwnet_plain", "lwip_sock", "lwip_raw", "linux"]
rows = [
    (f"TCP Linux -> stack, Mbit/s (iperf 2, {SECS} s)", "to_stack_mbit", 0, {}),
    ("stack process CPU meanwhile, % of one core", "to_stack_cpu_pct", 0, {}),
    ("Linux sender: rwnd-limited, % of time (ss -tin at half-time)", "to_stack_rwnd_limited_pct", 0, {}),
    ("Linux sender: stack's window (snd_wnd) at half-time, KiB", "to_stack_snd_wnd_kB", 0, {}),
    ("Linux sender: smoothed RTT at half-time, ms", "to_stack_rtt_ms", 2, {}),
    (f"TCP stack -> Linux, Mbit/s (client sink, {SECS} s)", "from_stack_mbit", 0, {}),
    ("stack process CPU meanwhile, % of one core", "from_stack_cpu_pct", 0, {}),
    (f"connections/s (client crr, {CRR_N} sequential)", "crr_per_s", 0, {}),
    ("CRR latency p50, us", "crr_p50_us", 0, {}),
    ("ping RTT avg, ms (100 x 10 ms)", "ping_avg_ms", 3, {}),
    ("ping RTT min, ms", "ping_min_ms", 3, {}),
    ("RSS after start-up, kB", "rss_idle_kB", 0, {"lwip_raw": "same process", "linux": "-"}),
    ("peak RSS (VmHWM) after all tests, kB", "rss_peak_kB", 0, {"lwip_raw": "same process"}),
    (f"Linux -> `iperf -s` over veth, Mbit/s ({SECS} s)", "iperf_s_offload_on_mbit", 0, {"lwnet": "-", "lwnet_plain": "-", "lwip_sock": "-", "lwip_raw": "-"}),
    ("same, veth with TSO/GSO/GRO off", "iperf_s_offload_off_mbit", 0, {"lwnet": "-", "lwnet_plain": "-", "lwip_sock": "-", "lwip_raw": "-"}),
]
out = []
out.append(f"# lwnet / lwIP / Linux benchmark, {E['BENCH_DATE']}")
out.append("")
out.append(f"- command: `{E['BENCH_CMD']}` (as root)")
out.append(f"- machine: {E['BENCH_MACHINE']}; Linux TCP congestion control: {E['BENCH_CC']}")
out.append(f"- lwnet: commit {E['BENCH_COMMIT']}, `{E['BENCH_LWNET_FLAGS']}`; `lwnet serve --iperf 5001 --source 5002 --echo 5003` on a TAP, with TCP segmentation offload to the TAP (the default; column lwnet) and with `--no-offload` (column lwnet, no offload)")
out.append(f"- lwIP: Debian liblwip {E['BENCH_LWIP']}, the anchor's `lwbench` (TCP_WND = TCP_SND_BUF = 65535) on a TAP; sockets API ports 5001-5003, raw API 5011-5013")
out.append("- Linux kernel: the anchor's `kbench` (same services, kernel sockets) over a veth pair, default offloads")
out.append(f"- median of {E['REPS']} repetitions, (min-max); columns interleaved within each repetition")
out.append("")
out.append("| measure | lwnet | lwnet, no offload | lwIP sockets | lwIP raw | Linux kernel |")
out.append("| --- | --- | --- | --- | --- | --- |")
for label, metric, digits, fixed in rows:
    cells = [fixed.get(c) or cell(metric, c, digits) for c in COLS]
    out.append(f"| {label} | " + " | ".join(cells) + " |")
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
cat "$RESULTS_DIR/latest.md"
echo
echo "lwnet's counters (SIGTERM): $LWNET_COUNTERS"
grep -i 'tcp\|drop\|pool\|fail' "$LWNET_COUNTERS" | head -40 | sed 's/^/  /'
echo "raw values and logs: $OUT"
