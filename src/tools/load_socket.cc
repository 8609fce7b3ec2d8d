#include "tools/load_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace qpidd::tools {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

// Starts a non-blocking connect and waits for it; returns 0 or an errno value.
int ConnectOne(const addrinfo& address, std::chrono::milliseconds timeout, Socket* out) {
  Socket socket(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         address.ai_protocol));
  if (socket.fd() < 0) return errno;
  int one = 1;
  setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(socket.fd(), address.ai_addr, address.ai_addrlen) < 0) {
    if (errno != EINPROGRESS) return errno;
    pollfd waiting = {socket.fd(), POLLOUT, 0};
    int ready;
    do {
      ready = poll(&waiting, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return ETIMEDOUT;
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) return errno;
    if (error != 0) return error;
  }
  *out = std::move(socket);
  return 0;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

int Socket::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Result<Socket> ConnectTcp(const std::string& host, uint16_t port,
                          std::chrono::milliseconds timeout) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return Status::NotFound(gai_strerror(rc));
  std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);

  int last_error = 0;
  for (const addrinfo* address = found; address; address = address->ai_next) {
    Socket socket;
    last_error = ConnectOne(*address, timeout, &socket);
    if (last_error == 0) return socket;
  }
  if (last_error == ETIMEDOUT) {
    return Status::Internal("timed out after " + std::to_string(timeout.count()) + " ms");
  }
  return Status::Internal(std::strerror(last_error));
}

}  // namespace qpidd::tools
