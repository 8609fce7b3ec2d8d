// A connected, non-blocking TCP socket (Nagle off), closed by its destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace qpidd::tools {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.Release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  int Release();

 private:
  int fd_ = -1;
};

// Resolves HOST and tries each of its addresses; the error is the reason, e.g.
// "Connection refused" or "timed out after 5 s".
Result<Socket> ConnectTcp(const std::string& host, uint16_t port,
                          std::chrono::milliseconds timeout);

}  // namespace qpidd::tools
