// The slots of TcpTable (tcp_table.h), shared by the files that implement
// it: tcp_table.cpp (connections, timers, data) and tcp_listeners.cpp
// (listeners, SYN handling, accept). Not a public header.
#pragma once

#include "transport/tcp/tcp_table.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace lwnet {

// A slot's connection, as an optional would hold it, but in storage outside
// the slot that nothing writes until a connection is built there. Every
// slot's TcpConnection inside the slot (about 1 KiB) made the whole slot
// array resident at start-up: 254 KiB with the host preset's 256 slots.
// Now a slot that never held a connection costs no resident memory, and
// the lowest free slot is taken first, so few pages are ever touched.
class SlotConnection {
 public:
  SlotConnection() = default;
  SlotConnection(const SlotConnection&) = delete;
  SlotConnection& operator=(const SlotConnection&) = delete;
  // Trivially destructible, so that the slot array needs no count in front
  // of it nor a loop to destroy it: ~TcpTable() resets every slot itself.

  explicit operator bool() const { return object_ != nullptr; }
  TcpConnection* operator->() { return object_; }
  const TcpConnection* operator->() const { return object_; }
  TcpConnection& operator*() { return *object_; }
  const TcpConnection& operator*() const { return *object_; }
  // Builds the connection in `storage`: always the same for a slot (the
  // table's, at the slot's index). The slot holds none: the table builds
  // only in a free slot (allocate_slot()).
  template <class... Args>
  TcpConnection& emplace(void* storage, Args&&... args) {
    object_ = std::construct_at(static_cast<TcpConnection*>(storage), std::forward<Args>(args)...);
    return *object_;
  }
  void reset() {
    if (object_ != nullptr) std::destroy_at(object_);
    object_ = nullptr;
  }

 private:
  TcpConnection* object_ = nullptr;
};

struct TcpTable::ConnectionSlot {
  SlotConnection connection;
  // Never 0: TcpHandle{} (generation 0) means "no handle" and must reach nothing.
  std::uint16_t generation = 1;
  bool owned = false;            // the application holds (or will receive) a handle
  std::int16_t listener = -1;    // the listener it waits in, until accepted
  bool queued = false;           // in that listener's accept queue (handshake done)
  std::int16_t next_in_bucket = -1;
  std::uint8_t pending_events = 0;
  Instant opened_at;             // when its SYN arrived: the oldest half-open goes first
  bool stale = false;            // in stale_: refresh its timer before the next look
  std::int16_t buffers = -1;     // its buffer pair (TcpTable::storage_), or none
  void* user_data = nullptr;     // the owner's (lwIP's tcp_arg); dropped with the handle
};

struct TcpTable::ListenerSlot {
  bool in_use = false;
  std::uint16_t generation = 1;  // never 0, as ConnectionSlot's
  IpEndpoint local;
  std::size_t backlog = 0;
  std::size_t embryonic = 0;  // handshakes in progress
  std::array<std::int16_t, config::tcp_acceptmbox_size> ready{};  // FIFO of established slots
  std::size_t ready_head = 0;
  std::size_t ready_count = 0;
  std::uint8_t pending_events = 0;
  TcpSettings settings;  // for the connections it accepts
  // When it last answered a SYN with a cookie: only then may an ACK for no
  // connection be a cookie coming back (else it is answered as before).
  // Read by SYN cookies only: no room without them.
  [[no_unique_address]] std::conditional_t<config::tcp_syn_cookies, std::optional<Instant>, TcpNoOption<Instant>>
      last_cookie_sent;
  void* user_data = nullptr;
};

inline constexpr std::int16_t no_slot = -1;

// The next generation of a slot, skipping 0 (the "no handle" generation).
inline std::uint16_t next_generation(std::uint16_t generation) {
  const auto next = static_cast<std::uint16_t>(generation + 1);
  return next != 0 ? next : std::uint16_t{1};
}

}  // namespace lwnet
