#include "net/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <optional>

#include "common/log.h"

namespace qpidd::net {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Listener {
  explicit Listener(asio::io_context& context) : acceptor(context) {}
  tcp::acceptor acceptor;
  std::string name;
};

namespace {
// Keeps an io_context's run() going while it has no work yet.
using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
}  // namespace

Server::Server(unsigned worker_threads, ConnectionFactory factory) : factory_(std::move(factory)) {
  if (worker_threads == 0) worker_threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < worker_threads; ++i) loops_.push_back(std::make_unique<Loop>());
}

Server::~Server() { Stop(); }

Status Server::Bind(const tcp::endpoint& endpoint, uint16_t& port) {
  auto listener = std::make_unique<Listener>(accept_context_);
  boost::system::error_code ec;
  tcp::endpoint at(endpoint.address(), port);
  listener->acceptor.open(at.protocol(), ec);
  if (!ec) listener->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && at.address().is_v6() && at.address().is_unspecified()) {
    listener->acceptor.set_option(asio::ip::v6_only(true), ec);
  }
  if (!ec) listener->acceptor.bind(at, ec);
  if (!ec) listener->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Error(StatusCode::kResourceLimit, "cannot listen on " + at.address().to_string() +
                                                         " port " + std::to_string(port) + ": " +
                                                         ec.message());
  }
  port = listener->acceptor.local_endpoint().port();
  listener->name = at.address().to_string() + ":" + std::to_string(port);
  QPIDD_LOG(kNotice, kNetwork, "listening on " << listener->name);
  listeners_.push_back(std::move(listener));
  return Status::Ok();
}

Result<uint16_t> Server::Listen(const std::vector<std::string>& interfaces, uint16_t port) {
  std::vector<tcp::endpoint> endpoints;
  if (interfaces.empty()) {
    endpoints.emplace_back(asio::ip::address_v6::any(), port);
    endpoints.emplace_back(asio::ip::address_v4::any(), port);
  } else {
    tcp::resolver resolver(accept_context_);
    for (const auto& name : interfaces) {
      boost::system::error_code ec;
      auto results = resolver.resolve(name, std::to_string(port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
      if (ec || results.empty()) {
        return Status::InvalidArgument("invalid value '" + name + "' for option --interface: " +
                                       (ec ? ec.message() : std::string("no address")));
      }
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
  }
  uint16_t bound = port;
  size_t ok = 0;
  Status first_error;
  for (const auto& endpoint : endpoints) {
    Status s = Bind(endpoint, bound);
    if (s.ok()) {
      ++ok;
    } else if (interfaces.empty() && endpoint.address().is_v6()) {
      // A host without IPv6 still serves IPv4.
      QPIDD_LOG(kInfo, kNetwork, s.message());
    } else {
      return s;
    }
  }
  if (ok == 0) return Status::Error(StatusCode::kResourceLimit, "no interface could be bound");
  return bound;
}

void Server::Accept(Listener& listener) {
  Loop& loop = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  listener.acceptor.async_accept(loop.context, [this, &listener, &loop](const boost::system::error_code& ec,
                                                                        tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      QPIDD_LOG(kWarning, kNetwork, "accept on " << listener.name << " failed: " << ec.message());
    } else {
      asio::post(loop.context, [this, s = std::make_shared<tcp::socket>(std::move(socket))]() mutable {
        factory_(std::move(*s));
      });
    }
    Accept(listener);
  });
}

void Server::Start() {
  if (started_) return;
  started_ = true;
  for (auto& loop : loops_) {
    loop->thread = std::thread([context = &loop->context] {
      WorkGuard guard(context->get_executor());
      context->run();
    });
  }
  for (auto& listener : listeners_) Accept(*listener);
  accept_thread_ = std::thread([this] {
    WorkGuard guard(accept_context_.get_executor());
    accept_context_.run();
  });
}

void Server::Stop() {
  if (!started_) return;
  started_ = false;
  asio::post(accept_context_, [this] {
    for (auto& listener : listeners_) {
      boost::system::error_code ignored;
      listener->acceptor.close(ignored);
    }
  });
  accept_context_.stop();
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& loop : loops_) loop->context.stop();
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

}  // namespace qpidd::net
