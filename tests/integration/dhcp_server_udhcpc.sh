#!/usr/bin/env bash
# lwnet's DHCP server (`serve --dhcp-server POOL`) hands a lease to busybox's
# udhcpc on the TAP: udhcpc's script sees the address, mask, router (lwnet),
# DNS (lwnet's own address: ESP-IDF's fallback), broadcast, MTU and the
# 2-hour lease; lwnet prints the "assigned" event with udhcpc's hostname; a
# second udhcpc run (same MAC) gets the same address; the Linux side then
# uses the address to ping lwnet.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init dhcp_server_udhcpc "$@"
lwit_require udhcpc ping

lwit_make_namespace
# Linux is the DHCP client here: it starts without an address.
lwit_ns ip addr flush dev "$LWIT_TAP"
linux_mac=$(lwit_ns cat "/sys/class/net/$LWIT_TAP/address")

lwit_start_lwnet serve --dhcp-server 192.0.2.20-192.0.2.29
lwit_expect "pool line" grep -q "^lwnet: dhcp-server pool 192.0.2.20-192.0.2.29 lease 7200 s$" "$LWNET_OUT"

# udhcpc's script records what it was given; it configures nothing.
cat >"$LWIT_DIR/script.sh" <<SCRIPT
#!/bin/sh
echo "\$1 ip=\$ip subnet=\$subnet router=\$router dns=\$dns broadcast=\$broadcast mtu=\$mtu lease=\$lease serverid=\$serverid" >>"$LWIT_DIR/udhcpc.events"
SCRIPT
chmod +x "$LWIT_DIR/script.sh"
run_udhcpc() {
  lwit_ns timeout -k 2 20 udhcpc -i "$LWIT_TAP" -f -q -n -t 5 -T 2 -A 1 -x hostname:lwclient \
    -O mtu -O broadcast -s "$LWIT_DIR/script.sh" >>"$LWIT_DIR/udhcpc.log" 2>&1 ||
    lwit_fail "udhcpc got no lease: $(tail -3 "$LWIT_DIR/udhcpc.log")"
}
run_udhcpc
expected="bound ip=192.0.2.20 subnet=255.255.255.0 router=192.0.2.2 dns=192.0.2.2 broadcast=192.0.2.255 mtu=1500 lease=7200 serverid=192.0.2.2"
lwit_expect_equal "udhcpc's lease" "$expected" "$(grep '^bound' "$LWIT_DIR/udhcpc.events" | tail -1)"
lwit_wait_until "lwnet's assigned line" 5 grep -q \
  "^lwnet: dhcp-server assigned 192.0.2.20 to $linux_mac hostname lwclient$" "$LWNET_OUT"

# The same client again: the same address.
run_udhcpc
lwit_expect_equal "second lease" "$expected" "$(grep '^bound' "$LWIT_DIR/udhcpc.events" | tail -1)"
lwit_expect_equal "assigned twice" 2 "$(grep -c '^lwnet: dhcp-server assigned 192.0.2.20 ' "$LWNET_OUT")"

# Linux takes the address and talks to lwnet from it.
lwit_ns ip addr add 192.0.2.20/24 dev "$LWIT_TAP"
lwit_expect "Linux at 192.0.2.20 pings lwnet" lwit_ns ping -c 1 -W 3 "$LWIT_LWNET_IP"

lwit_stop_lwnet
lwit_expect_equal "dhcp_server.tx_ack" 2 "$(lwit_counter dhcp_server.tx_ack)"
lwit_expect_equal "dhcp_server.tx_offer" 2 "$(lwit_counter dhcp_server.tx_offer)"
capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "OFFERs unicast to the new address at udhcpc's MAC" 2 \
  "$(lwit_count_frames "$capture" "eth.dst == $linux_mac && ip.dst == 192.0.2.20 && dhcp.option.dhcp == 2")"
lwit_expect_equal "ACKs carry router, DNS, MTU, broadcast" 2 \
  "$(lwit_count_frames "$capture" "dhcp.option.dhcp == 5 && dhcp.option.router == 192.0.2.2 && dhcp.option.domain_name_server == 192.0.2.2 && dhcp.option.interface_mtu == 1500 && dhcp.option.broadcast_address == 192.0.2.255")"
lwit_check_capture
lwit_pass
