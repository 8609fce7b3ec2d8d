#include "amqp/open_connections.h"

#include <algorithm>
#include <thread>

#include "amqp/connection.h"

namespace qpidd::amqp {

void OpenConnections::Add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.push_back(connection);
  // Forget the closed ones now and then; doubling the threshold keeps Add O(1) amortized.
  if (connections_.size() >= prune_at_) {
    std::erase_if(connections_, [](const auto& c) { return c.expired(); });
    prune_at_ = std::max<size_t>(64, connections_.size() * 2);
  }
}

size_t OpenConnections::CloseAll(const std::string& why, std::chrono::milliseconds bound) {
  std::vector<std::weak_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    open.swap(connections_);
  }
  for (const auto& weak : open) {
    if (auto connection = weak.lock()) connection->CloseForShutdown(why);
  }
  const auto deadline = std::chrono::steady_clock::now() + bound;
  size_t left = 0;
  do {
    left = std::count_if(open.begin(), open.end(), [](const auto& c) { return !c.expired(); });
    if (left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return left;
}

}  // namespace qpidd::amqp
