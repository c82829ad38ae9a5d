#include "link/linux/pcap_file.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace lwnet {
namespace {

// Reads CLOCK_MONOTONIC directly: this file is in link_linux, which does not
// link port/ (port/clock.h reads the same clock).
std::int64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

OsResult<PcapFile> PcapFile::create(const std::string& path, Options options) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return OsError::last("open pcap file");
  }
  if (options.buffer_size == 0) {
    options.buffer_size = 1;
  }
  return PcapFile(fd, options);
}

PcapFile::PcapFile(int fd, Options options)
    : fd_(fd), options_(options), buffer_(options.buffer_size), last_flush_ms_(monotonic_ms()) {}

PcapFile::PcapFile(PcapFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      options_(other.options_),
      buffer_(std::move(other.buffer_)),
      buffered_(std::exchange(other.buffered_, 0)),
      last_flush_ms_(other.last_flush_ms_),
      bytes_written_(other.bytes_written_),
      error_(other.error_) {}

PcapFile& PcapFile::operator=(PcapFile&& other) noexcept {
  if (this != &other) {
    (void)close();
    fd_ = std::exchange(other.fd_, -1);
    options_ = other.options_;
    buffer_ = std::move(other.buffer_);
    buffered_ = std::exchange(other.buffered_, 0);
    last_flush_ms_ = other.last_flush_ms_;
    bytes_written_ = other.bytes_written_;
    error_ = other.error_;
  }
  return *this;
}

PcapFile::~PcapFile() { (void)close(); }

void PcapFile::write(ConstBytes bytes) {
  if (fd_ < 0 || error_) {
    return;
  }
  const std::uint8_t* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    if (buffered_ == buffer_.size()) {
      (void)flush();
      if (error_) {
        return;
      }
    }
    const std::size_t n = std::min(left, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, data, n);
    buffered_ += n;
    data += n;
    left -= n;
  }
}

void PcapFile::record_end() {
  if (buffered_ > 0 && monotonic_ms() - last_flush_ms_ >= options_.flush_interval_ms) {
    (void)flush();
  }
}

void PcapFile::write_out(const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error_ = OsError::last("write pcap file");
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    bytes_written_ += static_cast<std::uint64_t>(n);
  }
}

OsStatus PcapFile::flush() {
  if (fd_ >= 0 && !error_ && buffered_ > 0) {
    write_out(buffer_.data(), buffered_);
  }
  buffered_ = 0;
  last_flush_ms_ = monotonic_ms();
  if (error_) {
    return *error_;
  }
  return {};
}

OsStatus PcapFile::close() {
  if (fd_ < 0) {
    return {};
  }
  OsStatus status = flush();
  if (::close(std::exchange(fd_, -1)) != 0 && status.ok()) {
    error_ = OsError::last("close pcap file");
    status = *error_;
  }
  return status;
}

}  // namespace lwnet
