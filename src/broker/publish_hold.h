// Holding a publisher's settlement. When a message is routed, anyone who must see it safely
// stored elsewhere first (the HA module waits for backups) takes a hold; the publisher's delivery
// is settled when the last hold is dropped. The common case takes no hold and allocates nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "common/status.h"

namespace qpidd::broker {

// Runs `on_settle` once, when the last shared_ptr to it goes away: with Ok, or with the first
// failure a holder reported through Fail(). `on_settle` may run on any thread; the publisher's
// connection posts it to its own loop.
class PublishHold {
 public:
  using SettleFn = std::function<void(const Status&)>;
  explicit PublishHold(SettleFn on_settle) : on_settle_(std::move(on_settle)) {}
  ~PublishHold();
  PublishHold(const PublishHold&) = delete;
  PublishHold& operator=(const PublishHold&) = delete;

  // The publisher gets `rejected` with this status instead of `accepted`. The first failure wins.
  void Fail(Status status);

 private:
  SettleFn on_settle_;
  std::mutex mutex_;
  Status status_;  // guarded by mutex_
};

// Who settles a publisher's delivery once its holds are gone. Asked only when a hold is taken, so
// the common path (nobody holds) builds no callback and allocates nothing.
class SettleTarget {
 public:
  virtual ~SettleTarget() = default;
  virtual PublishHold::SettleFn MakeSettleFn(uint64_t delivery_id) = 0;
};

// Given to enqueue observers while a message is routed. Hold() makes (on first call) the
// PublishHold the publisher waits on; keep the returned pointer until the message is safe.
// Holds must be taken while the message is being routed (in OnEnqueue), not later.
class PublishContext {
 public:
  PublishContext(SettleTarget* target, uint64_t delivery_id)
      : target_(target), delivery_id_(delivery_id) {}

  std::shared_ptr<PublishHold> Hold();
  // True once a hold was taken: the publisher's settlement now belongs to the hold.
  bool held() const { return hold_taken_; }

 private:
  SettleTarget* target_;
  uint64_t delivery_id_;
  std::weak_ptr<PublishHold> weak_hold_;
  bool hold_taken_ = false;
};

}  // namespace qpidd::broker
