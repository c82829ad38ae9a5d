#include "ip/netif.h"

#include <algorithm>
#include <string>

namespace lwnet {

namespace {
constexpr std::uint32_t mask_for(std::uint8_t prefix_len) {
  return prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_len);
}
// Frames land in frame-pool buffers behind the headroom; a netif's MTU may not
// ask for more (minus the Ethernet header).
constexpr std::size_t largest_mtu = config::frame_buffer_size - config::headroom - 14;
}  // namespace

void Netif::set_ipv4(const std::optional<IpCidr>& cidr) {
  if (!cidr || cidr->address.is_unspecified()) {
    has_ipv4 = false;
    address = {};
    prefix_len = 0;
    netmask = 0;
    broadcast = {};
    return;
  }
  has_ipv4 = true;
  address = cidr->address.v4();
  prefix_len = cidr->prefix_len;
  netmask = mask_for(prefix_len);
  broadcast = Ipv4Address{address.value | ~netmask};
}

std::optional<IpCidr> Netif::ipv4_cidr() const {
  if (!has_ipv4) return std::nullopt;
  return IpCidr{address, prefix_len};
}

NetifInfo Netif::info() const {
  NetifInfo i;
  i.name = name;
  i.mac = mac;
  i.ipv4 = ipv4_cidr();
  i.gateway = gateway;
  i.mtu = mtu;
  i.up = up;
  i.link_up = link_up;
  i.is_loopback = loopback;
  return i;
}

Status NetifTable::set_mtu(NetifId id, std::size_t mtu) {
  Netif* n = get(id);
  if (n == nullptr || n->loopback) return Error::InvalidArgument;
  const std::size_t limit = std::min(n->device->capabilities().mtu, largest_mtu);
  if (mtu < 68 || mtu > limit) return Error::InvalidArgument;
  n->mtu = mtu;
  n->configured_mtu = mtu;
  return {};
}

Result<NetifId> NetifTable::add(Device& device, const NetifConfig& config, bool loopback) {
  if (count_ == capacity) return Error::TableFull;
  if (config.ipv4 && (!config.ipv4->address.is_v4() || config.ipv4->prefix_len > 32)) {
    return Error::InvalidArgument;
  }
  const DeviceCapabilities caps = device.capabilities();
  if (caps.medium == Medium::Ethernet && !config.mac.is_unicast()) return Error::InvalidArgument;
  std::size_t mtu = config.mtu != 0 ? config.mtu : caps.mtu;
  mtu = std::min(std::min(mtu, caps.mtu), largest_mtu);  // no initializer_list array on the stack
  if (mtu < 68) return Error::InvalidArgument;  // RFC 791: every host takes 68 bytes

  // Netifs are never removed: the slot is as the table built it, so only
  // what the config sets is written (no whole Netif built and copied in).
  Netif& n = netifs_[count_];
  const std::size_t name_len = std::min(config.name.size(), n.name.size() - 1);
  std::copy_n(config.name.begin(), name_len, n.name.begin());
  n.device = &device;
  n.medium = caps.medium;
  if (caps.medium == Medium::Ethernet) n.mac = config.mac;
  n.set_ipv4(config.ipv4);
  n.gateway = config.gateway;
  n.mtu = mtu;
  n.configured_mtu = mtu;
  n.up = config.up;
  n.link_up = config.link_up;
  n.loopback = loopback;
  n.accept_local = config.accept_local;
  const NetifId id{static_cast<std::uint8_t>(count_)};
  ++count_;
  return id;
}

std::optional<NetifId> NetifTable::find_by_name(std::string_view name) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const std::array<char, 16>& n = netifs_[i].name;
    const std::string_view stored(n.data(), std::char_traits<char>::length(n.data()));
    if (stored == name) return NetifId{static_cast<std::uint8_t>(i)};
  }
  return std::nullopt;
}

std::optional<NetifId> NetifTable::find_by_address(Ipv4Address a) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const Netif& n = netifs_[i];
    if (n.up && n.has_ipv4 && n.address == a) return NetifId{static_cast<std::uint8_t>(i)};
  }
  return std::nullopt;
}

std::optional<NetifId> NetifTable::find_by_address(const Ipv6Address& a) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const Netif& n = netifs_[i];
    if (n.up && n.has_ipv6(a)) return NetifId{static_cast<std::uint8_t>(i)};
  }
  return std::nullopt;
}

bool Netif::on_link_v6(const Ipv6Address& a) const {
  for (const Ipv6NetifAddress& s : ipv6) {
    // A /128 (the loopback's ::1, a DHCPv6-style address) puts no one else on the link.
    if (s.usable() && !s.autoconfigured && s.prefix_len < 128 && IpCidr{s.address, s.prefix_len}.contains(a)) return true;
  }
  return false;
}

}  // namespace lwnet
