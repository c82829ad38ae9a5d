// IPv4 reassembly on its own: byte ranges, completion, limits, timeouts.
#include <gtest/gtest.h>

#include <vector>

#include "config/options.h"
#include "ip/ipv4_reassembly.h"
#include "support/frames.h"
#include "util/checksum.h"

namespace lwnet::reassembly_test {
namespace {

using test::ByteVector;

TEST(ByteRanges, MergesNeighboursAndRejectsOverlaps) {
  ByteRanges r;
  EXPECT_EQ(r.insert(16, 24), ByteRanges::Insert::Ok);
  EXPECT_EQ(r.insert(0, 8), ByteRanges::Insert::Ok);
  EXPECT_EQ(r.size(), 2U);
  EXPECT_EQ(r.insert(8, 16), ByteRanges::Insert::Ok);  // joins both
  EXPECT_EQ(r.size(), 1U);
  EXPECT_TRUE(r.covers(24));
  EXPECT_FALSE(r.covers(32));
  EXPECT_EQ(r.insert(20, 28), ByteRanges::Insert::Overlap);
  EXPECT_EQ(r.insert(0, 8), ByteRanges::Insert::Overlap);  // a duplicate overlaps too
  EXPECT_EQ(r.insert(24, 32), ByteRanges::Insert::Ok);
  EXPECT_EQ(r.end(), 32U);
  ByteRanges full;
  for (std::uint32_t i = 0; i < ByteRanges::capacity; ++i) {
    EXPECT_EQ(full.insert(i * 16, i * 16 + 8), ByteRanges::Insert::Ok);
  }
  EXPECT_EQ(full.insert(1000, 1008), ByteRanges::Insert::Full);
  EXPECT_EQ(full.insert(8, 16), ByteRanges::Insert::Ok);  // merging needs no room
}

// The datagram table exists only with IPv4 reassembly on (its slots are
// sized by CONFIG_LWIP_IP4_REASSEMBLY); ByteRanges above does not need it.
#if CONFIG_LWIP_IP4_REASSEMBLY

struct ReassemblyTest : ::testing::Test {
  // A fragment of a datagram whose payload is `whole`, in a pool buffer
  // positioned at its IP header, with its parse.
  std::pair<PacketBuf, Ipv4Repr> fragment(std::uint16_t id, std::size_t offset, std::size_t length,
                                          bool more) {
    Ipv4Repr h;
    h.source = Ipv4Address::of(192, 0, 2, 9);
    h.destination = Ipv4Address::of(192, 0, 2, 1);
    h.protocol = 17;
    h.identification = id;
    h.fragment_offset = static_cast<std::uint16_t>(offset);
    h.more_fragments = more;
    const ByteVector bytes =
        test::ipv4_packet(h, ConstBytes(whole).subspan(offset, length));
    PacketBuf buf = *pools.frames.allocate(config::headroom);
    Bytes room = buf.append(bytes.size());
    std::copy(bytes.begin(), bytes.end(), room.begin());
    Ipv4Repr parsed = *Ipv4Repr::parse(buf.data(), true);
    return {std::move(buf), parsed};
  }
  std::optional<PacketBuf> add(std::uint16_t id, std::size_t offset, std::size_t length, bool more,
                               Instant at) {
    auto [buf, ip] = fragment(id, offset, length, more);
    bool link_broadcast = false;
    return reassembly.add(std::move(buf), ip, NetifId{1}, link_broadcast, at);
  }

  ByteVector whole = test::pattern(20000, 5);
  Pools pools{64, config::frame_buffer_size, 2, config::large_buffer_size};
  Ipv4Stats stats;
  Ipv4Reassembly reassembly{pools, stats};
  Instant t0 = Instant::from_seconds(3);
};

TEST_F(ReassemblyTest, CompletesOutOfOrderWithARebuiltHeader) {
  EXPECT_FALSE(add(1, 2960, 40, false, t0));
  EXPECT_FALSE(add(1, 0, 1480, true, t0));
  EXPECT_EQ(reassembly.held_buffers(), 2U);
  std::optional<PacketBuf> done = add(1, 1480, 1480, true, t0);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(reassembly.held_buffers(), 0U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  ConstBytes bytes = done->data();
  ASSERT_EQ(bytes.size(), 20U + 3000U);
  Result<Ipv4Repr> ip = Ipv4Repr::parse(bytes, true);  // checksum verified
  ASSERT_TRUE(ip.ok());
  EXPECT_FALSE(ip->is_fragment());
  EXPECT_EQ(ip->identification, 1);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  EXPECT_EQ(stats.reass_ok, 1U);
  // Room in front for the headers of an answer built in place.
  EXPECT_GE(done->headroom(), 34U);
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ReassemblyTest, SpillsIntoALargeBufferPastMaxPbufs) {
  const std::size_t count = config::ip_reass_max_pbufs + 3;
  std::optional<PacketBuf> done;
  for (std::size_t i = 0; i < count; ++i) {
    done = add(2, i * 1480, 1480, i + 1 < count, t0);
    EXPECT_LE(pools.frames.stats().used, config::ip_reass_max_pbufs);
    if (i + 1 < count) {
      EXPECT_FALSE(done.has_value());
    }
  }
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->size(), 20U + count * 1480U);
  Result<Ipv4Repr> ip = Ipv4Repr::parse(done->data(), true);
  ASSERT_TRUE(ip.ok());
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ReassemblyTest, TimeoutQuotesTheFirstFragmentAndFreesEverything) {
  EXPECT_FALSE(add(3, 0, 1480, true, t0));
  EXPECT_FALSE(add(4, 1480, 1480, true, t0 + Duration::seconds(1)));
  EXPECT_EQ(reassembly.next_deadline(), t0 + Ipv4Reassembly::timeout);
  std::vector<ByteVector> quotes;
  auto collect = [&](NetifId, ConstBytes quote) { quotes.emplace_back(quote.begin(), quote.end()); };
  reassembly.expire(t0 + Ipv4Reassembly::timeout, collect);
  ASSERT_EQ(quotes.size(), 1U);
  ASSERT_EQ(quotes[0].size(), 28U);
  EXPECT_EQ(load_be16(quotes[0], 4), 3);  // identification of datagram 3
  EXPECT_TRUE(std::equal(quotes[0].begin() + 20, quotes[0].end(), whole.begin()));
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(1) + Ipv4Reassembly::timeout);
  reassembly.expire(t0 + Duration::seconds(100), collect);
  EXPECT_EQ(quotes.size(), 1U);  // datagram 4 had no first fragment
  EXPECT_EQ(stats.reass_timeout, 2U);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ReassemblyTest, InconsistentFragmentsDropTheDatagram) {
  EXPECT_FALSE(add(5, 1480, 1480, false, t0));
  EXPECT_FALSE(add(5, 1480, 800, false, t0));  // a second, different end
  EXPECT_EQ(stats.drop_malformed, 1U);
  EXPECT_EQ(pools.in_use(), 0U);
  EXPECT_FALSE(add(6, 1480, 1480, false, t0));
  EXPECT_FALSE(add(6, 2960, 8, true, t0));  // data past the known end
  EXPECT_EQ(stats.drop_malformed, 2U);
  EXPECT_EQ(pools.in_use(), 0U);
}

// With every slot taken by a datagram that may never complete (a lost
// fragment, or a few forged ones every timeout), a new datagram pushes out
// the oldest instead of being refused: refused, four fragments per timeout
// stopped all reassembly.
TEST_F(ReassemblyTest, ANewDatagramPushesOutTheOldestWhenAllSlotsAreTaken) {
  for (std::size_t i = 0; i < config::reass_max_datagrams; ++i) {
    EXPECT_FALSE(add(static_cast<std::uint16_t>(10 + i), 0, 8, true,
                     t0 + Duration::seconds(static_cast<std::int64_t>(i))));
  }
  const Instant later = t0 + Duration::seconds(static_cast<std::int64_t>(config::reass_max_datagrams));
  EXPECT_FALSE(add(99, 0, 1480, true, later));
  EXPECT_EQ(stats.reass_evicted, 1U);
  EXPECT_EQ(stats.reass_no_room, 0U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), config::reass_max_datagrams);
  EXPECT_EQ(reassembly.held_buffers(), config::reass_max_datagrams);
  // Datagram 10 is gone: the next to time out is 11.
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(1) + Ipv4Reassembly::timeout);
  std::optional<PacketBuf> done = add(99, 1480, 40, false, later);
  ASSERT_TRUE(done.has_value());
  Result<Ipv4Repr> ip = Ipv4Repr::parse(done->data(), true);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->identification, 99);
  ASSERT_EQ(ip->payload.size(), 1520U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  std::size_t quotes = 0;
  reassembly.expire(t0 + Duration::seconds(100), [&](NetifId, ConstBytes) { ++quotes; });
  EXPECT_EQ(quotes, config::reass_max_datagrams - 1);  // never datagram 10 again
  EXPECT_EQ(stats.reass_timeout, config::reass_max_datagrams - 1);
  EXPECT_EQ(pools.in_use(), 0U);
}

// Past CONFIG_LWIP_IP_REASS_MAX_PBUFS a datagram needs a large buffer. When
// incomplete datagrams hold every one (two lost last fragments are enough
// with ESP-IDF's two), the oldest of them gives way, as a slot does:
// refused instead, every long datagram was lost until they timed out.
TEST_F(ReassemblyTest, AnOlderSpilledDatagramGivesItsLargeBufferToANewOne) {
  const std::size_t count = config::ip_reass_max_pbufs + 1;  // spills at the last one
  const std::size_t large = pools.large.stats().capacity;
  for (std::size_t d = 0; d < large; ++d) {
    const Instant at = t0 + Duration::seconds(static_cast<std::int64_t>(d));
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_FALSE(add(static_cast<std::uint16_t>(30 + d), i * 1480, 1480, true, at));
    }
  }
  EXPECT_EQ(pools.large.stats().used, large);
  const Instant later = t0 + Duration::seconds(static_cast<std::int64_t>(large));
  std::optional<PacketBuf> done;
  for (std::size_t i = 0; i <= count; ++i) done = add(99, i * 1480, 1480, i < count, later);
  EXPECT_EQ(stats.reass_evicted, 1U);
  EXPECT_EQ(stats.reass_no_room, 0U);
  ASSERT_TRUE(done.has_value());
  Result<Ipv4Repr> ip = Ipv4Repr::parse(done->data(), true);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->identification, 99);
  ASSERT_EQ(ip->payload.size(), (count + 1) * 1480U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  // Datagram 30 is gone: the next to time out is 31.
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(1) + Ipv4Reassembly::timeout);
  reassembly.expire(t0 + Duration::seconds(100), [](NetifId, ConstBytes) {});
  EXPECT_EQ(stats.reass_timeout, large - 1);
  EXPECT_EQ(pools.in_use(), 0U);
}

// RFC 5722's erratum 3089: a fragment that comes twice, the same bytes, is
// dropped alone and the datagram completes; a copy whose bytes differ drops
// the datagram. Both while the fragments wait in their frame buffers and
// once they were copied into a large one.
TEST_F(ReassemblyTest, AnExactDuplicateIsDroppedAloneADifferentCopyDropsTheDatagram) {
  EXPECT_FALSE(add(20, 0, 1480, true, t0));
  EXPECT_FALSE(add(20, 0, 1480, true, t0));
  EXPECT_FALSE(add(20, 8, 16, true, t0));  // inside the first: the same bytes too
  EXPECT_EQ(stats.reass_duplicate, 2U);
  EXPECT_EQ(stats.reass_overlap, 0U);
  EXPECT_EQ(reassembly.held_buffers(), 1U);
  std::optional<PacketBuf> done = add(20, 1480, 40, false, t0);
  ASSERT_TRUE(done.has_value());
  Result<Ipv4Repr> ip = Ipv4Repr::parse(done->data(), true);
  ASSERT_TRUE(ip.ok());
  ASSERT_EQ(ip->payload.size(), 1520U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();

  // Spilled: more fragments than CONFIG_LWIP_IP_REASS_MAX_PBUFS.
  const std::size_t count = config::ip_reass_max_pbufs + 2;
  for (std::size_t i = 0; i + 1 < count; ++i) EXPECT_FALSE(add(21, i * 1480, 1480, true, t0));
  EXPECT_EQ(reassembly.held_buffers(), 0U);
  EXPECT_FALSE(add(21, 2 * 1480, 1480, true, t0));
  EXPECT_EQ(stats.reass_duplicate, 3U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 1U);
  whole[1480 + 5] ^= 0xff;
  EXPECT_FALSE(add(21, 1480, 1480, true, t0));
  whole[1480 + 5] ^= 0xff;
  EXPECT_EQ(stats.reass_duplicate, 3U);
  EXPECT_EQ(stats.reass_overlap, 1U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);

  // Held: a different copy of a fragment in a frame buffer.
  EXPECT_FALSE(add(22, 0, 1480, true, t0));
  whole[7] ^= 0xff;
  EXPECT_FALSE(add(22, 0, 1480, true, t0));
  whole[7] ^= 0xff;
  EXPECT_EQ(stats.reass_overlap, 2U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);
}

#endif  // CONFIG_LWIP_IP4_REASSEMBLY

}  // namespace
}  // namespace lwnet::reassembly_test
