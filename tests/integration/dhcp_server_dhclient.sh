#!/usr/bin/env bash
# lwnet's DHCP server (`serve --dhcp-server POOL`) hands a lease to ISC
# dhclient on the TAP: dhclient's script sees the address, mask, router and
# DNS (lwnet's own address), MTU and the 2-hour lease; lwnet prints the
# "assigned" event with the host name dhclient sent; `dhclient -r` then
# releases the lease, and a new dhclient run (same MAC) gets the same
# address again.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init dhcp_server_dhclient "$@"
lwit_require dhclient ping
: >"$LWIT_DIR/dhclient.events"

lwit_make_namespace
# Linux is the DHCP client here: it starts without an address.
lwit_ns ip addr flush dev "$LWIT_TAP"
linux_mac=$(lwit_ns cat "/sys/class/net/$LWIT_TAP/address")

lwit_start_lwnet serve --dhcp-server 192.0.2.30-192.0.2.39

# The script records what dhclient was given; it configures nothing, so
# the namespace keeps no address behind.
cat >"$LWIT_DIR/script.sh" <<SCRIPT
#!/bin/sh
echo "\$reason ip=\$new_ip_address mask=\$new_subnet_mask routers=\$new_routers dns=\$new_domain_name_servers mtu=\$new_interface_mtu lease=\$new_dhcp_lease_time server=\$new_dhcp_server_identifier" >>"$LWIT_DIR/dhclient.events"
SCRIPT
chmod +x "$LWIT_DIR/script.sh"
cat >"$LWIT_DIR/dhclient.conf" <<CONF
send host-name "lwdhclient";
request subnet-mask, routers, domain-name-servers, interface-mtu, broadcast-address;
CONF
dhclient_args=(-4 -d -v -cf "$LWIT_DIR/dhclient.conf" -lf "$LWIT_DIR/dhclient.leases"
  -pf "$LWIT_DIR/dhclient.pid" -sf "$LWIT_DIR/script.sh" "$LWIT_TAP")

run_dhclient() {
  lwit_spawn dhclient "${dhclient_args[@]}" >>"$LWIT_DIR/dhclient.log" 2>&1
  local pid=$LWIT_SPAWNED
  lwit_wait_until "dhclient bound ($1)" 20 grep -q "^$1 " "$LWIT_DIR/dhclient.events"
  kill -TERM "$pid"
  lwit_wait_until "dhclient gone" 5 lwit_gone "$pid"
}
expected="ip=192.0.2.30 mask=255.255.255.0 routers=192.0.2.2 dns=192.0.2.2 mtu=1500 lease=7200 server=192.0.2.2"
run_dhclient BOUND
lwit_expect_equal "dhclient's lease" "BOUND $expected" "$(grep '^BOUND' "$LWIT_DIR/dhclient.events" | tail -1)"
lwit_wait_until "lwnet's assigned line" 5 grep -q \
  "^lwnet: dhcp-server assigned 192.0.2.30 to $linux_mac hostname lwdhclient$" "$LWNET_OUT"

# Linux takes the address (the script configures nothing) and talks to
# lwnet from it; dhclient -r then sends its RELEASE from it, unicast.
lwit_ns ip addr add 192.0.2.30/24 dev "$LWIT_TAP"
lwit_expect "Linux at 192.0.2.30 pings lwnet" lwit_ns ping -c 1 -W 3 "$LWIT_LWNET_IP"
# Release: dhclient -r sends a RELEASE for the lease in its lease file.
lwit_ns timeout -k 2 10 dhclient -4 -r -v -cf "$LWIT_DIR/dhclient.conf" -lf "$LWIT_DIR/dhclient.leases" \
  -pf "$LWIT_DIR/dhclient.pid" -sf "$LWIT_DIR/script.sh" "$LWIT_TAP" >>"$LWIT_DIR/dhclient.log" 2>&1 ||
  lwit_fail "dhclient -r failed: $(tail -3 "$LWIT_DIR/dhclient.log")"

# A fresh start (the lease file remembers 192.0.2.30: INIT-REBOOT or a new
# DISCOVER, dhclient's choice) ends with the same address.
lwit_ns ip addr flush dev "$LWIT_TAP"
: >"$LWIT_DIR/dhclient.events"
run_dhclient 'BOUND\|REBOOT'
lwit_expect "the same address again" grep -q "^\(BOUND\|REBOOT\) $expected$" "$LWIT_DIR/dhclient.events"

lwit_stop_lwnet
capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "one RELEASE from dhclient for 192.0.2.30" 1 \
  "$(lwit_count_frames "$capture" "eth.src == $linux_mac && dhcp.option.dhcp == 7 && dhcp.ip.client == 192.0.2.30")"
lwit_expect "ACKs carry router, DNS and MTU" test \
  "$(lwit_count_frames "$capture" "dhcp.option.dhcp == 5 && dhcp.option.router == 192.0.2.2 && dhcp.option.domain_name_server == 192.0.2.2 && dhcp.option.interface_mtu == 1500")" -ge 2
lwit_check_capture
lwit_pass
