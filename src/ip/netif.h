// Network interfaces: a device plus its addresses, MTU and state, in a small
// fixed table indexed by NetifId.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/options.h"
#include "ip/netif_config.h"
#include "ip/netif_types.h"
#include "link/device.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// One netif. Addresses are kept as host-order words with their mask and
// broadcast precomputed: the per-packet checks are a compare and an and.
// Core thread only.
struct Netif {
  std::array<char, 16> name{};
  Device* device = nullptr;
  Medium medium = Medium::Ethernet;
  MacAddress mac;
  bool has_ipv4 = false;
  Ipv4Address address;     // valid when has_ipv4
  std::uint8_t prefix_len = 0;
  std::uint32_t netmask = 0;
  Ipv4Address broadcast;   // subnet-directed broadcast (none for /31 and /32)
  std::optional<Ipv4Address> gateway;
  std::size_t mtu = 1500;
  // The MTU the netif was given (NetifConfig::mtu, set_mtu) within what the
  // device and the frame buffers carry: an RA's MTU option (RFC 4861
  // 6.3.4) may lower `mtu` below it, never raise it above.
  std::size_t configured_mtu = 1500;
  bool up = false;
  bool link_up = false;
  bool loopback = false;
  bool accept_local = false;  // NetifConfig::accept_local
  // ARP probe (RFC 5227) for the DHCP client's address check or AutoIP,
  // until the netif takes the probed address; whether another host answered
  // for the probed address (or probes for it too) or claims ours.
  std::optional<Ipv4Address> probe_ip;
  bool probe_conflict = false;
  bool address_conflict = false;
  // Every conflict seen on this netif: AutoIP's defence (RFC 3927 2.5)
  // looks for a new one. Behaviour, not a statistic: it stays when
  // CONFIG_LWNET_STATS compiles the counters out.
  std::uint32_t conflicts = 0;
  // IPv6: slot 0 is the link-local address (fe80:: from the MAC on
  // Ethernet netifs, ::1 on the loopback netif).
  std::array<Ipv6NetifAddress, config::ipv6_slots(config::ipv6_num_addresses)> ipv6{};

  bool usable() const { return up && link_up; }
  // A usable (preferred or deprecated) IPv6 address of this netif.
  bool has_ipv6(const Ipv6Address& a) const {
    for (const Ipv6NetifAddress& s : ipv6) {
      if (s.usable() && s.address == a) return true;
    }
    return false;
  }
  // Some usable address of this netif has a prefix that holds `a`.
  bool on_link_v6(const Ipv6Address& a) const;
  bool on_link(Ipv4Address a) const {
    return has_ipv4 && ((a.value ^ address.value) & netmask) == 0;
  }
  bool is_directed_broadcast(Ipv4Address a) const {
    return has_ipv4 && prefix_len <= 30 && a == broadcast;
  }
  // Any broadcast this netif sends or takes: limited or subnet-directed.
  bool is_broadcast(Ipv4Address a) const { return a.is_broadcast() || is_directed_broadcast(a); }
  void set_ipv4(const std::optional<IpCidr>& cidr);
  std::optional<IpCidr> ipv4_cidr() const;
  NetifInfo info() const;
};

// Core thread only.
class NetifTable {
 public:
  static constexpr std::size_t capacity = config::max_netifs;

  // Adds a netif; TableFull when all CONFIG_LWNET_MAX_NETIFS are taken,
  // InvalidArgument for a bad address or an Ethernet netif without a
  // unicast MAC.
  Result<NetifId> add(Device& device, const NetifConfig& config, bool loopback);

  Netif* get(NetifId id) { return id.value < count_ ? &netifs_[id.value] : nullptr; }
  const Netif* get(NetifId id) const { return id.value < count_ ? &netifs_[id.value] : nullptr; }
  Netif& operator[](NetifId id) { return netifs_[id.value]; }
  const Netif& operator[](NetifId id) const { return netifs_[id.value]; }
  // Netifs have ids 0 .. size()-1 (they are never removed).
  std::size_t size() const { return count_; }

  // A new MTU within 68 and what the device and the frame buffers carry;
  // InvalidArgument otherwise, or for the loopback netif.
  Status set_mtu(NetifId id, std::size_t mtu);

  std::optional<NetifId> default_netif() const { return default_; }
  void set_default(NetifId id) {
    if (get(id) != nullptr) default_ = id;
  }

  // The up netif that has `a` as its address.
  std::optional<NetifId> find_by_address(Ipv4Address a) const;
  // The first netif called `name` (NetifConfig::name, as copied).
  std::optional<NetifId> find_by_name(std::string_view name) const;
  // True when `a` is one of our addresses: a 127/8 address, or the address
  // of an up netif.
  bool is_local(Ipv4Address a) const {
    return a.is_loopback() || find_by_address(a).has_value();
  }
  // The up netif with `a` as a usable IPv6 address (the loopback netif for ::1).
  std::optional<NetifId> find_by_address(const Ipv6Address& a) const;
  bool is_local(const Ipv6Address& a) const { return find_by_address(a).has_value(); }

 private:
  std::array<Netif, capacity> netifs_{};
  std::size_t count_ = 0;
  std::optional<NetifId> default_;
};

}  // namespace lwnet
