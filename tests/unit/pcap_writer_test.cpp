// PcapWriter writes classic pcap byte for byte; PcapFile puts it in a file
// that tcpdump, a second and independent parser, reads back.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "link/linux/pcap_file.h"
#include "link/pcap_writer.h"
#include "support/hex.h"
#include "util/checksum.h"

namespace lwnet::pcap_writer_test {
namespace {

using test::hex;
using Frame = std::vector<std::uint8_t>;

class ScriptedDevice final : public Device {
 public:
  explicit ScriptedDevice(Medium medium = Medium::Ethernet) : medium_(medium) {}
  DeviceCapabilities capabilities() const override { return {medium_, 1500}; }
  std::optional<std::size_t> receive(Bytes into, Instant) override {
    if (incoming.empty()) {
      return std::nullopt;
    }
    const Frame frame = incoming.front();
    incoming.pop_front();
    std::copy(frame.begin(), frame.end(), into.begin());
    return frame.size();
  }
  bool transmit(ConstBytes frame, Instant) override {
    if (refuse) {
      return false;
    }
    sent.emplace_back(frame.begin(), frame.end());
    return true;
  }
  Instant next_deadline() const override { return Instant::from_millis(77); }
  const DeviceStats& stats() const override { return stats_; }

  std::deque<Frame> incoming;
  std::vector<Frame> sent;
  bool refuse = false;
  DeviceStats stats_;

 private:
  Medium medium_;
};

class MemorySink final : public PcapSink {
 public:
  void write(ConstBytes bytes) override { data.insert(data.end(), bytes.begin(), bytes.end()); }
  void record_end() override { ++records_ended; }
  Frame data;
  int records_ended = 0;
};

// An ARP request: who has 192.0.2.2? tell 192.0.2.1 (02:00:00:00:00:01).
Frame arp_request() {
  return hex(
      "ff ff ff ff ff ff 02 00 00 00 00 01 08 06"
      "00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01"
      "00 00 00 00 00 00 c0 00 02 02");
}

// IPv4 + UDP 192.0.2.1:5000 -> 192.0.2.2:9 carrying "hello" (no UDP checksum).
Frame udp_packet() {
  Frame packet = hex(
      "45 00 00 21 00 01 00 00 40 11 00 00 c0 00 02 01 c0 00 02 02"
      "13 88 00 09 00 0d 00 00 68 65 6c 6c 6f");
  store_be16(packet, 10, internet_checksum(ConstBytes(packet).first(20)));
  return packet;
}

Frame ethernet_udp() {
  Frame frame = hex("02 00 00 00 00 02 02 00 00 00 00 01 08 00");
  const Frame packet = udp_packet();
  frame.insert(frame.end(), packet.begin(), packet.end());
  return frame;
}

Frame concat(std::initializer_list<Frame> parts) {
  Frame out;
  for (const Frame& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

TEST(PcapWriter, EthernetFileHeader) {
  ScriptedDevice device;
  MemorySink sink;
  const PcapWriter writer(device, sink);
  // Magic a1b2c3d4 little-endian, version 2.4, zone 0, sigfigs 0, snaplen
  // 65535, link type 1.
  EXPECT_EQ(sink.data, hex("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00"
                           "ff ff 00 00 01 00 00 00"));
  EXPECT_EQ(sink.records_ended, 1);
  EXPECT_EQ(writer.link_type(), PcapLinkType::Ethernet);
}

TEST(PcapWriter, RawIpFileHeaderAndSnapLength) {
  ScriptedDevice device(Medium::Ip);
  MemorySink sink;
  const PcapWriter writer(device, sink, 0x40000);
  EXPECT_EQ(sink.data, hex("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00"
                           "00 00 04 00 65 00 00 00"));
  EXPECT_EQ(writer.link_type(), PcapLinkType::RawIp);
}

TEST(PcapWriter, RecordsReceivedAndTransmittedFramesWithTheirInstants) {
  ScriptedDevice device;
  MemorySink sink;
  PcapWriter writer(device, sink);
  const Frame arp = arp_request();
  const Frame udp = ethernet_udp();
  device.incoming.push_back(arp);

  std::array<std::uint8_t, 1514> buffer{};
  const std::optional<std::size_t> n = writer.receive(buffer, Instant::from_micros(1500007));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, arp.size());
  EXPECT_FALSE(writer.receive(buffer, Instant::from_micros(1600000)));  // nothing: no record
  EXPECT_TRUE(writer.transmit(udp, Instant::from_micros(4294967295LL * 1000000 + 999999)));
  EXPECT_EQ(device.sent, std::vector<Frame>{udp});

  const Frame expected = concat({
      Frame(sink.data.begin(), sink.data.begin() + 24),
      // 1 s + 500007 us (0x0007a127), 42 bytes captured of 42.
      hex("01 00 00 00 27 a1 07 00 2a 00 00 00 2a 00 00 00"), arp,
      // The last second a 32-bit field holds, 999999 us (0x000f423f), 47 of 47.
      hex("ff ff ff ff 3f 42 0f 00 2f 00 00 00 2f 00 00 00"), udp,
  });
  EXPECT_EQ(test::to_hex(sink.data), test::to_hex(expected));
  EXPECT_EQ(sink.records_ended, 3);
  EXPECT_EQ(writer.pcap_stats().records, 2U);
  EXPECT_EQ(writer.pcap_stats().truncated, 0U);
}

TEST(PcapWriter, RefusedFramesAreNotRecorded) {
  ScriptedDevice device;
  device.refuse = true;
  MemorySink sink;
  PcapWriter writer(device, sink);
  EXPECT_FALSE(writer.transmit(arp_request(), Instant::from_seconds(1)));
  EXPECT_EQ(sink.data.size(), 24U);
  EXPECT_EQ(writer.pcap_stats().records, 0U);
}

TEST(PcapWriter, CutsFramesAtTheSnapLength) {
  ScriptedDevice device;
  MemorySink sink;
  PcapWriter writer(device, sink, 20);
  const Frame arp = arp_request();
  EXPECT_TRUE(writer.transmit(arp, Instant::from_micros(3)));
  const Frame expected = concat({
      hex("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 14 00 00 00 01 00 00 00"),
      hex("00 00 00 00 03 00 00 00 14 00 00 00 2a 00 00 00"),
      Frame(arp.begin(), arp.begin() + 20),
  });
  EXPECT_EQ(test::to_hex(sink.data), test::to_hex(expected));
  EXPECT_EQ(writer.pcap_stats().truncated, 1U);
}

TEST(PcapWriter, PassesTheInnerDevicesPropertiesThrough) {
  ScriptedDevice device(Medium::Ip);
  device.stats_.rx_frames = 12;
  MemorySink sink;
  const PcapWriter writer(device, sink);
  EXPECT_EQ(writer.capabilities().medium, Medium::Ip);
  EXPECT_EQ(writer.capabilities().mtu, 1500U);
  EXPECT_EQ(writer.next_deadline(), Instant::from_millis(77));
  EXPECT_EQ(writer.stats().rx_frames, 12U);
}

// A directory under /tmp removed with everything in it at the end of a test.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/lwnet-pcap-XXXXXX";
    const char* made = mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    for (const std::string& file : files_) {
      unlink(file.c_str());
    }
    rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

Frame read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Frame(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

off_t file_size(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_size;
}

struct CommandOutput {
  std::string text;  // stdout and stderr
  int exit_status = -1;
};

CommandOutput run(const std::string& command) {
  CommandOutput out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return out;
  }
  std::array<char, 512> chunk{};
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0) {
    out.text.append(chunk.data(), n);
  }
  const int status = pclose(pipe);
  out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

int count_lines(const std::string& text, const std::string& containing) {
  int count = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    if (text.substr(start, end - start).find(containing) != std::string::npos) {
      ++count;
    }
    start = end + 1;
  }
  return count;
}

// Writes the ARP request (received at 1.500007 s) and the UDP frame (sent at
// 2 s) through a PcapWriter into `sink`.
void write_capture(PcapSink& sink) {
  ScriptedDevice device;
  PcapWriter writer(device, sink);
  device.incoming.push_back(arp_request());
  std::array<std::uint8_t, 1514> buffer{};
  ASSERT_TRUE(writer.receive(buffer, Instant::from_micros(1500007)));
  ASSERT_TRUE(writer.transmit(ethernet_udp(), Instant::from_seconds(2)));
}

TEST(PcapFile, WritesTheSameBytesThroughAnyBufferSize) {
  MemorySink memory;
  write_capture(memory);
  TempDir dir;
  for (const std::size_t buffer_size : {std::size_t{1}, std::size_t{5}, std::size_t{64 * 1024}}) {
    const std::string path = dir.file("capture-" + std::to_string(buffer_size) + ".pcap");
    {
      OsResult<PcapFile> file = PcapFile::create(path, {buffer_size, 3600 * 1000});
      ASSERT_TRUE(file) << file.os_error().message();
      write_capture(*file);
      EXPECT_TRUE(file->flush());
      EXPECT_EQ(file->bytes_written(), memory.data.size());
    }
    EXPECT_EQ(test::to_hex(read_file(path)), test::to_hex(memory.data)) << buffer_size;
  }
}

TEST(PcapFile, BuffersUntilTheFlushIntervalOrTheEnd) {
  TempDir dir;
  const std::string slow_path = dir.file("slow.pcap");
  const std::string eager_path = dir.file("eager.pcap");
  {
    // An hour between flushes: everything stays in the buffer until close.
    OsResult<PcapFile> slow = PcapFile::create(slow_path, {64 * 1024, 3600 * 1000});
    // No interval: every record reaches the file at once.
    OsResult<PcapFile> eager = PcapFile::create(eager_path, {64 * 1024, 0});
    ASSERT_TRUE(slow);
    ASSERT_TRUE(eager);
    write_capture(*slow);
    write_capture(*eager);
    EXPECT_EQ(file_size(slow_path), 0);
    EXPECT_EQ(file_size(eager_path), 24 + 16 + 42 + 16 + 47);
  }
  EXPECT_EQ(file_size(slow_path), 24 + 16 + 42 + 16 + 47);  // flushed by the destructor
}

TEST(PcapFile, ReportsOpenAndWriteErrors) {
  const OsResult<PcapFile> missing = PcapFile::create("/nonexistent-lwnet-dir/x.pcap");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.os_error().number(), ENOENT);
  EXPECT_EQ(missing.os_error().message(), "open pcap file: No such file or directory");

  // /dev/full refuses every write with ENOSPC.
  OsResult<PcapFile> full = PcapFile::create("/dev/full", {16, 3600 * 1000});
  ASSERT_TRUE(full) << full.os_error().message();
  write_capture(*full);
  ASSERT_TRUE(full->error().has_value());
  EXPECT_EQ(full->error()->number(), ENOSPC);
  const OsStatus flushed = full->flush();
  ASSERT_FALSE(flushed);
  EXPECT_EQ(flushed.os_error().number(), ENOSPC);
  EXPECT_EQ(full->bytes_written(), 0U);
}

TEST(PcapFile, TcpdumpReadsTheEthernetCapture) {
  TempDir dir;
  const std::string path = dir.file("ethernet.pcap");
  {
    OsResult<PcapFile> file = PcapFile::create(path);
    ASSERT_TRUE(file) << file.os_error().message();
    write_capture(*file);
    ASSERT_TRUE(file->close());
  }
  // -tt: raw timestamps; -e: link-level header; -nn: no name lookups.
  const CommandOutput out = run("tcpdump -tt -e -nn -r " + path);
  EXPECT_EQ(out.exit_status, 0) << out.text;
  EXPECT_NE(out.text.find("link-type EN10MB (Ethernet)"), std::string::npos) << out.text;
  EXPECT_EQ(count_lines(out.text, "1.500007 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP "
                                  "(0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1"),
            1)
      << out.text;
  EXPECT_EQ(count_lines(out.text, "2.000000 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 "
                                  "(0x0800), length 47: 192.0.2.1.5000 > 192.0.2.2.9: UDP, length 5"),
            1)
      << out.text;
}

TEST(PcapFile, TcpdumpReadsTheRawIpCapture) {
  TempDir dir;
  const std::string path = dir.file("raw.pcap");
  {
    OsResult<PcapFile> file = PcapFile::create(path);
    ASSERT_TRUE(file) << file.os_error().message();
    ScriptedDevice device(Medium::Ip);
    PcapWriter writer(device, *file);
    ASSERT_TRUE(writer.transmit(udp_packet(), Instant::from_micros(3000001)));
  }
  // -v also checks the IPv4 header checksum.
  const CommandOutput out = run("tcpdump -tt -nn -v -r " + path);
  EXPECT_EQ(out.exit_status, 0) << out.text;
  EXPECT_NE(out.text.find("link-type RAW (Raw IP)"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("3.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP "
                          "(17), length 33)"),
            std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("192.0.2.1.5000 > 192.0.2.2.9: UDP, length 5"), std::string::npos)
      << out.text;
  EXPECT_EQ(out.text.find("bad cksum"), std::string::npos) << out.text;
}

}  // namespace
}  // namespace lwnet::pcap_writer_test
