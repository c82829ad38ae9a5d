// The send queue: copied bytes and zero-copy references in one stream,
// gathered into segments, released in order when acknowledged.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "transport/tcp/tcp_send_queue.h"

namespace lwnet::tcp_send_queue_test {
namespace {

ConstBytes text(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string joined(const SegmentPayload& p) {
  std::string s;
  for (ConstBytes piece : p.view()) s.append(piece.begin(), piece.end());
  return s;
}

// Records completions in the order they run.
// Declared before the queue in each test: the queue's destructor runs them.
struct Completions {
  std::vector<std::string> log;
  struct Entry {
    Completions* owner;
    std::string name;
  };
  std::vector<Entry> entries;
  explicit Completions(std::size_t n) { entries.reserve(n); }
  ZeroCopyCompletion make(const std::string& name) {
    entries.push_back({this, name});
    return {[](void* context, bool delivered) {
              auto* e = static_cast<Entry*>(context);
              e->owner->log.push_back(e->name + (delivered ? ":delivered" : ":dropped"));
            },
            &entries.back()};
  }
};

TEST(TcpSendQueue, CopiedOnlyBehavesLikeTheRing) {
  std::array<std::uint8_t, 8> storage{};
  TcpSendQueue q(storage);
  EXPECT_EQ(q.write(text("abcdefghij")), 8U);
  EXPECT_EQ(q.size(), 8U);
  EXPECT_EQ(q.free_space(), 0U);
  SegmentPayload p;
  EXPECT_EQ(q.gather(2, 4, p), 4U);
  EXPECT_EQ(joined(p), "cdef");
  q.consume(5);
  EXPECT_EQ(q.write(text("XYZW")), 4U);  // wraps
  EXPECT_EQ(q.gather(0, 100, p), 7U);
  EXPECT_EQ(joined(p), "fghXYZW");
  EXPECT_EQ(p.count, 2U);  // the wrap splits it
}

TEST(TcpSendQueue, ReferencesInterleaveWithCopiedBytesInWriteOrder) {
  Completions c(4);
  std::array<std::uint8_t, 32> storage{};
  TcpSendQueue q(storage);
  const std::string b = "BBBB";
  const std::string d = "DDD";
  ASSERT_EQ(q.write(text("AAAA")), 4U);
  ASSERT_TRUE(q.write_reference(text(b), c.make("b")).ok());
  ASSERT_EQ(q.write(text("CC")), 2U);
  ASSERT_TRUE(q.write_reference(text(d), c.make("d")).ok());
  ASSERT_EQ(q.write(text("EE")), 2U);
  EXPECT_EQ(q.size(), 15U);
  EXPECT_EQ(q.copied_bytes(), 8U);
  EXPECT_EQ(q.references(), 2U);

  SegmentPayload p;
  EXPECT_EQ(q.gather(0, 100, p), 15U);
  EXPECT_EQ(joined(p), "AAAABBBBCCDDDEE");
  EXPECT_EQ(p.count, 5U);
  // The reference pieces point into the caller's memory: nothing copied.
  EXPECT_EQ(p.pieces[1].data(), reinterpret_cast<const std::uint8_t*>(b.data()));
  EXPECT_EQ(p.pieces[3].data(), reinterpret_cast<const std::uint8_t*>(d.data()));
  // Every window of the stream reads the right bytes.
  const std::string whole = "AAAABBBBCCDDDEE";
  for (std::size_t offset = 0; offset <= whole.size(); ++offset) {
    for (std::size_t length = 0; length + offset <= whole.size() + 2; ++length) {
      const std::size_t n = q.gather(offset, length, p);
      const std::string expected = whole.substr(offset, length);
      EXPECT_EQ(n, expected.size()) << offset << "+" << length;
      EXPECT_EQ(joined(p), expected) << offset << "+" << length;
    }
  }

  // Acknowledged in pieces: a reference completes with its last byte only.
  q.consume(5);  // AAAA B
  EXPECT_TRUE(c.log.empty());
  q.consume(3);  // BBB
  EXPECT_EQ(c.log, std::vector<std::string>{"b:delivered"});
  EXPECT_EQ(q.gather(0, 100, p), 7U);
  EXPECT_EQ(joined(p), "CCDDDEE");
  q.consume(4);  // CC DD
  EXPECT_EQ(c.log.size(), 1U);
  q.consume(3);  // D EE
  EXPECT_EQ(c.log, (std::vector<std::string>{"b:delivered", "d:delivered"}));
  EXPECT_EQ(q.size(), 0U);
  EXPECT_EQ(q.references(), 0U);
}

TEST(TcpSendQueue, ConsecutiveReferencesAndWrappedRing) {
  Completions c(4);
  std::array<std::uint8_t, 6> storage{};
  TcpSendQueue q(storage);
  ASSERT_EQ(q.write(text("xxxx")), 4U);
  q.consume(4);  // ring head at 4: the next copy wraps
  ASSERT_EQ(q.write(text("abcd")), 4U);
  const std::string r1 = "11";
  const std::string r2 = "222";
  ASSERT_TRUE(q.write_reference(text(r1), c.make("1")).ok());
  ASSERT_TRUE(q.write_reference(text(r2), c.make("2")).ok());
  ASSERT_EQ(q.write(text("ef")), 2U);
  SegmentPayload p;
  EXPECT_EQ(q.gather(1, 9, p), 9U);
  EXPECT_EQ(joined(p), "bcd11222e");
  q.consume(6);  // abcd 11
  EXPECT_EQ(c.log, std::vector<std::string>{"1:delivered"});
  q.consume(3);
  EXPECT_EQ(c.log, (std::vector<std::string>{"1:delivered", "2:delivered"}));
  EXPECT_EQ(q.gather(0, 10, p), 2U);
  EXPECT_EQ(joined(p), "ef");
}

TEST(TcpSendQueue, GatherStopsAtTheLastPieceThatFits) {
  // 5 ring runs and 4 references need 9 pieces; a segment takes 8.
  Completions c(config::tcp_zero_copy_writes);
  std::array<std::uint8_t, 16> storage{};
  TcpSendQueue q(storage);
  std::vector<std::string> refs;
  refs.reserve(config::tcp_zero_copy_writes);
  std::string expected;
  for (std::size_t i = 0; i < config::tcp_zero_copy_writes; ++i) {
    const std::string copied(1, static_cast<char>('a' + i));
    ASSERT_EQ(q.write(text(copied)), 1U);
    refs.push_back(std::string(1, static_cast<char>('0' + i)));
    ASSERT_TRUE(q.write_reference(text(refs.back()), c.make(refs.back())).ok());
    expected += copied + refs.back();
  }
  ASSERT_EQ(q.write(text("z")), 1U);
  expected += "z";
  SegmentPayload p;
  const std::size_t pieces = 2 * config::tcp_zero_copy_writes + 1;
  const std::size_t expected_bytes = std::min(pieces, SegmentPayload::max_pieces);
  EXPECT_EQ(q.gather(0, 100, p), expected_bytes);
  EXPECT_EQ(joined(p), expected.substr(0, expected_bytes));
  EXPECT_EQ(q.gather(expected_bytes, 100, p), expected.size() - expected_bytes);
}

TEST(TcpSendQueue, RefusesBadReferencesAndTooMany) {
  Completions c(config::tcp_zero_copy_writes + 2);
  std::array<std::uint8_t, 8> storage{};
  TcpSendQueue q(storage);
  const std::string data = "data";
  EXPECT_EQ(q.write_reference({}, c.make("empty")).error(), Error::InvalidArgument);
  EXPECT_EQ(q.write_reference(text(data), ZeroCopyCompletion{}).error(), Error::InvalidArgument);
  for (std::size_t i = 0; i < config::tcp_zero_copy_writes; ++i) {
    ASSERT_TRUE(q.write_reference(text(data), c.make("ok")).ok());
  }
  EXPECT_TRUE(q.references_full());
  EXPECT_EQ(q.write_reference(text(data), c.make("full")).error(), Error::NoBuffers);
  EXPECT_EQ(q.size(), 4 * config::tcp_zero_copy_writes);
  // Copies still fit beside the references: they use the ring.
  EXPECT_EQ(q.write(text("tail")), 4U);
  EXPECT_TRUE(c.log.empty());
}

TEST(TcpSendQueue, ReleaseAllAndDestructionDropInOrder) {
  Completions c(4);
  const std::string one = "one";
  const std::string two = "two";
  {
    std::array<std::uint8_t, 8> storage{};
    TcpSendQueue q(storage);
    ASSERT_TRUE(q.write_reference(text(one), c.make("one")).ok());
    ASSERT_EQ(q.write(text("--")), 2U);
    ASSERT_TRUE(q.write_reference(text(two), c.make("two")).ok());
    q.consume(2);  // part of "one": not complete
    q.release_all();
    EXPECT_EQ(c.log, (std::vector<std::string>{"one:dropped", "two:dropped"}));
    EXPECT_EQ(q.size(), 0U);
    ASSERT_TRUE(q.write_reference(text(one), c.make("three")).ok());
  }
  EXPECT_EQ(c.log, (std::vector<std::string>{"one:dropped", "two:dropped", "three:dropped"}));
}

TEST(TcpSendQueue, RelocateKeepsCopiedBytesAroundReferences) {
  Completions c(2);
  std::array<std::uint8_t, 12> area{};
  TcpSendQueue q(Bytes(area).first(4));
  const std::string r = "RR";
  ASSERT_EQ(q.write(text("abc")), 3U);
  q.consume(2);
  ASSERT_TRUE(q.write_reference(text(r), c.make("r")).ok());
  ASSERT_EQ(q.write(text("def")), 3U);  // c | RR | def, the ring wrapped
  EXPECT_EQ(q.free_space(), 0U);
  EXPECT_FALSE(q.relocate(Bytes(area).first(3)));
  ASSERT_TRUE(q.relocate(Bytes(area)));
  EXPECT_EQ(q.write(text("gh")), 2U);
  SegmentPayload p;
  EXPECT_EQ(q.gather(0, 100, p), 8U);
  EXPECT_EQ(joined(p), "cRRdefgh");
  ASSERT_TRUE(q.relocate(Bytes(area).first(6)));  // shrink to what is stored
  EXPECT_EQ(q.gather(0, 100, p), 8U);
  EXPECT_EQ(joined(p), "cRRdefgh");
  q.consume(3);
  EXPECT_EQ(c.log, std::vector<std::string>{"r:delivered"});
}

}  // namespace
}  // namespace lwnet::tcp_send_queue_test
