// Compile-time options of lwnet's applications in the core: SNTP, the DHCP
// client and server, AutoIP. Part of config/options.h (which reads this file
// at its end and says how to override an option); include that header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/options.h"

// ---- SNTP client (apps/sntp_client.h) -----------------------------------------
// Server slots (esp_sntp_setserver / esp_sntp_setservername index bound).
#ifndef CONFIG_LWIP_SNTP_MAX_SERVERS
#define CONFIG_LWIP_SNTP_MAX_SERVERS 1
#endif
// Default sync interval in ms (sntp_set_sync_interval changes it; 15 s at least).
#ifndef CONFIG_LWIP_SNTP_UPDATE_DELAY
#define CONFIG_LWIP_SNTP_UPDATE_DELAY 3600000
#endif
// A random delay before the first request (RFC 4330 10), below the maximum (ms).
#ifndef CONFIG_LWIP_SNTP_STARTUP_DELAY
#define CONFIG_LWIP_SNTP_STARTUP_DELAY 1
#endif
#ifndef CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY
#define CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY 5000
#endif
// How long a request waits for its reply before the next server is tried
// (lwIP's SNTP_RECV_TIMEOUT), in ms; failed rounds back off from there to 10x.
#ifndef CONFIG_LWNET_SNTP_RECEIVE_TIMEOUT_MS
#define CONFIG_LWNET_SNTP_RECEIVE_TIMEOUT_MS 15000
#endif
namespace lwnet::config {

inline constexpr std::size_t sntp_max_servers = CONFIG_LWIP_SNTP_MAX_SERVERS;
inline constexpr std::uint32_t sntp_update_delay_ms = CONFIG_LWIP_SNTP_UPDATE_DELAY;
inline constexpr bool sntp_startup_delay = CONFIG_LWIP_SNTP_STARTUP_DELAY != 0;
inline constexpr std::uint32_t sntp_maximum_startup_delay_ms = CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY;
inline constexpr std::uint32_t sntp_receive_timeout_ms = CONFIG_LWNET_SNTP_RECEIVE_TIMEOUT_MS;
static_assert(sntp_max_servers >= 1 && sntp_max_servers <= 16, "CONFIG_LWIP_SNTP_MAX_SERVERS is 1..16");
static_assert(sntp_update_delay_ms >= 15000, "CONFIG_LWIP_SNTP_UPDATE_DELAY is at least 15000 ms");
static_assert(sntp_maximum_startup_delay_ms >= 100 && sntp_maximum_startup_delay_ms <= 300000,
              "CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY is 100..300000 ms");
static_assert(sntp_receive_timeout_ms >= 100, "CONFIG_LWNET_SNTP_RECEIVE_TIMEOUT_MS is at least 100 ms");

}  // namespace lwnet::config

// ---- DHCP client, DHCP server, AutoIP (apps/dhcp_*.h, apps/autoip.h) ---------
// ESP-IDF's names and defaults (components/lwip/Kconfig, esp_netif/Kconfig).
#ifndef CONFIG_LWIP_LOCAL_HOSTNAME
#define CONFIG_LWIP_LOCAL_HOSTNAME "espressif"  // DHCP option 12 unless set per netif
#endif
// The offered-address check, a Kconfig choice: define one of the three to 1.
// ARP: two probes, decline only if another MAC answers (ESP-IDF's default);
// ACD: RFC 5227 probing (three probes, random gaps, then announcements).
#if !defined(CONFIG_LWIP_DHCP_DOES_ARP_CHECK) && !defined(CONFIG_LWIP_DHCP_DOES_ACD_CHECK) && \
    !defined(CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP)
#define CONFIG_LWIP_DHCP_DOES_ARP_CHECK 1
#endif
#ifndef CONFIG_LWIP_DHCP_DOES_ARP_CHECK
#define CONFIG_LWIP_DHCP_DOES_ARP_CHECK 0
#endif
#ifndef CONFIG_LWIP_DHCP_DOES_ACD_CHECK
#define CONFIG_LWIP_DHCP_DOES_ACD_CHECK 0
#endif
#ifndef CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP
#define CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP 0
#endif
#ifndef CONFIG_LWIP_DHCP_DISABLE_CLIENT_ID
#define CONFIG_LWIP_DHCP_DISABLE_CLIENT_ID 0     // 1: no option 61
#endif
#ifndef CONFIG_LWIP_DHCP_DISABLE_VENDOR_CLASS_ID
#define CONFIG_LWIP_DHCP_DISABLE_VENDOR_CLASS_ID 1  // 0: option 60 when one is set
#endif
// Keep the last lease (through DhcpLeaseStorage) and ask for it again at
// start (INIT-REBOOT) instead of discovering.
#ifndef CONFIG_LWIP_DHCP_RESTORE_LAST_IP
#define CONFIG_LWIP_DHCP_RESTORE_LAST_IP 0
#endif
// Bytes of options the client sends at most (hostname and vendor class are
// cut to fit).
#ifndef CONFIG_LWIP_DHCP_OPTIONS_LEN
#if CONFIG_LWIP_DHCP_DISABLE_VENDOR_CLASS_ID
#define CONFIG_LWIP_DHCP_OPTIONS_LEN 69
#else
#define CONFIG_LWIP_DHCP_OPTIONS_LEN 109
#endif
#endif
// The lease timers (T1, T2, expiry) fire on whole multiples of this many
// seconds after the lease began, as lwIP's coarse DHCP timer does.
#ifndef CONFIG_LWIP_DHCP_COARSE_TIMER_SECS
#define CONFIG_LWIP_DHCP_COARSE_TIMER_SECS 1
#endif
#ifndef CONFIG_LWIP_DHCP_GET_NTP_SRV
#define CONFIG_LWIP_DHCP_GET_NTP_SRV 0           // ask for option 42
#endif
#ifndef CONFIG_LWIP_DHCP_MAX_NTP_SERVERS
#define CONFIG_LWIP_DHCP_MAX_NTP_SERVERS 1
#endif
// esp_netif's lost-IP timer: "address lost" is reported only when no new
// lease came within this many seconds of losing the address.
#ifndef CONFIG_ESP_NETIF_LOST_IP_TIMER_ENABLE
#define CONFIG_ESP_NETIF_LOST_IP_TIMER_ENABLE 1
#endif
#ifndef CONFIG_ESP_NETIF_IP_LOST_TIMER_INTERVAL
#define CONFIG_ESP_NETIF_IP_LOST_TIMER_INTERVAL 120
#endif
// RFC 3927 link-local addresses (169.254/16) when DHCP gets no answer.
#ifndef CONFIG_LWIP_AUTOIP
#define CONFIG_LWIP_AUTOIP 0
#endif
#ifndef CONFIG_LWIP_AUTOIP_TRIES
#define CONFIG_LWIP_AUTOIP_TRIES 2                // DISCOVERs before falling back
#endif
#ifndef CONFIG_LWIP_AUTOIP_MAX_CONFLICTS
#define CONFIG_LWIP_AUTOIP_MAX_CONFLICTS 9
#endif
#ifndef CONFIG_LWIP_AUTOIP_RATE_LIMIT_INTERVAL
#define CONFIG_LWIP_AUTOIP_RATE_LIMIT_INTERVAL 20  // seconds
#endif
// ESP-IDF's DHCP server.
#ifndef CONFIG_LWIP_DHCPS
#define CONFIG_LWIP_DHCPS 1
#endif
#ifndef CONFIG_LWIP_DHCPS_REPORT_CLIENT_HOSTNAME
#define CONFIG_LWIP_DHCPS_REPORT_CLIENT_HOSTNAME 1
#endif
#ifndef CONFIG_LWIP_DHCPS_LEASE_UNIT
#define CONFIG_LWIP_DHCPS_LEASE_UNIT 60           // seconds per lease-time unit
#endif
#ifndef CONFIG_LWIP_DHCPS_MAX_STATION_NUM
#define CONFIG_LWIP_DHCPS_MAX_STATION_NUM 8
#endif
#ifndef CONFIG_LWIP_DHCPS_MAX_HOSTNAME_LEN
#define CONFIG_LWIP_DHCPS_MAX_HOSTNAME_LEN 64
#endif
// Static ARP entries for clients, so OFFER and ACK can go unicast.
#ifndef CONFIG_LWIP_DHCPS_STATIC_ENTRIES
#define CONFIG_LWIP_DHCPS_STATIC_ENTRIES 1
#endif

namespace lwnet::config {
enum class DhcpAddressCheck : std::uint8_t { Arp, Acd, None };
inline constexpr std::string_view local_hostname = CONFIG_LWIP_LOCAL_HOSTNAME;
inline constexpr DhcpAddressCheck dhcp_address_check =
    CONFIG_LWIP_DHCP_DOES_ACD_CHECK ? DhcpAddressCheck::Acd
    : CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP ? DhcpAddressCheck::None
                                                 : DhcpAddressCheck::Arp;
inline constexpr bool dhcp_client_id = CONFIG_LWIP_DHCP_DISABLE_CLIENT_ID == 0;
inline constexpr bool dhcp_vendor_class_id = CONFIG_LWIP_DHCP_DISABLE_VENDOR_CLASS_ID == 0;
inline constexpr bool dhcp_restore_last_ip = CONFIG_LWIP_DHCP_RESTORE_LAST_IP != 0;
inline constexpr std::size_t dhcp_options_len = CONFIG_LWIP_DHCP_OPTIONS_LEN;
inline constexpr std::uint32_t dhcp_coarse_timer_secs = CONFIG_LWIP_DHCP_COARSE_TIMER_SECS;
inline constexpr bool dhcp_get_ntp_servers = CONFIG_LWIP_DHCP_GET_NTP_SRV != 0;
inline constexpr std::size_t dhcp_max_ntp_servers = CONFIG_LWIP_DHCP_MAX_NTP_SERVERS;
inline constexpr bool lost_ip_timer = CONFIG_ESP_NETIF_LOST_IP_TIMER_ENABLE != 0;
inline constexpr std::uint32_t lost_ip_timer_secs = CONFIG_ESP_NETIF_IP_LOST_TIMER_INTERVAL;
inline constexpr bool autoip = CONFIG_LWIP_AUTOIP != 0;
inline constexpr std::uint32_t autoip_tries = CONFIG_LWIP_AUTOIP_TRIES;
inline constexpr std::uint32_t autoip_max_conflicts = CONFIG_LWIP_AUTOIP_MAX_CONFLICTS;
inline constexpr std::uint32_t autoip_rate_limit_secs = CONFIG_LWIP_AUTOIP_RATE_LIMIT_INTERVAL;
inline constexpr bool dhcps = CONFIG_LWIP_DHCPS != 0;
inline constexpr bool dhcps_report_client_hostname = CONFIG_LWIP_DHCPS_REPORT_CLIENT_HOSTNAME != 0;
inline constexpr std::uint32_t dhcps_lease_unit_secs = CONFIG_LWIP_DHCPS_LEASE_UNIT;
inline constexpr std::size_t dhcps_max_stations = CONFIG_LWIP_DHCPS_MAX_STATION_NUM;
inline constexpr std::size_t dhcps_max_hostname_len = CONFIG_LWIP_DHCPS_MAX_HOSTNAME_LEN;
inline constexpr bool dhcps_static_entries = CONFIG_LWIP_DHCPS_STATIC_ENTRIES != 0;

static_assert(CONFIG_LWIP_DHCP_DOES_ARP_CHECK + CONFIG_LWIP_DHCP_DOES_ACD_CHECK +
                      CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP == 1,
              "choose one of CONFIG_LWIP_DHCP_DOES_ARP_CHECK, _DOES_ACD_CHECK, _DOES_NOT_CHECK_OFFERED_IP");
static_assert(local_hostname.size() <= 63, "CONFIG_LWIP_LOCAL_HOSTNAME has at most 63 characters");
static_assert(dhcp_options_len >= 69 && dhcp_options_len <= 255, "CONFIG_LWIP_DHCP_OPTIONS_LEN is 69..255");
static_assert(dhcp_coarse_timer_secs >= 1 && dhcp_coarse_timer_secs <= 10,
              "CONFIG_LWIP_DHCP_COARSE_TIMER_SECS is 1..10");
static_assert(dhcp_max_ntp_servers >= 1 && dhcp_max_ntp_servers <= 16,
              "CONFIG_LWIP_DHCP_MAX_NTP_SERVERS is 1..16");
static_assert(autoip_tries >= 1 && autoip_tries <= 100, "CONFIG_LWIP_AUTOIP_TRIES is 1..100");
static_assert(autoip_max_conflicts >= 1 && autoip_max_conflicts <= 100,
              "CONFIG_LWIP_AUTOIP_MAX_CONFLICTS is 1..100");
static_assert(autoip_rate_limit_secs >= 5 && autoip_rate_limit_secs <= 120,
              "CONFIG_LWIP_AUTOIP_RATE_LIMIT_INTERVAL is 5..120");
static_assert(dhcps_lease_unit_secs >= 1 && dhcps_lease_unit_secs <= 3600,
              "CONFIG_LWIP_DHCPS_LEASE_UNIT is 1..3600");
static_assert(dhcps_max_stations >= 1 && dhcps_max_stations <= 64,
              "CONFIG_LWIP_DHCPS_MAX_STATION_NUM is 1..64");
static_assert(dhcps_max_hostname_len >= 1 && dhcps_max_hostname_len <= 255,
              "CONFIG_LWIP_DHCPS_MAX_HOSTNAME_LEN is 1..255");
// DNS resolver.
inline constexpr std::size_t dns_max_servers = CONFIG_LWIP_DNS_MAX_SERVERS;
inline constexpr bool fallback_dns_server_support = CONFIG_LWIP_FALLBACK_DNS_SERVER_SUPPORT != 0;
inline constexpr const char* fallback_dns_server_address = CONFIG_LWIP_FALLBACK_DNS_SERVER_ADDRESS;
inline constexpr std::size_t dns_max_host_ip = CONFIG_LWIP_DNS_MAX_HOST_IP;
inline constexpr bool dns_support_mdns_queries = CONFIG_LWIP_DNS_SUPPORT_MDNS_QUERIES != 0;
inline constexpr std::size_t dns_table_size = CONFIG_LWNET_DNS_TABLE_SIZE;
inline constexpr std::size_t dns_max_requests = CONFIG_LWNET_DNS_MAX_REQUESTS;
inline constexpr std::size_t dns_cache_size = CONFIG_LWNET_DNS_CACHE_SIZE;
inline constexpr std::uint32_t dns_min_ttl = CONFIG_LWNET_DNS_MIN_TTL;
inline constexpr std::uint32_t dns_max_ttl = CONFIG_LWNET_DNS_MAX_TTL;
inline constexpr std::uint32_t dns_max_retries = CONFIG_LWNET_DNS_MAX_RETRIES;
inline constexpr std::uint32_t dns_tmr_interval_ms = CONFIG_LWNET_DNS_TMR_INTERVAL_MS;
static_assert(dns_max_servers >= 1 && dns_max_servers <= 4, "CONFIG_LWIP_DNS_MAX_SERVERS is 1..4");
static_assert(!fallback_dns_server_support || dns_max_servers >= 2,
              "the fallback DNS server takes the last slot, after the main one");
static_assert(dns_max_host_ip >= 1 && dns_max_host_ip <= 8, "CONFIG_LWIP_DNS_MAX_HOST_IP is 1..8");
static_assert(dns_table_size >= 1 && dns_table_size <= 64, "CONFIG_LWNET_DNS_TABLE_SIZE is 1..64");
static_assert(dns_max_requests >= dns_table_size && dns_max_requests <= 255,
              "CONFIG_LWNET_DNS_MAX_REQUESTS is CONFIG_LWNET_DNS_TABLE_SIZE..255");
static_assert(dns_cache_size <= 255, "CONFIG_LWNET_DNS_CACHE_SIZE is 0..255");
static_assert(dns_min_ttl <= dns_max_ttl, "CONFIG_LWNET_DNS_MIN_TTL must not exceed CONFIG_LWNET_DNS_MAX_TTL");
static_assert(dns_max_retries >= 1 && dns_max_retries <= 16, "CONFIG_LWNET_DNS_MAX_RETRIES is 1..16");
static_assert(dns_tmr_interval_ms >= 10 && dns_tmr_interval_ms <= 60000,
              "CONFIG_LWNET_DNS_TMR_INTERVAL_MS is 10..60000");

}  // namespace lwnet::config
