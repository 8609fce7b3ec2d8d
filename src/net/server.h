// The broker's network front: one Asio io_context per worker thread (an event loop per thread,
// as Envoy does) and the listening sockets. Each accepted socket is handed, with its loop, to
// the connection factory and stays on that loop for life. Knows nothing of AMQP.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace qpidd::net {

class Server {
 public:
  // Called on the socket's own loop.
  using ConnectionFactory = std::function<void(boost::asio::ip::tcp::socket socket)>;

  Server(unsigned worker_threads, ConnectionFactory factory);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every interface (empty: all, IPv6 and IPv4) on `port` (0: one ephemeral port, shared
  // by all interfaces). An interface that does not resolve or cannot be bound is an error naming
  // it. Returns the port bound.
  Result<uint16_t> Listen(const std::vector<std::string>& interfaces, uint16_t port);

  // Runs the worker loops on their threads; returns at once.
  void Start();
  // Stops accepting, stops the loops and joins their threads.
  void Stop();

  unsigned worker_count() const { return static_cast<unsigned>(loops_.size()); }

 private:
  struct Loop {
    boost::asio::io_context context{1};
    std::thread thread;
  };
  struct Listener;

  void Accept(Listener& listener);
  Status Bind(const boost::asio::ip::tcp::endpoint& endpoint, uint16_t& port);

  ConnectionFactory factory_;
  std::vector<std::unique_ptr<Loop>> loops_;
  boost::asio::io_context accept_context_{1};
  std::thread accept_thread_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  size_t next_loop_ = 0;
  bool started_ = false;
};

}  // namespace qpidd::net
