// A PcapSink that writes a capture to a file, through a buffer so that a
// busy link costs one write(2) per buffer rather than two per frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "link/pcap_writer.h"
#include "port/os_error.h"

namespace lwnet {

// Flushes when the buffer is full, at the end of a record when
// `flush_interval_ms` of monotonic time has passed since the last flush (so
// `tcpdump -r` on a running capture sees recent frames), on flush(), and on
// destruction. A write error is kept (error()) and later bytes are dropped.
//
// Move-only. One thread at a time (the one driving its PcapWriter).
class PcapFile final : public PcapSink {
 public:
  struct Options {
    std::size_t buffer_size = 64 * 1024;
    std::int64_t flush_interval_ms = 1000;
  };

  // Creates or truncates `path` (mode 0644).
  static OsResult<PcapFile> create(const std::string& path, Options options);
  static OsResult<PcapFile> create(const std::string& path) { return create(path, Options{}); }

  PcapFile(PcapFile&& other) noexcept;
  PcapFile& operator=(PcapFile&& other) noexcept;
  PcapFile(const PcapFile&) = delete;
  PcapFile& operator=(const PcapFile&) = delete;
  ~PcapFile() override;

  void write(ConstBytes bytes) override;
  void record_end() override;

  // Writes out the buffer. Fails with the first write error met so far.
  OsStatus flush();
  // Flushes and closes; later writes are dropped. Fails like flush() or close(2).
  OsStatus close();

  const std::optional<OsError>& error() const { return error_; }
  std::uint64_t bytes_written() const { return bytes_written_; }  // reached the file

 private:
  PcapFile(int fd, Options options);
  void write_out(const std::uint8_t* data, std::size_t size);

  int fd_ = -1;
  Options options_;
  std::vector<std::uint8_t> buffer_;
  std::size_t buffered_ = 0;
  std::int64_t last_flush_ms_ = 0;
  std::uint64_t bytes_written_ = 0;
  std::optional<OsError> error_;
};

}  // namespace lwnet
