// IPv6 reassembly on its own (RFC 8200 4.5, RFC 5722, RFC 6946): the two
// fragments of a Linux `ping -6 -s 1600` (captured between two namespaces),
// out-of-order completion, unfragmentable extension headers, atomic
// fragments, overlaps, the held-buffer limit, timeouts and every limit.
#include <gtest/gtest.h>

#include <vector>

#include "config/options.h"
#include "ip/ipv6_reassembly.h"
#include "support/frames.h"
#include "support/hex.h"
#include "wire/icmpv6.h"

namespace lwnet::ipv6_reassembly_test {
namespace {

using test::ByteVector;
using test::hex;

// The datagram table exists only with IPv6 reassembly on (its slots are
// sized by CONFIG_LWIP_IP6_REASSEMBLY); the header rewrite below does not
// need it.
#if CONFIG_LWIP_IPV6 && CONFIG_LWIP_IP6_REASSEMBLY

const std::vector<std::uint8_t> linux_first_fragment = hex(
    "60 07 dc c4 05 b0 2c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 00 01 79 ad 47 e1 "
    "80 00 97 d6 37 dc 00 01 77 91 12 6b 00 00 00 00 "
    "90 01 07 00 00 00 00 00 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 "
    "a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 "
    "b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 "
    "c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 "
    "d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 "
    "e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 "
    "f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05 06 07 "
    "08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 "
    "a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 "
    "b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 "
    "c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 "
    "d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 "
    "e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 "
    "f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05 06 07 "
    "08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 "
    "a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 "
    "b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 "
    "c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 "
    "d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 "
    "e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 "
    "f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05 06 07 "
    "08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 "
    "a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 "
    "b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 "
    "c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 "
    "d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 "
    "e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 "
    "f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05 06 07 "
    "08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 "
    "a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 "
    "b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 "
    "c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 "
    "d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 "
    "e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 "
    "f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05 06 07 "
    "08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 "
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 "
    "38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 "
    "48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 "
    "58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 "
    "68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 "
    "78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 "
    "88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 "
    "98 99 9a 9b 9c 9d 9e 9f");
const std::vector<std::uint8_t> linux_last_fragment = hex(
    "60 07 dc c4 00 a8 2c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 05 a8 79 ad 47 e1 "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f");

Ipv6Address address(std::string_view text) { return parse_ip_address(text)->v6(); }

struct Ipv6ReassemblyTest : ::testing::Test {
  // A packet in a pool buffer, with the parse of its header and fragment
  // header, ready for add().
  struct Fragment {
    PacketBuf buf;
    Ipv6Repr ip;
    std::size_t fragment_header_offset = 0;
    Ipv6FragmentHeader header;
  };

  Fragment load(ConstBytes bytes) {
    Fragment f;
    f.buf = *pools.frames.allocate(config::headroom);
    Bytes room = f.buf.append(bytes.size());
    std::copy(bytes.begin(), bytes.end(), room.begin());
    f.ip = *Ipv6Repr::parse(f.buf.data());
    Ipv6HeaderWalker walker(f.ip);
    Result<bool> step = true;
    while ((step = walker.next()).ok() && *step) {
      if (walker.header().type == ipv6_next_header::fragment) {
        f.fragment_header_offset = walker.header().offset;
        f.header = *Ipv6FragmentHeader::parse(walker.header().bytes);
      }
    }
    return f;
  }

  // The bytes of a fragment of `whole` (an upper-layer payload with next
  // header 17): the IPv6 header, a hop-by-hop header when with_hop_by_hop,
  // the fragment header, the data.
  ByteVector fragment_bytes(std::uint32_t id, std::size_t offset, std::size_t length, bool more,
                            bool with_hop_by_hop = false) {
    const std::size_t extension_len = with_hop_by_hop ? 8 : 0;
    ByteVector out(40 + extension_len + 8 + length);
    Ipv6Repr ip;
    ip.source = source;
    ip.destination = destination;
    ip.next_header = with_hop_by_hop ? ipv6_next_header::hop_by_hop : ipv6_next_header::fragment;
    ip.payload_len = out.size() - 40;
    ip.emit(out);
    if (with_hop_by_hop) {
      Ipv6OptionsHeader hbh;
      hbh.next_header = ipv6_next_header::fragment;
      hbh.emit(Bytes(out).subspan(40, 8));
    }
    Ipv6FragmentHeader fragment;
    fragment.next_header = 17;
    fragment.fragment_offset = static_cast<std::uint16_t>(offset);
    fragment.more_fragments = more;
    fragment.identification = id;
    fragment.emit(Bytes(out).subspan(40 + extension_len, 8));
    std::copy_n(whole.begin() + static_cast<std::ptrdiff_t>(offset), length,
                out.begin() + static_cast<std::ptrdiff_t>(48 + extension_len));
    return out;
  }

  std::optional<PacketBuf> add(Fragment&& f, Instant at) {
    return reassembly.add(std::move(f.buf), f.ip, f.fragment_header_offset, f.header, NetifId{1},
                          at);
  }
  std::optional<PacketBuf> add(std::uint32_t id, std::size_t offset, std::size_t length, bool more,
                               Instant at, bool with_hop_by_hop = false) {
    return add(load(fragment_bytes(id, offset, length, more, with_hop_by_hop)), at);
  }

  Ipv6Address source = address("2001:db8:1::a");
  Ipv6Address destination = address("2001:db8:1::b");
  ByteVector whole = test::pattern(70000, 7);
  Pools pools{64, config::frame_buffer_size, 2, config::large_buffer_size};
  Ipv6ReassemblyStats stats;
  Ipv6Reassembly reassembly{pools, stats};
  Instant t0 = Instant::from_seconds(3);
};

TEST_F(Ipv6ReassemblyTest, ReassemblesALinuxPing) {
  EXPECT_FALSE(add(load(linux_last_fragment), t0));
  std::optional<PacketBuf> done = add(load(linux_first_fragment), t0);
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->next_header, ipv6_next_header::icmpv6);
  EXPECT_EQ(ip->payload_len, 1608U);  // ping -s 1600: 8-byte header and 1600 bytes
  EXPECT_EQ(done->size(), 40U + 1608U);
  EXPECT_EQ(ip->flow_label, 0x7dcc4U);
  // The checksum Linux computed over the whole message verifies.
  Result<Icmpv6Repr> icmp = Icmpv6Repr::parse(ip->payload, ip->source, ip->destination, true);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, static_cast<std::uint8_t>(Icmpv6Type::EchoRequest));
  EXPECT_EQ(icmp->identifier, 0x37dc);
  EXPECT_EQ(stats.reass_ok, 1U);
  EXPECT_EQ(reassembly.held_buffers(), 0U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_GE(done->headroom(), 14U);
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(Ipv6ReassemblyTest, CompletesOutOfOrder) {
  EXPECT_FALSE(add(1, 2896, 100, false, t0));
  EXPECT_FALSE(add(1, 1448, 1448, true, t0));
  EXPECT_EQ(reassembly.held_buffers(), 2U);
  EXPECT_EQ(reassembly.next_deadline(), t0 + Ipv6Reassembly::timeout);
  std::optional<PacketBuf> done = add(1, 0, 1448, true, t0 + Duration::seconds(1));
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->next_header, 17);
  ASSERT_EQ(ip->payload_len, 2996U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  EXPECT_EQ(reassembly.next_deadline(), Instant::max());
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(Ipv6ReassemblyTest, KeepsTheFirstFragmentsUnfragmentableHeaders) {
  EXPECT_FALSE(add(2, 1448, 552, false, t0, true));
  std::optional<PacketBuf> done = add(2, 0, 1448, true, t0, true);
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->next_header, ipv6_next_header::hop_by_hop);
  EXPECT_EQ(ip->payload_len, 8U + 2000U);
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok() && *step);
  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 17);  // the fragment header is gone
  EXPECT_TRUE(std::equal(walker.rest().begin(), walker.rest().end(), whole.begin()));
  EXPECT_EQ(walker.rest().size(), 2000U);
}

TEST_F(Ipv6ReassemblyTest, AtomicFragmentsPassStraightThrough) {
  // A datagram in progress with the same identification is left alone
  // (RFC 6946 4).
  EXPECT_FALSE(add(3, 0, 1448, true, t0));
  std::optional<PacketBuf> atomic = add(3, 0, 300, false, t0, true);
  ASSERT_TRUE(atomic.has_value());
  EXPECT_EQ(stats.atomic, 1U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 1U);
  EXPECT_EQ(reassembly.held_buffers(), 1U);
  Result<Ipv6Repr> ip = Ipv6Repr::parse(atomic->data());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->payload_len, 8U + 300U);
  EXPECT_EQ(atomic->size(), 40U + 8U + 300U);
  EXPECT_EQ(ip->source, source);
  EXPECT_EQ(ip->destination, destination);
  Result<Ipv6OptionsHeader> hbh = Ipv6OptionsHeader::parse(ip->payload);
  ASSERT_TRUE(hbh.ok());
  EXPECT_EQ(hbh->next_header, 17);
  EXPECT_TRUE(std::equal(ip->payload.begin() + 8, ip->payload.end(), whole.begin()));
  atomic.reset();

  // Without extension headers too: the IPv6 header's Next Header is rebuilt.
  std::optional<PacketBuf> plain = add(4, 0, 16, false, t0);
  ASSERT_TRUE(plain.has_value());
  Result<Ipv6Repr> p = Ipv6Repr::parse(plain->data());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->next_header, 17);
  EXPECT_EQ(p->payload_len, 16U);
  plain.reset();
  std::optional<PacketBuf> done = add(3, 1448, 8, false, t0);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->size(), 40U + 1456U);
}

TEST_F(Ipv6ReassemblyTest, OverlapsDropTheWholeDatagram) {
  EXPECT_FALSE(add(5, 0, 1448, true, t0));
  EXPECT_FALSE(add(5, 2896, 8, false, t0));
  EXPECT_FALSE(add(5, 1440, 1456, true, t0));  // overlaps the first by 8 bytes
  EXPECT_EQ(stats.reass_overlap, 1U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);
  // What follows starts over, and never completes from the dropped parts.
  EXPECT_FALSE(add(5, 1448, 1448, true, t0));
  EXPECT_FALSE(add(5, 2896, 8, false, t0));
  EXPECT_EQ(reassembly.datagrams_in_progress(), 1U);
  EXPECT_EQ(stats.reass_ok, 0U);
}

TEST_F(Ipv6ReassemblyTest, SpillsIntoALargeBufferPastMaxPbufs) {
  const std::size_t count = config::ip_reass_max_pbufs + 3;
  std::optional<PacketBuf> done;
  for (std::size_t i = 0; i < count; ++i) {
    // Last to first: the first fragment arrives after the spill.
    const std::size_t at = count - 1 - i;
    done = add(7, at * 1232, 1232, at + 1 < count, t0);
    EXPECT_LE(reassembly.held_buffers(), config::ip_reass_max_pbufs);
    if (i + 1 < count) {
      EXPECT_FALSE(done.has_value());
    }
  }
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  ASSERT_EQ(ip->payload_len, count * 1232U);
  EXPECT_EQ(ip->next_header, 17);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  EXPECT_GE(done->headroom(), 14U);
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);

  // The largest datagram: 65535 bytes of payload, in 1232-byte fragments,
  // first fragment first.
  const std::size_t largest = Ipv6Reassembly::max_payload;
  for (std::size_t at = 0; at < largest; at += 1232) {
    const std::size_t length = std::min<std::size_t>(1232, largest - at);
    done = add(8, at, length, at + length < largest, t0);
  }
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> big = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->payload_len, largest);
  EXPECT_TRUE(std::equal(big->payload.begin(), big->payload.end(), whole.begin()));
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(Ipv6ReassemblyTest, TimeoutQuotesTheWholeFirstFragment) {
  EXPECT_FALSE(add(9, 0, 1448, true, t0));
  EXPECT_FALSE(add(10, 1448, 1448, true, t0 + Duration::seconds(1)));
  EXPECT_EQ(Ipv6Reassembly::timeout, Duration::seconds(60));
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(60));
  std::vector<ByteVector> quotes;
  std::vector<NetifId> netifs;
  auto collect = [&](NetifId netif, ConstBytes quote) {
    quotes.emplace_back(quote.begin(), quote.end());
    netifs.push_back(netif);
  };
  reassembly.expire(t0 + Duration::seconds(59), collect);
  EXPECT_TRUE(quotes.empty());
  reassembly.expire(t0 + Duration::seconds(60), collect);
  ASSERT_EQ(quotes.size(), 1U);
  EXPECT_EQ(netifs[0], NetifId{1});
  EXPECT_EQ(quotes[0], fragment_bytes(9, 0, 1448, true));
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(61));
  reassembly.expire(t0 + Duration::seconds(100), collect);
  EXPECT_EQ(quotes.size(), 1U);  // datagram 10 had no first fragment
  EXPECT_EQ(stats.reass_timeout, 2U);
  EXPECT_EQ(pools.in_use(), 0U);

  // A spilled datagram still has its first fragment to quote.
  for (std::size_t i = 0; i <= config::ip_reass_max_pbufs; ++i) {
    EXPECT_FALSE(add(11, i * 1232, 1232, true, t0));
  }
  EXPECT_EQ(reassembly.held_buffers(), 1U);
  reassembly.expire(t0 + Duration::seconds(60), collect);
  ASSERT_EQ(quotes.size(), 2U);
  EXPECT_EQ(quotes[1], fragment_bytes(11, 0, 1232, true));
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(Ipv6ReassemblyTest, MalformedFragmentsAreDroppedAndCounted) {
  // Not a multiple of 8 with more to come: parameter problem at the payload length.
  Fragment odd = load(fragment_bytes(12, 0, 1447, true));
  EXPECT_EQ(Ipv6Reassembly::parameter_problem_pointer(odd.ip, odd.fragment_header_offset,
                                                      odd.header),
            std::optional<std::uint32_t>{4});
  EXPECT_FALSE(add(std::move(odd), t0));
  EXPECT_EQ(stats.drop_malformed, 1U);
  // Past 65535 bytes: parameter problem at the fragment offset field.
  Fragment far = load(fragment_bytes(12, 65528, 16, false, true));
  EXPECT_EQ(Ipv6Reassembly::parameter_problem_pointer(far.ip, far.fragment_header_offset,
                                                      far.header),
            std::optional<std::uint32_t>{40 + 8 + 2});
  EXPECT_FALSE(add(std::move(far), t0));
  EXPECT_EQ(stats.reass_too_big, 1U);
  // A fine fragment needs no parameter problem.
  Fragment fine = load(fragment_bytes(12, 0, 1448, true));
  EXPECT_FALSE(Ipv6Reassembly::parameter_problem_pointer(fine.ip, fine.fragment_header_offset,
                                                         fine.header)
                   .has_value());
  fine.buf.release();
  // No data at all.
  EXPECT_FALSE(add(12, 8, 0, true, t0));
  EXPECT_EQ(stats.drop_malformed, 2U);
  // Two different ends.
  EXPECT_FALSE(add(13, 1448, 1448, false, t0));
  EXPECT_FALSE(add(13, 1448, 800, false, t0));
  EXPECT_EQ(stats.drop_malformed, 3U);
  // Data past the known end.
  EXPECT_FALSE(add(14, 1448, 1448, false, t0));
  EXPECT_FALSE(add(14, 2896, 8, true, t0));
  EXPECT_EQ(stats.drop_malformed, 4U);
  // The fragment header offset past the payload.
  Fragment wrong = load(fragment_bytes(15, 0, 8, true));
  wrong.fragment_header_offset = 8;
  EXPECT_FALSE(add(std::move(wrong), t0));
  EXPECT_EQ(stats.drop_malformed, 5U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(Ipv6ReassemblyTest, TooLongAnUnfragmentablePart) {
  // 40 + 72 bytes of hop-by-hop options before the fragment header.
  ByteVector bytes(40 + 72 + 8 + 8, 0);
  Ipv6Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = ipv6_next_header::hop_by_hop;
  ip.payload_len = bytes.size() - 40;
  ip.emit(bytes);
  bytes[40] = ipv6_next_header::fragment;
  bytes[41] = 8;  // (8 + 1) * 8 = 72 bytes
  bytes[42] = ipv6_option_padn;
  bytes[43] = 68;
  Ipv6FragmentHeader fragment;
  fragment.next_header = 17;
  fragment.more_fragments = true;
  fragment.identification = 16;
  fragment.emit(Bytes(bytes).subspan(112, 8));
  EXPECT_FALSE(add(load(bytes), t0));
  EXPECT_EQ(stats.reass_too_big, 1U);
  EXPECT_EQ(pools.in_use(), 0U);
}

// With every slot taken by a datagram that may never complete (a lost
// fragment, or a few forged ones every timeout), a new datagram pushes out
// the oldest instead of being refused: refused, four fragments a minute
// stopped all reassembly.
TEST_F(Ipv6ReassemblyTest, ANewDatagramPushesOutTheOldestWhenAllSlotsAreTaken) {
  for (std::size_t i = 0; i < config::reass_max_datagrams; ++i) {
    EXPECT_FALSE(add(static_cast<std::uint32_t>(20 + i), 0, 8, true,
                     t0 + Duration::seconds(static_cast<std::int64_t>(i))));
  }
  const Instant later = t0 + Duration::seconds(static_cast<std::int64_t>(config::reass_max_datagrams));
  EXPECT_FALSE(add(99, 0, 1448, true, later));
  EXPECT_EQ(stats.reass_evicted, 1U);
  EXPECT_EQ(stats.reass_no_room, 0U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), config::reass_max_datagrams);
  EXPECT_EQ(reassembly.held_buffers(), config::reass_max_datagrams);
  // Datagram 20 is gone: the next to time out is 21.
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(1) + Ipv6Reassembly::timeout);
  std::optional<PacketBuf> done = add(99, 1448, 40, false, later);
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->next_header, 17);
  ASSERT_EQ(ip->payload_len, 1488U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  std::vector<ByteVector> quotes;
  reassembly.expire(t0 + Duration::seconds(1000), [&](NetifId, ConstBytes quote) {
    quotes.emplace_back(quote.begin(), quote.end());
  });
  ASSERT_EQ(quotes.size(), config::reass_max_datagrams - 1);  // never datagram 20 again
  EXPECT_EQ(quotes[0], fragment_bytes(21, 0, 8, true));
  EXPECT_EQ(stats.reass_timeout, config::reass_max_datagrams - 1);
  EXPECT_EQ(pools.in_use(), 0U);
}

// Past CONFIG_LWIP_IP_REASS_MAX_PBUFS a datagram needs a large buffer. When
// incomplete datagrams hold every one (two lost last fragments are enough
// with ESP-IDF's two), the oldest of them gives way, as a slot does:
// refused instead, every long datagram was lost for the minute until they
// timed out.
TEST_F(Ipv6ReassemblyTest, AnOlderSpilledDatagramGivesItsLargeBufferToANewOne) {
  const std::size_t count = config::ip_reass_max_pbufs + 1;  // both spill
  const std::size_t large = pools.large.stats().capacity;
  for (std::size_t d = 0; d < large; ++d) {
    const Instant at = t0 + Duration::seconds(static_cast<std::int64_t>(d));
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_FALSE(add(static_cast<std::uint32_t>(30 + d), i * 1232, 1232, true, at));
    }
  }
  EXPECT_EQ(pools.large.stats().used, large);
  EXPECT_EQ(reassembly.held_buffers(), large);  // their first fragments, for the quotes
  const Instant later = t0 + Duration::seconds(static_cast<std::int64_t>(large));
  std::optional<PacketBuf> done;
  for (std::size_t i = 0; i <= count; ++i) done = add(99, i * 1232, 1232, i < count, later);
  EXPECT_EQ(stats.reass_evicted, 1U);
  EXPECT_EQ(stats.reass_no_room, 0U);
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  ASSERT_EQ(ip->payload_len, (count + 1) * 1232U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  // Datagram 30 is gone: the next to time out is 31, quoted.
  EXPECT_EQ(reassembly.next_deadline(), t0 + Duration::seconds(1) + Ipv6Reassembly::timeout);
  std::vector<ByteVector> quotes;
  reassembly.expire(t0 + Duration::seconds(1000), [&](NetifId, ConstBytes quote) {
    quotes.emplace_back(quote.begin(), quote.end());
  });
  ASSERT_EQ(quotes.size(), large - 1);
  EXPECT_EQ(quotes[0], fragment_bytes(31, 0, 1232, true));
  EXPECT_EQ(stats.reass_timeout, large - 1);
  EXPECT_EQ(pools.in_use(), 0U);
}

// RFC 5722's erratum 3089 (and Linux): a fragment that comes twice, the same
// bytes, is dropped alone and the datagram completes; a copy whose bytes
// differ drops the datagram (RFC 8200 4.5). Both while the fragments wait
// in their frame buffers and once they were copied into a large one.
TEST_F(Ipv6ReassemblyTest, AnExactDuplicateIsDroppedAloneADifferentCopyDropsTheDatagram) {
  EXPECT_FALSE(add(40, 0, 1448, true, t0));
  EXPECT_FALSE(add(40, 0, 1448, true, t0));
  EXPECT_FALSE(add(40, 8, 16, true, t0));  // inside the first: the same bytes too
  EXPECT_EQ(stats.reass_duplicate, 2U);
  EXPECT_EQ(stats.reass_overlap, 0U);
  EXPECT_EQ(reassembly.held_buffers(), 1U);
  std::optional<PacketBuf> done = add(40, 1448, 40, false, t0);
  ASSERT_TRUE(done.has_value());
  Result<Ipv6Repr> ip = Ipv6Repr::parse(done->data());
  ASSERT_TRUE(ip.ok());
  ASSERT_EQ(ip->payload_len, 1488U);
  EXPECT_TRUE(std::equal(ip->payload.begin(), ip->payload.end(), whole.begin()));
  done.reset();
  EXPECT_EQ(pools.in_use(), 0U);

  // Spilled: more fragments than CONFIG_LWIP_IP_REASS_MAX_PBUFS.
  const std::size_t count = config::ip_reass_max_pbufs + 2;
  for (std::size_t i = 0; i + 1 < count; ++i) EXPECT_FALSE(add(41, i * 1232, 1232, true, t0));
  EXPECT_EQ(reassembly.held_buffers(), 1U);  // the first fragment stays
  EXPECT_FALSE(add(41, 2 * 1232, 1232, true, t0));
  EXPECT_EQ(stats.reass_duplicate, 3U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 1U);
  whole[1232 + 5] ^= 0xff;
  EXPECT_FALSE(add(41, 1232, 1232, true, t0));
  whole[1232 + 5] ^= 0xff;
  EXPECT_EQ(stats.reass_duplicate, 3U);
  EXPECT_EQ(stats.reass_overlap, 1U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);

  // Held: a different copy of a fragment in a frame buffer.
  EXPECT_FALSE(add(42, 0, 1448, true, t0));
  whole[7] ^= 0xff;
  EXPECT_FALSE(add(42, 0, 1448, true, t0));
  whole[7] ^= 0xff;
  EXPECT_EQ(stats.reass_overlap, 2U);
  EXPECT_EQ(reassembly.datagrams_in_progress(), 0U);
  EXPECT_EQ(pools.in_use(), 0U);
}

#endif  // CONFIG_LWIP_IPV6 && CONFIG_LWIP_IP6_REASSEMBLY

TEST(Ipv6RewriteUnfragmentable, RefusesChainsThatDoNotEndAtTheFragmentHeader) {
  ByteVector header(40, 0);
  header[0] = 0x60;
  header[6] = ipv6_next_header::fragment;
  EXPECT_TRUE(ipv6_rewrite_unfragmentable(header, 100, 17));
  EXPECT_EQ(header[6], 17);
  EXPECT_EQ(load_be16(header, 4), 100);
  // The IPv6 header names UDP, not a fragment header.
  EXPECT_FALSE(ipv6_rewrite_unfragmentable(header, 100, 17));
  // A hop-by-hop header longer than the bytes given.
  ByteVector chain = header;
  chain[6] = ipv6_next_header::hop_by_hop;
  ByteVector hbh = hex("2c 01 01 04 00 00 00 00");
  chain.insert(chain.end(), hbh.begin(), hbh.end());
  EXPECT_FALSE(ipv6_rewrite_unfragmentable(chain, 100, 17));
  chain[41] = 0;
  EXPECT_TRUE(ipv6_rewrite_unfragmentable(chain, 100, 6));
  EXPECT_EQ(chain[40], 6);
  EXPECT_EQ(chain[6], ipv6_next_header::hop_by_hop);
  EXPECT_FALSE(ipv6_rewrite_unfragmentable(Bytes(chain).first(39), 0, 6));
}

}  // namespace
}  // namespace lwnet::ipv6_reassembly_test
