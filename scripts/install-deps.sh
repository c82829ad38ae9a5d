#!/usr/bin/env bash
# Installs everything lwnet's build, tests and demo need on Debian 12, as root.
# Idempotent: when every package is already installed it changes nothing and
# does not touch the network.
set -euo pipefail

packages=(
  # build (libclang-rt-14-dev: libFuzzer for the fuzz targets)
  cmake make g++ clang libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev pkg-config
  # LLVM's linker: the lwnet command's hot functions first (cmake/LeanPrograms.cmake)
  lld
  # batched TAP writes (src/link/linux/tap_transmit_batch.h)
  liburing-dev
  # tests and demo: namespaces, TAP, Linux peers, capture checks
  iproute2 iputils-ping arping netcat-openbsd socat curl iperf tcpdump tshark python3
  # DHCP and DNS peers (dhcp_dnsmasq.sh, dns_resolve.sh): dnsmasq's server (the binary only, no system service) and
  # busybox's udhcpc and ISC's dhclient as clients of lwnet's DHCP server
  dnsmasq-base udhcpc isc-dhcp-client
  # hand-made frames (tests/integration/syn_flood.sh; Debian's /usr/bin/python3)
  python3-scapy
  # the Cortex-M4 size probe (tests/size/): compiler, newlib-nano, and QEMU's
  # mps2-an386 board to run it
  gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib libnewlib-arm-none-eabi qemu-system-arm
  # its socket-API row: the API layer runs on POSIX threads, so it is compiled
  # for Cortex-M4 by the armhf Linux cross compiler, against glibc's headers
  g++-arm-linux-gnueabihf
  # Linux-side packet loss where the kernel has no sch_netem (nft numgen)
  nftables
  # application peers: chronyd as NTP server (sntp.sh), nmblookup (netbios.sh)
  chrony samba-common-bin
  # IPv6 router discovery peers (router_discovery.sh, slaac_routed.sh): radvd, ndisc6
  radvd ndisc6
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections

# Refresh the package lists only when there are none yet or they are over a day old.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]; then
  echo "install-deps: apt-get update"
  apt-get update -q
fi
echo "install-deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"
