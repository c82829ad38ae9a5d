#!/usr/bin/env bash
# lwnet's DHCP client against dnsmasq (192.0.2.1 on the TAP, range
# 192.0.2.50-60, 2-minute leases): `lwnet --dhcp --hostname lwtest dhcp
# --renew` prints the lease (router, two DNS servers, NTP) and renews it;
# dnsmasq records the hostname; `lwnet --dhcp serve` answers ping on the
# leased address; a second run with the same --dhcp-lease-file asks for the
# address at once (INIT-REBOOT, no DISCOVER) and releases it; then, with the
# only address of the range held by Linux, lwnet's ARP check declines it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init dhcp_dnsmasq "$@"
lwit_require dnsmasq ping

lwit_make_namespace

# dnsmasq_start RANGE EXTRA...: dnsmasq as the namespace's DHCP server, its
# log in $LWIT_DIR/dnsmasq.log; waits until it serves.
DNSMASQ_PID=""
dnsmasq_start() {
  local range=$1
  shift
  : >"$LWIT_DIR/dnsmasq.log"
  lwit_spawn dnsmasq --no-daemon --no-resolv --port="${DNSMASQ_PORT:-0}" --user=root --interface="$LWIT_TAP" --bind-interfaces \
    --dhcp-range="$range,255.255.255.0,2m" --dhcp-option=option:router,192.0.2.1 \
    --dhcp-option=option:dns-server,192.0.2.1,192.0.2.3 --dhcp-option=option:ntp-server,192.0.2.4 \
    --dhcp-leasefile="$LWIT_DIR/dnsmasq.leases" --pid-file="$LWIT_DIR/dnsmasq.pid" --log-dhcp \
    --log-facility="$LWIT_DIR/dnsmasq.log" "$@"
  DNSMASQ_PID=$LWIT_SPAWNED
  lwit_wait_until "dnsmasq serving DHCP" 10 grep -q "DHCP, IP range" "$LWIT_DIR/dnsmasq.log"
}
dnsmasq_stop() {
  kill -TERM "$DNSMASQ_PID"
  lwit_wait_until "dnsmasq gone" 5 lwit_gone "$DNSMASQ_PID"
}

# lwnet_dhcp ARGS...: lwnet without --ip (the lease gives the address), in
# the foreground, like lwit_run_lwnet.
lwnet_dhcp() {
  local n=${#LWIT_CAPTURES[@]}
  local capture="$LWIT_DIR/lwnet-$n.pcap"
  LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
  LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
  LWIT_CAPTURES+=("$capture")
  set +e
  ip netns exec "$LWIT_NS" timeout -k 5 60 "$LWNET" --tap "$LWIT_TAP" --pcap "$capture" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR"
  LWNET_STATUS=$?
  set -e
  lwit_log "lwnet $* exited with $LWNET_STATUS"
  lwit_check_sanitizer "lwnet $*" "$LWNET_STATUS"
  lwit_check_timeout "lwnet $*" "$LWNET_STATUS"
}
value() { awk -v k="$1" '$1 == k { print $2 }' "$LWNET_OUT" | paste -sd' ' -; }

# --no-ping: dnsmasq otherwise pings an address for 3 s before offering it,
# and lwnet's first DISCOVER retransmission (4 s, moved by up to a second
# either way, RFC 2131 4.1) then comes before the OFFER in about 1 run in
# 300, making the count of DISCOVERs below a matter of luck.
dnsmasq_start 192.0.2.50,192.0.2.60 --no-ping
lease_file="$LWIT_DIR/lwnet.lease"

# 1. A lease, printed, then renewed.
lwnet_dhcp --dhcp --hostname lwtest --dhcp-lease-file "$lease_file" dhcp --renew
lwit_expect_status "lwnet dhcp --renew" 0 "$LWNET_STATUS"
address=$(value address)
lwit_expect "address from the range ($address)" grep -Eq '^192\.0\.2\.(5[0-9]|60)/24$' <<<"$address"
lwit_expect_equal "router" 192.0.2.1 "$(value router)"
lwit_expect_equal "dns servers" "192.0.2.1 192.0.2.3" "$(value dns)"
lwit_expect_equal "ntp server" 192.0.2.4 "$(value ntp)"
lwit_expect_equal "server" 192.0.2.1 "$(value server)"
lwit_expect_equal "lease seconds" 120 "$(value lease)"
lwit_expect_equal "renewal seconds" 60 "$(value renewal)"
lwit_expect "the renewal came back" grep -q "^event renewed ${address} via 192.0.2.1 from 192.0.2.1, lease 120 s$" "$LWNET_OUT"
ip=${address%/*}
lwit_expect "dnsmasq acked lwtest" grep -q "DHCPACK(lw0) $ip $LWIT_MAC lwtest" "$LWIT_DIR/dnsmasq.log"
lwit_expect "the lease file holds the address" grep -qx "address $address" "$lease_file"
capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "DISCOVER, REQUEST, REQUEST (renewal) from lwnet" "1 3 3" \
  "$(lwit_tshark -r "$capture" -Y "eth.src == $LWIT_MAC && dhcp" -T fields -e dhcp.option.dhcp | paste -sd' ' -)"
lwit_expect_equal "the renewal went unicast from the leased address" "$ip 192.0.2.1" \
  "$(lwit_tshark -r "$capture" -Y "eth.src == $LWIT_MAC && dhcp" -T fields -e ip.src -e ip.dst | tail -1 | tr '\t' ' ')"
lwit_expect_equal "ARP probes of the check" 2 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && arp.opcode == 1 && arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == $ip")"

# 2. The same address serves: Linux pings it.
n=${#LWIT_CAPTURES[@]}
LWNET_OUT="$LWIT_DIR/lwnet-$n.out"
LWNET_ERR="$LWIT_DIR/lwnet-$n.err"
LWIT_CAPTURES+=("$LWIT_DIR/lwnet-$n.pcap")
ip netns exec "$LWIT_NS" "$LWNET" --tap "$LWIT_TAP" --pcap "$LWIT_DIR/lwnet-$n.pcap" --dhcp \
  --dhcp-lease-file "$lease_file" --verbose serve >"$LWNET_OUT" 2>"$LWNET_ERR" &
LWNET_PID=$!
LWIT_PIDS+=("$LWNET_PID")
lwit_wait_until "lwnet serve up with a lease" 30 lwit_lwnet_up
lwit_expect "serve shows the leased address" grep -q "^lwnet: tap lw0 up, $address via 192.0.2.1 " "$LWNET_OUT"
lwit_expect "--verbose logged the lease" grep -q "^lwnet: dhcp: gained $address via 192.0.2.1 from 192.0.2.1, lease 120 s$" "$LWNET_ERR"
lwit_expect "Linux pings the leased address" lwit_ns ping -c 1 -W 3 "$ip"
lwit_stop_lwnet
# INIT-REBOOT: the stored address asked for at once, no DISCOVER.
capture=${LWIT_CAPTURES[1]}
lwit_expect_equal "first message after a restart is REQUEST for $ip" "3 $ip" \
  "$(lwit_tshark -r "$capture" -Y "eth.src == $LWIT_MAC && dhcp" -T fields -e dhcp.option.dhcp -e dhcp.option.requested_ip_address | head -1 | tr '\t' ' ')"

# 3. Release.
lwnet_dhcp --dhcp --dhcp-lease-file "$lease_file" dhcp --release
lwit_expect_status "lwnet dhcp --release" 0 "$LWNET_STATUS"
lwit_expect "released" grep -qx "released yes" "$LWNET_OUT"
lwit_wait_until "dnsmasq saw the RELEASE" 5 grep -q "DHCPRELEASE(lw0) $ip $LWIT_MAC" "$LWIT_DIR/dnsmasq.log"
lwit_expect "the lease file is gone" test ! -e "$lease_file"

# 4. DECLINE: Linux holds the range's only address, on a veth inside the
# namespace (dnsmasq offers no address of the interface it serves, and must
# not ping first); Linux still answers ARP for it on the TAP, with the TAP's
# MAC.
# The lease's servers reach the apps through the stack: `resolve` asks the
# DNS server the lease names (no --dns), `sntp` without SERVER asks the
# lease's NTP server (nobody answers there: the message names it).
dnsmasq_stop
DNSMASQ_PORT=53 dnsmasq_start 192.0.2.50,192.0.2.60 --host-record=lease.name.test,192.0.2.77
lwnet_dhcp --dhcp resolve lease.name.test --family 4
lwit_expect_status "lwnet --dhcp resolve" 0 "$LWNET_STATUS"
lwit_expect_equal "resolved through the lease's DNS server" 192.0.2.77 "$(cat "$LWNET_OUT")"
lwnet_dhcp --dhcp sntp --timeout 1
lwit_expect_status "lwnet --dhcp sntp (no NTP server there)" 1 "$LWNET_STATUS"
lwit_expect "sntp asked the lease's NTP server" grep -q "192.0.2.4" "$LWNET_ERR"
lwit_expect "no NTP traffic elsewhere" test "$(lwit_count_frames "${LWIT_CAPTURES[-1]}" "udp.dstport == 123 && ip.dst != 192.0.2.4")" = 0

dnsmasq_stop
lwit_ns ip link add lwv0 type veth peer name lwv1
lwit_ns ip addr add 192.0.2.50/32 dev lwv0
lwit_ns ip link set lwv0 up
dnsmasq_start 192.0.2.50,192.0.2.50 --no-ping
lwnet_dhcp --dhcp --dhcp-timeout 8 dhcp
lwit_expect_status "lwnet dhcp without a usable address" 1 "$LWNET_STATUS"
lwit_expect "no lease reported" grep -q "^lwnet: --dhcp: no lease from a DHCP server within 8 s$" "$LWNET_ERR"
lwit_expect "dnsmasq saw the DECLINE" grep -q "DHCPDECLINE(lw0) 192.0.2.50 $LWIT_MAC" "$LWIT_DIR/dnsmasq.log"
capture=${LWIT_CAPTURES[5]}
lwit_expect_equal "one DECLINE for 192.0.2.50 in the capture" 1 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && dhcp.option.dhcp == 4 && dhcp.option.requested_ip_address == 192.0.2.50")"

lwit_check_capture
lwit_pass
