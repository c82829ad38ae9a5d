// CONFIG_LWIP_DHCP_RESTORE_LAST_IP on Linux: the last lease in a small text
// file (ESP-IDF keeps it in NVS), "key value" lines:
//   address 192.0.2.55/24
//   server 192.0.2.1
// Main thread only (the stack's core thread in the lwnet command).
#pragma once

#include <string>

#include "apps/dhcp_client.h"

namespace lwnet::tools {

class DhcpLeaseFile final : public DhcpLeaseStorage {
 public:
  explicit DhcpLeaseFile(std::string path) : path_(std::move(path)) {}
  // A missing or unreadable file, or one without a valid address: none.
  std::optional<DhcpLease> load() override;
  // Writes a temporary file and renames it over the old one, so a crash
  // leaves the old lease or the new one. Failures are reported on stderr.
  void save(const DhcpLease& lease) override;
  void erase() override;

 private:
  std::string path_;
};

}  // namespace lwnet::tools
