// Connections as management sees them. Each AMQP connection owns a ConnectionRecord and updates
// its counters (atomics, written by the connection's own thread only); management reads them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/broker_observer.h"

namespace qpidd::broker {

struct ConnectionRecord {
  ConnectionInfo info;            // set once the peer's open arrived; read after registration
  std::atomic<uint64_t> messages_in{0};
  std::atomic<uint64_t> messages_out{0};
  std::atomic<uint32_t> senders{0};     // links on which the broker sends (consumers)
  std::atomic<uint32_t> receivers{0};   // links on which the broker receives (publishers)
};

struct ConnectionSnapshot {
  ConnectionInfo info;
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint32_t senders = 0;
  uint32_t receivers = 0;
};

class ConnectionRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  void Add(std::shared_ptr<ConnectionRecord> record);
  void Remove(uint64_t id);
  size_t size() const;
  std::vector<ConnectionSnapshot> Snapshot() const;

 private:
  std::atomic<uint64_t> next_id_{0};
  mutable std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<ConnectionRecord>> records_;  // guarded by mutex_
};

}  // namespace qpidd::broker
