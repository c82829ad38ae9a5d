// IPv6 reassembly wired into input (RFC 8200 4.5): fragments from a raw
// peer make the datagram in any order; overlaps (RFC 5722; an exact
// duplicate is dropped alone, its erratum 3089), empty
// fragments, first fragments without the whole header chain (RFC 7112)
// and fragment headers inside fragments are dropped and counted; a
// timeout with the first fragment answers with time exceeded (code 1).
#include <gtest/gtest.h>

#include <array>
#include <span>
#include <vector>

#include "config/options.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"

namespace lwnet::test::ipv6_reassembly_test {
namespace {

#if CONFIG_LWIP_IPV6 && CONFIG_LWIP_IP6_REASSEMBLY

constexpr std::uint8_t next_udp = 17;
constexpr std::uint8_t next_fragment = 44;
constexpr std::uint8_t next_destination_options = 60;

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address address_a = v6("2001:db8::1");
const Ipv6Address address_peer = v6("2001:db8::99");

// Byte by byte: GCC 12 at -O3 reports a false -Warray-bounds for
// vector::insert of a span into a vector of 8 bytes.
void append(ByteVector& out, std::span<const std::uint8_t> bytes) {
  out.reserve(out.size() + bytes.size());
  for (const std::uint8_t b : bytes) out.push_back(b);
}

// A UDP datagram from the peer to A with its IPv6 checksum.
ByteVector udp6_datagram(std::uint16_t destination_port, ConstBytes payload) {
  ByteVector udp(8);
  store_be16(udp, 0, 1234);
  store_be16(udp, 2, destination_port);
  store_be16(udp, 4, static_cast<std::uint16_t>(8 + payload.size()));
  append(udp, payload);
  ByteVector pseudo;
  append(pseudo, address_peer.octets);
  append(pseudo, address_a.octets);
  const std::array<std::uint8_t, 8> tail{0,
                                         0,
                                         static_cast<std::uint8_t>(udp.size() >> 8),
                                         static_cast<std::uint8_t>(udp.size()),
                                         0,
                                         0,
                                         0,
                                         next_udp};
  append(pseudo, tail);
  append(pseudo, udp);
  store_be16(udp, 6, internet_checksum(pseudo));
  return udp;
}

// An Ethernet frame from the peer to A holding one fragment of datagram
// `id` (its data at byte `offset`), behind the given fragment header's Next
// Header value.
ByteVector fragment6(std::uint32_t id, std::size_t offset, bool more, std::span<const std::uint8_t> data,
                     std::uint8_t next = next_udp) {
  ByteVector ip(40 + 8);
  ip[0] = 0x60;
  store_be16(ip, 4, static_cast<std::uint16_t>(8 + data.size()));
  ip[6] = next_fragment;
  ip[7] = 64;
  std::copy(address_peer.octets.begin(), address_peer.octets.end(), ip.begin() + 8);
  std::copy(address_a.octets.begin(), address_a.octets.end(), ip.begin() + 24);
  ip[40] = next;
  store_be16(ip, 42, static_cast<std::uint16_t>(offset | (more ? 1U : 0U)));
  store_be32(ip, 44, id);
  append(ip, data);
  return ethernet_frame(mac_a, mac_peer, ipv6_type, ip);
}

struct Ipv6Peer {
  Ipv6Peer() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{address_a, 64}, net.sim.now()));
    net.sim.run_for(Duration::seconds(2));
    rx = *net.a.udp_open();
    EXPECT_OK(net.a.udp_bind(rx, {Ipv6Address{}, 7}));
  }
  ~Ipv6Peer() { net.a.udp_close(rx); }
  const Ipv6Stats& ipv6() { return net.a.stats().ipv6; }
  HostAndPeer net;
  UdpHandle rx;
};

TEST(Ipv6ReassemblySim, FragmentsInAnyOrderMakeTheDatagram) {
  Ipv6Peer p;
  const ByteVector udp = udp6_datagram(7, pattern(40));  // 48 bytes
  const std::span<const std::uint8_t> all(udp);
  p.net.inject(fragment6(5, 32, false, all.subspan(32)));
  p.net.inject(fragment6(5, 0, true, all.first(16)));
  p.net.sim.settle();
  EXPECT_FALSE(p.net.a.udp_readable(p.rx));
  EXPECT_EQ(p.net.a.pools().in_use(), 2U);
  p.net.inject(fragment6(5, 16, true, all.subspan(16, 16)));
  p.net.sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = p.net.a.udp_receive(p.rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied)), pattern(40));
  EXPECT_EQ(got->from, (IpEndpoint{IpAddress(address_peer), 1234}));
  EXPECT_EQ(p.ipv6().reassembly.reass_ok, 1U);
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
}

TEST(Ipv6ReassemblySim, AtomicFragmentIsDeliveredAtOnce) {
  Ipv6Peer p;
  const ByteVector udp = udp6_datagram(7, pattern(10));
  p.net.inject(fragment6(6, 0, false, udp));
  p.net.sim.settle();
  EXPECT_TRUE(p.net.a.udp_readable(p.rx));
  EXPECT_EQ(p.ipv6().reassembly.atomic, 1U);
}

TEST(Ipv6ReassemblySim, OverlappingFragmentsDropTheWholeDatagram) {
  Ipv6Peer p;
  const ByteVector udp = udp6_datagram(7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  p.net.inject(fragment6(100, 0, true, all.first(24)));
  p.net.inject(fragment6(100, 16, false, all.subspan(16)));  // bytes 16..23 twice
  p.net.sim.settle();
  EXPECT_EQ(p.ipv6().reassembly.reass_overlap, 1U);
  EXPECT_EQ(p.ipv6().reassembly.reass_ok, 0U);
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
  EXPECT_FALSE(p.net.a.udp_readable(p.rx));
}

// RFC 5722's erratum 3089: a fragment a link carried twice is dropped
// alone; the datagram completes from the rest.
TEST(Ipv6ReassemblySim, ADuplicatedFragmentIsDroppedAlone) {
  Ipv6Peer p;
  const ByteVector udp = udp6_datagram(7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  p.net.inject(fragment6(101, 0, true, all.first(24)));
  p.net.inject(fragment6(101, 0, true, all.first(24)));
  p.net.inject(fragment6(101, 24, false, all.subspan(24)));
  p.net.sim.settle();
  EXPECT_EQ(p.ipv6().reassembly.reass_duplicate, 1U);
  EXPECT_EQ(p.ipv6().reassembly.reass_overlap, 0U);
  EXPECT_EQ(p.ipv6().reassembly.reass_ok, 1U);
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = p.net.a.udp_receive(p.rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied)), pattern(40));
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
}

TEST(Ipv6ReassemblySim, ZeroLengthAndTinyFragmentsAreCounted) {
  Ipv6Peer p;
  p.net.inject(fragment6(7, 8, true, {}));            // empty
  p.net.inject(fragment6(8, 0, true, pattern(12)));   // not a multiple of 8
  p.net.sim.settle();
  EXPECT_EQ(p.ipv6().reassembly.drop_malformed, 2U);
  // The second asks for a parameter problem at the payload length (RFC
  // 8200 4.5); it waits for the peer's link address, holding one buffer.
  EXPECT_EQ(p.net.a.stats().icmpv6.tx_error, 1U);
  EXPECT_EQ(p.net.a.pools().in_use(), 1U);
  EXPECT_FALSE(p.net.a.udp_readable(p.rx));
}

// The ICMPv6 errors A sent since the last call, from the ICMPv6 type on.
std::vector<ByteVector> icmpv6_errors(HostAndPeer& net) {
  std::vector<ByteVector> out;
  for (const ByteVector& f : net.received()) {
    if (f.size() >= 14 + 40 + 8 && f[14 + 6] == 58 && f[14 + 40] < 128) out.emplace_back(f.begin() + 14 + 40, f.end());
  }
  return out;
}

// RFC 8200 4.5, RFC 7112 5: a first fragment must hold every header up to
// and including the upper-layer one; else it is dropped and answered with a
// parameter problem, code 3 (incomplete header chain), pointer 0. A
// fragment header inside the first fragment is dropped without an answer.
TEST(Ipv6ReassemblySim, FirstFragmentWithoutTheWholeHeaderChainIsDropped) {
  Ipv6Peer p;
  ASSERT_OK(p.net.a.nd_add_static(p.net.a_if, IpAddress(address_peer), mac_peer, p.net.sim.now()));
  (void)p.net.received();
  // A destination options header that says 16 bytes, of which 8 arrived.
  ByteVector options(8, 0);
  options[0] = next_udp;
  options[1] = 1;
  p.net.inject(fragment6(9, 0, true, options, next_destination_options));
  // The whole destination options header, then no room for UDP's.
  ByteVector no_upper_layer(8, 0);
  no_upper_layer[0] = next_udp;
  p.net.inject(fragment6(11, 0, true, no_upper_layer, next_destination_options));
  // A fragment header inside the first fragment (fragments in a loop).
  ByteVector inner(16, 0);
  inner[0] = next_udp;
  p.net.inject(fragment6(10, 0, true, inner, next_fragment));
  p.net.sim.settle();
  EXPECT_EQ(p.ipv6().drop_bad_fragment, 3U);
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);  // none held for reassembly
  const std::vector<ByteVector> errors = icmpv6_errors(p.net);
  ASSERT_EQ(errors.size(), 2U);
  for (const ByteVector& error : errors) {
    // Type 4 code 3, pointer 0, then the offending packet from its IPv6 header.
    EXPECT_EQ(to_hex(ConstBytes(error).first(2)), to_hex(hex("04 03")));
    EXPECT_EQ(to_hex(ConstBytes(error).subspan(4, 4)), to_hex(hex("00 00 00 00")));
    EXPECT_EQ(Ipv6Address::from_bytes(ConstBytes(error).subspan(8 + 8, 16)), address_peer);
  }
  // The quoted fragment headers: datagrams 9 and 11.
  EXPECT_EQ(load_be32(errors[0], 8 + 40 + 4), 9U);
  EXPECT_EQ(load_be32(errors[1], 8 + 40 + 4), 11U);
}

TEST(Ipv6ReassemblySim, TimeoutSendsTimeExceededOnlyWithTheFirstFragment) {
  Ipv6Peer p;
  const ByteVector udp = udp6_datagram(7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  const Instant start = p.net.sim.now();
  p.net.inject(fragment6(12, 0, true, all.first(16)));
  p.net.inject(fragment6(13, 16, false, all.subspan(16)));  // no first fragment
  p.net.sim.settle();
  (void)p.net.received();
  const std::uint64_t errors_before = p.net.a.stats().icmpv6.tx_error;
  p.net.sim.run_until(start + Duration::seconds(config::ip6_reass_timeout_seconds) - Duration::micros(1));
  EXPECT_EQ(p.ipv6().reassembly.reass_timeout, 0U);
  p.net.sim.run_until(start + Duration::seconds(config::ip6_reass_timeout_seconds));
  EXPECT_EQ(p.ipv6().reassembly.reass_timeout, 2U);
  EXPECT_EQ(p.net.a.stats().icmpv6.tx_error, errors_before + 1);
  EXPECT_FALSE(p.net.a.udp_readable(p.rx));
}

#endif

}  // namespace
}  // namespace lwnet::test::ipv6_reassembly_test
