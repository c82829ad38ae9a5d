// Finds the slots of a fixed table by a 16-bit key (a port, an ICMP
// identifier) in O(1): each bucket heads a singly linked list threaded
// through the slots. Demultiplexing never scans the whole table.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace lwnet {

// Core thread only. A slot is in at most one list at a time. Slots may be
// 0 (a table compiled out): every bucket then stays empty.
template <std::size_t Slots>
class SlotIndex {
  static_assert(Slots < 0xffff);

 public:
  static constexpr std::uint16_t none = 0xffff;

  SlotIndex() { links_.fill(none); }

  void insert(std::uint16_t key, std::uint16_t slot) {
    std::uint16_t& head = links_[bucket(key)];
    links_[bucket_count + slot] = head;
    head = slot;
  }
  void erase(std::uint16_t key, std::uint16_t slot) {
    std::uint16_t* link = &links_[bucket(key)];
    while (*link != none) {
      if (*link == slot) {
        *link = links_[bucket_count + slot];
        links_[bucket_count + slot] = none;
        return;
      }
      link = &links_[bucket_count + *link];
    }
  }
  // The first slot of key's bucket (other keys may share it: compare), or none.
  std::uint16_t first(std::uint16_t key) const {
    if constexpr (Slots == 0) return none;
    return links_[bucket(key)];
  }
  std::uint16_t next(std::uint16_t slot) const { return links_[bucket_count + slot]; }

 private:
  static constexpr std::size_t bucket_count = std::bit_ceil(Slots) * 2;
  static constexpr int bucket_bits = std::countr_zero(bucket_count);
  // Fibonacci hashing: neighbouring ports spread over the buckets.
  static std::size_t bucket(std::uint16_t key) {
    return static_cast<std::size_t>((std::uint32_t{key} * 2654435769U) >> (32 - bucket_bits));
  }

  // The buckets' heads, then each slot's next: one array, filled in one go.
  std::array<std::uint16_t, bucket_count + Slots> links_{};
};

}  // namespace lwnet
