// UDP endpoints (RFC 768): bind, connect, send, and the per-endpoint receive
// queues, with demultiplexing by port through a small hash (never a scan of
// the table).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "util/queue_pool.h"
#include "ip/ip_layer.h"
#include "util/slot_index.h"
#include "transport/udp_handle.h"
#include "transport/udp_stats.h"
#include "util/random.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// Ephemeral ports (RFC 6335 8.1.2), picked by RFC 6056's "simple port
// randomization": a random start, then the next free port.
inline constexpr std::uint16_t ephemeral_port_first = 49152;
inline constexpr std::uint16_t ephemeral_port_last = 65535;
inline constexpr std::size_t udp_max_payload = 65507;  // IPv4: 65535 - 20 - 8

// CONFIG_LWIP_MAX_UDP_PCBS endpoints, each with a queue of
// CONFIG_LWIP_UDP_RECVMBOX_SIZE datagrams (held in the buffers they arrived
// in). Endpoints hold addresses of either family; the IP layer says which
// ones it can send to (Unsupported for the rest). Core thread only.
class UdpEndpoints {
 public:
  // The guide's lwip_udp_conn: one endpoint's fixed part (its queued
  // datagrams sit in the stack's shared buffer pools).
  static std::size_t endpoint_object_size();

  static constexpr std::size_t capacity = config::max_udp_pcbs;

  UdpEndpoints(IpLayer& ip, Pools& pools, UdpStats& stats, Ipv4Stats& ipv4_stats, Random& random);
  UdpEndpoints(const UdpEndpoints&) = delete;
  UdpEndpoints& operator=(const UdpEndpoints&) = delete;

  Result<UdpHandle> open();
  // Port 0 picks an ephemeral port; an unspecified address takes datagrams
  // to any local address of its family (and IPv4 too for :: without
  // IPV6_V6ONLY). AddressInUse when another endpoint has the port on an
  // overlapping address (port_binding.h); AddressNotAvailable for an
  // address that is not ours; InvalidArgument when bound already; Closed
  // for a stale handle.
  Status bind(UdpHandle h, const IpEndpoint& local);
  // Sets the default destination and takes datagrams from it only. Binds
  // to an ephemeral port first when unbound.
  Status connect(UdpHandle h, const IpEndpoint& remote);
  // Forgets the peer and, as Linux, gives back a port that bind() did not
  // name (the next connect or send_to takes another, on the address bind()
  // named, if any).
  Status disconnect(UdpHandle h);
  Result<IpEndpoint> local(UdpHandle h) const;
  Status send_to(UdpHandle h, ConstBytes payload, const IpEndpoint& to, Instant now);
  Status send(UdpHandle h, ConstBytes payload, Instant now);
  // keep (MSG_PEEK): the datagram stays queued for the next receive.
  Result<UdpReceived> receive(UdpHandle h, Bytes into, bool keep = false);
  bool readable(UdpHandle h) const;
  // Bytes of the datagram receive() would return next (0 when none).
  std::size_t next_datagram_size(UdpHandle h) const;
  void set_broadcast(UdpHandle h, bool allowed);
  // Datagrams to 255.255.255.255 leave from 0.0.0.0 whatever address the
  // netif has (Stack::udp_set_broadcast_from_unspecified).
  void set_broadcast_from_unspecified(UdpHandle h, bool on);
  void set_ttl(UdpHandle h, std::uint8_t ttl);  // 0: back to the default
  void set_checksum(UdpHandle h, bool send_checksum);
  void set_tos(UdpHandle h, std::uint8_t tos);
  // IPV6_V6ONLY (an ESP-IDF addition for UDP): a binding to :: takes IPv6
  // only and leaves the port's IPv4 side free. Before bind; default off,
  // as Linux. Closed for a stale handle.
  Status set_v6only(UdpHandle h, bool v6only);
  // SO_RCVBUF: a datagram that would take the bytes queued past `bytes` is
  // dropped (udp.drop_queue_full), as lwIP's recv_bufsize; 0: no bound but
  // the queue's CONFIG_LWIP_UDP_RECVMBOX_SIZE datagrams (the default).
  void set_receive_buffer(UdpHandle h, std::size_t bytes);
  // SO_BINDTODEVICE: the endpoint takes only datagrams that arrived on
  // `netif` and sends through it whatever the routing table says (also
  // with no address on it yet: limited broadcasts from 0.0.0.0, the DHCP
  // client's case). nullopt unbinds. Closed for a stale handle.
  Status bind_netif(UdpHandle h, std::optional<NetifId> netif);
  std::optional<NetifId> bound_netif(UdpHandle h) const;
  // SO_REUSEADDR (CONFIG_LWIP_SO_REUSE; ignored when it is off): endpoints
  // that all set it before bind may share a port, on any addresses. A
  // unicast datagram goes to one of them (the most specific match, then the
  // first bound); with CONFIG_LWIP_SO_REUSE_RXTOALL a broadcast or multicast
  // one goes to each, as a copy from the buffer pools (a copy without a
  // buffer is dropped: udp.drop_no_buffer).
  void set_reuse_address(UdpHandle h, bool reuse);

  // ---- Multicast (IP_ADD_MEMBERSHIP and the IP_MULTICAST_* options) --------
  // Datagrams to a group joined on the netif they arrive on go to the
  // endpoints bound to the group or to any address on their port, whoever
  // joined. `interface`: the address of the netif (unspecified: the default
  // netif). Join: InvalidArgument (not a multicast group), NoRoute (no such
  // netif), AddressInUse (this endpoint joined it there already), NoBuffers
  // (the membership or group table is full). Leave: AddressNotAvailable
  // when this endpoint has not joined it (an unspecified interface matches
  // its membership on any netif). close() leaves every group.
  Status join_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now);
  Status leave_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now);
  // Where datagrams to a group leave (unspecified: the default netif).
  // AddressNotAvailable when no netif has the address.
  Status set_multicast_interface(UdpHandle h, Ipv4Address interface);
  // TTL of datagrams to a group (default 1; 0 stays 0: the host only).
  void set_multicast_ttl(UdpHandle h, std::uint8_t ttl);
  // Whether we get a copy of what we send to a group we are a member of
  // (default on).
  void set_multicast_loop(UdpHandle h, bool loop);
  // IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP: IPv6 names the netif by its index
  // (nullopt: ipv6_multicast_netif(), the route's; for a leave, any). Errors as join_group
  // and leave_group; NoRoute also for an unknown netif.
  Status join_group_v6(UdpHandle h, const Ipv6Address& group, std::optional<NetifId> netif, Instant now);
  Status leave_group_v6(UdpHandle h, const Ipv6Address& group, std::optional<NetifId> netif,
                        Instant now);
  // IPV6_MULTICAST_IF: the netif datagrams to IPv6 groups leave by
  // (nullopt: the route's choice). NoRoute for an unknown netif.
  Status set_multicast_netif_v6(UdpHandle h, std::optional<NetifId> netif);

  // Leaves every group the endpoint joined; `now` dates the leave messages.
  void close(UdpHandle h, Instant now = Instant{});
  // The owner's pointer for a handle (lwIP's udp_pcb arg), null until set
  // and again for the next handle in the slot. Closed for a stale handle.
  Status set_user_data(UdpHandle h, void* user_data);
  void* user_data(UdpHandle h) const;  // null for a stale handle
  std::size_t open_count() const;
  // Runs after a datagram was queued for a handle (inside input()).
  using EventCallback = void (*)(void* context, UdpHandle h);
  void set_event_callback(EventCallback callback, void* context) {
    event_callback_ = callback;
    event_context_ = context;
  }

  // A datagram from the IP layer (payload at the UDP header).
  void input(IpDelivery&& delivery, Instant now);
  // An ICMP error quoting one of our datagrams. As Linux (without
  // IP_RECVERR): only a connected endpoint whose 4-tuple the quote matches
  // records it, and only a hard error (port or protocol unreachable:
  // ConnectionRefused); the event callback then runs so readers wake.
  void icmp_error(const IcmpErrorReport& report);
  // The recorded error, cleared by the call (the socket's next recv/send or
  // SO_ERROR reports it once); nullopt when none.
  std::optional<Error> take_error(UdpHandle h);
  bool has_error(UdpHandle h) const;

 private:
  struct Datagram {
    PacketBuf payload;
    IpAddress from_address;
    std::uint16_t from_port = 0;
    IpAddress to;
    NetifId netif;
    // What QueuePool does to a dropped datagram: frees its buffer, and
    // leaves the rest for enqueue() to write over.
    void drop_held() { payload.release(); }
  };
  struct Endpoint {
    // Nearly every default is zero (the flags say what is not the
    // default), so that the table starts as zero bytes: each non-zero
    // default is a store per endpoint in the constructor. The small fields
    // come first, packed without the padding they left (4 bytes less per
    // endpoint on 32-bit).
    bool open = false;
    bool no_checksum = false;
    // Of the last handle; 0 until the first open() (which hands out 1).
    std::uint16_t generation = 0;
    std::uint8_t multicast_ttl = 1;
    bool no_multicast_loop = false;
    bool bound = false;
    IpAddress local_address;  // unspecified: any of its family
    std::uint16_t local_port = 0;
    // bind() named the port: it outlives disconnect() (Linux's
    // SOCK_BINDPORT_LOCK); a port taken by the endpoint itself does not.
    bool port_chosen = false;
    bool v6only = false;
    // Bound to a group or a broadcast address: sends from the netif's own
    // address (decided at bind, not per datagram).
    bool sends_from_netif = false;
    bool connected = false;
    IpAddress remote_address;
    std::uint16_t remote_port = 0;
    std::uint32_t remote_scope_id = 0;  // connect()'s sin6_scope_id
    bool broadcast = false;
    bool broadcast_from_unspecified = false;
    std::optional<std::uint8_t> ttl;  // none: the stack's default (IpSendOptions::hop_limit)
    std::optional<Error> error;  // from an ICMP error, until taken
    void* user_data = nullptr;
    // IP_TOS and SO_BINDTODEVICE.
    std::uint8_t tos = 0;
    // SO_RCVBUF (0: none) and the payload bytes queued now.
    std::size_t receive_buffer = 0;
    std::size_t queued_bytes = 0;
    std::optional<NetifId> netif;
    PooledQueue queue;  // in datagrams_, at most CONFIG_LWIP_UDP_RECVMBOX_SIZE
    // SO_REUSEADDR and multicast.
    bool reuse_address = false;
    std::uint32_t bind_order = 0;  // among equal matches, the first bound wins
    Ipv4Address multicast_interface;  // unspecified: the default netif
    std::optional<NetifId> multicast_netif_v6;  // IPV6_MULTICAST_IF
  };
  // One group joined by one endpoint (lwIP keeps these per socket too).
  struct Membership {
    bool used = false;
    std::uint16_t slot = 0;
    NetifId netif;
    IpAddress group;
  };
  // Without IGMP and MLD every join fails (Unsupported) and nothing is
  // kept: one entry, for join_on() to find free as before.
  static constexpr std::size_t membership_capacity =
      !config::igmp && !config::ipv6 ? 1
      : config::max_udp_pcbs > config::igmp_max_groups ? config::max_udp_pcbs : config::igmp_max_groups;

  Endpoint* get(UdpHandle h);
  const Endpoint* get(UdpHandle h) const;
  // Binds an unbound endpoint to an ephemeral port when it first reaches
  // `peer`.
  Status bind_implicitly(std::uint16_t slot, const IpAddress& peer);
  // Whether `binder` (not bound yet) would collide on `port` at `address`;
  // `reuse`: it asks for SO_REUSEADDR sharing. As on Linux, endpoints bound
  // (SO_BINDTODEVICE) to two different netifs never conflict.
  bool port_in_use(std::uint16_t port, const IpAddress& address, const Endpoint& binder, bool reuse) const;
  Status bind_slot(std::uint16_t slot, const IpAddress& address, std::uint16_t port);
  // The match of a datagram for an endpoint: -1 none, else higher is more
  // specific.
  int match(const Endpoint& e, const IpDelivery& d, std::uint16_t source_port,
            std::uint16_t destination_port) const;
  // Queues `payload` for `slot`, from `d`'s source (port `source_port`) to
  // its destination, built in its queue entry; false when the queue is full
  // (`payload` untouched).
  bool enqueue(std::uint16_t slot, PacketBuf&& payload, const IpDelivery& d, std::uint16_t source_port);
  std::optional<NetifId> multicast_netif(Ipv4Address interface) const;
  // The family-neutral halves of join_group and leave_group.
  Status join_on(UdpHandle h, const IpAddress& group, NetifId netif, Instant now);
  Status leave_on(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif, Instant now);
  // IGMP for an IPv4 group, MLD for an IPv6 one (Unsupported without IPv6).
  Status ip_join(NetifId netif, const IpAddress& group, Instant now);
  Status ip_leave(NetifId netif, const IpAddress& group, Instant now);

  IpLayer& ip_;
  Pools& pools_;
  UdpStats& stats_;
  Ipv4Stats& ipv4_stats_;
  Random& random_;
  std::array<Endpoint, capacity> endpoints_{};
  // Every queued datagram holds a buffer of the stack's pools, so the
  // queues never need more entries than those have buffers.
  QueuePool<Datagram, config::frame_pool_size + config::large_pool_size> datagrams_;
  SlotIndex<capacity> by_port_;
  std::array<Membership, membership_capacity> memberships_{};
  std::uint32_t binds_ = 0;
  EventCallback event_callback_ = nullptr;
  void* event_context_ = nullptr;
};

}  // namespace lwnet
