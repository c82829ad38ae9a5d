#include "dhcp_lease_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app.h"

namespace lwnet::tools {

std::optional<DhcpLease> DhcpLeaseFile::load() {
  std::ifstream in(path_);
  if (!in) return std::nullopt;
  DhcpLease lease;
  bool have_address = false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value)) continue;
    if (key == "address") {
      const auto cidr = parse_ip_cidr(value);
      if (!cidr || !cidr->address.is_v4() || cidr->prefix_len > 32) return std::nullopt;
      lease.address = cidr->address.v4();
      lease.prefix_len = cidr->prefix_len;
      lease.netmask = cidr->netmask_v4();
      have_address = true;
    } else if (key == "server") {
      const auto address = parse_ip_address(value);
      if (address && address->is_v4()) lease.server_id = address->v4();
    }
  }
  if (!have_address || lease.address.is_unspecified()) return std::nullopt;
  return lease;
}

void DhcpLeaseFile::save(const DhcpLease& lease) {
  const std::string temporary = path_ + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "address " << to_text(IpCidr{lease.address, lease.prefix_len}) << "\n";
    out << "server " << to_text(IpAddress(lease.server_id)) << "\n";
    if (!out.flush()) {
      std::fprintf(stderr, "lwnet: --dhcp-lease-file %s: cannot write\n", path_.c_str());
      return;
    }
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    std::fprintf(stderr, "lwnet: --dhcp-lease-file %s: %s\n", path_.c_str(), std::strerror(errno));
  }
}

void DhcpLeaseFile::erase() {
  if (std::remove(path_.c_str()) != 0 && errno != ENOENT) {
    std::fprintf(stderr, "lwnet: --dhcp-lease-file %s: %s\n", path_.c_str(), std::strerror(errno));
  }
}

}  // namespace lwnet::tools
