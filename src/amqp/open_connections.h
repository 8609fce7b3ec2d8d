// The AMQP connections a broker has accepted, so that an orderly shutdown can close each with
// an AMQP close ("amqp:connection:forced") instead of dropping its socket. A peer tells the two
// apart: a close is a broker that stopped on purpose, a dropped socket one that died (an HA
// backup reports only the latter as a lost primary).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qpidd::amqp {

class Connection;

class OpenConnections {
 public:
  // Remembers `connection` (weakly: it lives as long as its socket).
  void Add(const std::shared_ptr<Connection>& connection);

  // Closes every connection still open with `why`, and waits until each has gone or `bound`
  // passed. Returns how many were still open at the bound. Call before the loops stop.
  size_t CloseAll(const std::string& why, std::chrono::milliseconds bound);

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;  // guarded by mutex_
  size_t prune_at_ = 64;                                 // guarded by mutex_
};

}  // namespace qpidd::amqp
