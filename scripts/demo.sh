#!/usr/bin/env bash
# lwnet in one command (run as root on Debian 12):
#   installs what it needs, builds lwnet (Release), puts lwnet's stack on a TAP
#   device in a network namespace `lwdemo`, and shows Linux talking to it with
#   its own tools: ping, fragmented ping, arping, a UDP echo with nc,
#   `lwnet ping` the other way, and dnsmasq leasing lwnet an address (DHCP)
#   and answering its DNS query. Everything it creates is removed at the
#   end, also on Ctrl-C or failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LWNET_BUILD_DIR:-"$repo/build-release"}  # LWNET_BUILD_DIR: another build directory
build_type=${LWNET_BUILD_TYPE:-Release}
ns=lwdemo
tap=lw0
linux_ip=192.0.2.1
lwnet_ip=192.0.2.2

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() {  # prints a command, then runs it
  printf '\033[36m$ %s\033[0m\n' "$*"
  "$@"
}

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates a network namespace and a TAP device)" >&2; exit 1; }

say "Installing dependencies"
bash "$repo/scripts/install-deps.sh"

say "Building lwnet ($build_type) in $build"
show cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DLWNET_PRESET=host \
  -DLWNET_BUILD_TESTS=OFF >/dev/null
show cmake --build "$build" --target lwnet -j 2
lwnet="$build/tools/lwnet"

if ip netns list | awk '{ print $1 }' | grep -qxF "$ns"; then
  echo "demo: namespace $ns already exists (left over?); remove it with: ip netns delete $ns" >&2
  exit 1
fi

work=$(mktemp -d /tmp/lwdemo.XXXXXX)
serve_pid=""
dnsmasq_pid=""
created_ns=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid"
    wait "$serve_pid"
  fi
  if [ -n "$dnsmasq_pid" ] && kill -0 "$dnsmasq_pid" 2>/dev/null; then
    kill -TERM "$dnsmasq_pid"
    wait "$dnsmasq_pid"
  fi
  if [ $created_ns -eq 1 ]; then
    say "Cleaning up"
    show ip netns delete "$ns"  # removes the TAP inside it too
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

say "A namespace '$ns' with a TAP '$tap': Linux is $linux_ip, lwnet will be $lwnet_ip"
show ip netns add "$ns"
created_ns=1
show ip -n "$ns" link set lo up
show ip -n "$ns" tuntap add dev "$tap" mode tap
show ip -n "$ns" addr add "$linux_ip/24" dev "$tap"
show ip -n "$ns" link set "$tap" up

say "Starting lwnet's stack on $tap: UDP and TCP echo on port 7, HTTP on 80, an iperf 2 sink on 5001"
printf '\033[36m$ %s\033[0m\n' "ip netns exec $ns lwnet --tap $tap --ip $lwnet_ip/24 serve --udp-echo 7 --echo 7 --http 80 --iperf 5001 &"
ip netns exec "$ns" "$lwnet" --tap "$tap" --ip "$lwnet_ip/24" serve --udp-echo 7 --echo 7 --http 80 \
  --iperf 5001 >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do
  grep -q "^lwnet: tap $tap up" "$work/serve.out" && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.out"; echo "demo: lwnet did not start" >&2; exit 1; }
  sleep 0.1
done
cat "$work/serve.out"

say "Linux pings lwnet"
show ip netns exec "$ns" ping -c 3 "$lwnet_ip"

say "A 4000-byte ping: the request and the reply travel in IP fragments"
show ip netns exec "$ns" ping -c 2 -s 4000 "$lwnet_ip"

say "arping: lwnet answers ARP with its MAC address"
show ip netns exec "$ns" arping -c 2 -i "$tap" "$lwnet_ip"

say "UDP echo: nc sends a line to port 7 and prints what comes back"
printf '\033[36m$ %s\033[0m\n' "echo 'hello, lwnet' | ip netns exec $ns nc -u -w 2 -W 1 $lwnet_ip 7"
echo 'hello, lwnet' | ip netns exec "$ns" nc -u -w 2 -W 1 "$lwnet_ip" 7

say "TCP echo: nc sends a line to port 7 and prints what comes back"
printf '\033[36m$ %s\033[0m\n' "echo 'hello over TCP' | ip netns exec $ns nc -N -w 2 $lwnet_ip 7"
echo 'hello over TCP' | ip netns exec "$ns" nc -N -w 2 "$lwnet_ip" 7

say "HTTP: curl fetches a page from lwnet"
show ip netns exec "$ns" curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{size_download} bytes\n' "http://$lwnet_ip/"

say "Throughput: Linux's iperf 2 sends to lwnet for 3 seconds"
show ip netns exec "$ns" iperf -c "$lwnet_ip" -p 5001 -t 3 -f m

say "Stopping lwnet serve (SIGINT): it prints its counters"
# A Ctrl-C reaches lwnet too, and bash may not run its trap when the
# foreground tool exited normally: stop here rather than go on without lwnet.
kill -0 "$serve_pid" 2>/dev/null || { echo "demo: lwnet serve is no longer running (interrupted?)" >&2; exit 1; }
kill -INT "$serve_pid"
wait "$serve_pid" || true
serve_pid=""
sed -n '/^lwnet: stopped/,$p' "$work/serve.out"

say "The other way: lwnet pings Linux (the first request waits for ARP inside the stack)"
show ip netns exec "$ns" "$lwnet" --tap "$tap" --ip "$lwnet_ip/24" ping -c 3 "$linux_ip"

say "DHCP and DNS: dnsmasq leases lwnet an address, and lwnet asks the DNS server the lease names"
printf '\033[36m$ %s\033[0m\n' "ip netns exec $ns dnsmasq --no-daemon --interface=$tap --dhcp-range=192.0.2.50,192.0.2.60,2m --host-record=demo.lwnet.test,192.0.2.80 ... &"
ip netns exec "$ns" dnsmasq --no-daemon --no-resolv --no-hosts --user=root --interface="$tap" --bind-interfaces \
  --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m --dhcp-option=option:router,"$linux_ip" \
  --host-record=demo.lwnet.test,192.0.2.80 --dhcp-leasefile="$work/dnsmasq.leases" \
  --pid-file="$work/dnsmasq.pid" --log-facility="$work/dnsmasq.log" &
dnsmasq_pid=$!
for _ in $(seq 50); do
  grep -q "DHCP, IP range" "$work/dnsmasq.log" 2>/dev/null && break
  kill -0 "$dnsmasq_pid" 2>/dev/null || { echo "demo: dnsmasq did not start" >&2; exit 1; }
  sleep 0.1
done
show ip netns exec "$ns" "$lwnet" --tap "$tap" --dhcp dhcp
show ip netns exec "$ns" "$lwnet" --tap "$tap" --dhcp resolve demo.lwnet.test

say "Done. Try it by hand: see 'Running lwnet by hand' in README.md"
