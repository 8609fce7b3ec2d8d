// The primary's watch over one level-`all` queue (doc/ha-protocol.md 7.4 and 8): which backups
// the queue guards publishers for, the publishers still waiting for each backup, and what each
// backup's sender must hear about (new messages, dequeued ids).
//
// THREAD SAFE: queue callbacks arrive under the queue's lock; senders call from their
// connection's loop. One leaf mutex guards everything here; nothing is called while it is held
// except posting wake-ups and releasing publisher holds (which only post).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "broker/queue.h"
#include "ha/id_ranges.h"

namespace qpidd::ha {

// What a guard tells a backup's sender for the queue. Any thread; post and return.
class GuardListener {
 public:
  virtual ~GuardListener() = default;
  virtual void OnQueueChanged() = 0;
  // The queue was deleted: the link ends.
  virtual void OnQueueDeleted() = 0;
};

class QueueGuard : public broker::QueueObserver {
 public:
  explicit QueueGuard(std::string queue_name) : queue_name_(std::move(queue_name)) {}

  // QueueObserver (under the queue's lock).
  void OnEnqueue(const broker::QueuedMessage& m, broker::PublishContext* context) override;
  void OnAcquire(const broker::QueuedMessage&) override {}
  void OnRequeue(const broker::QueuedMessage&) override {}
  void OnDequeue(const broker::QueuedMessage& m) override;

  // Publishers of messages after the current tail wait for `backup` too, unless the queue
  // already guards for it. Returns the start: ids above it are guarded.
  uint64_t StartGuarding(const std::string& backup);
  // Publishers of messages after `start` wait for `backup` (at creation and promotion).
  void StartGuardingFrom(const std::string& backup, uint64_t start);
  // Nobody waits for `backup` any more: it left, went silent or was given up.
  void StopGuarding(const std::string& backup);
  bool Guards(const std::string& backup) const;
  // `backup` holds message `id`: its publisher no longer waits for that backup.
  void Release(const std::string& backup, uint64_t id);
  // The queue was deleted: every publisher waiting here is released, every follower told.
  void ReleaseAll();
  // The primary is shutting down: from now on StopGuarding() releases nobody, so a publisher
  // whose message no backup has is never accepted (it resends to the next primary) while the
  // backups' links close before the clients' do.
  void Freeze();

  // A sender for `backup` follows the queue: it is told of changes and collects dequeues.
  void AddListener(const std::string& backup, std::weak_ptr<GuardListener> listener);
  void RemoveListener(const std::string& backup);
  // The ids dequeued since the last call, for `backup`'s sender.
  IdRanges TakeDequeued(const std::string& backup);

  // Highest id the queue has taken.
  uint64_t tail() const;
  // Publishers' messages still waiting (for tests and management).
  size_t waiting() const;
  const std::string& queue_name() const { return queue_name_; }

 private:
  struct Waiting {
    std::shared_ptr<broker::PublishHold> hold;
    std::set<std::string> backups;
  };
  struct Follower {
    std::weak_ptr<GuardListener> listener;
    IdRanges dequeued;
  };
  void WakeFollowers();  // REQUIRES: mutex_ held

  const std::string queue_name_;
  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  uint64_t tail_ = 0;
  bool frozen_ = false;
  std::map<std::string, uint64_t> guarding_;  // backup -> start
  std::map<uint64_t, Waiting> waiting_;       // id -> publisher and the backups it waits for
  std::map<std::string, Follower> followers_;
};

}  // namespace qpidd::ha
