// A FIFO queue shared by every connection thread. One mutex per queue guards its messages; nothing
// broker-wide is locked on the data path. Consumers pull: a consumer with credit asks for the next
// message; when the queue is empty it is remembered and told (OnMessagesAvailable) when one comes.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/message.h"
#include "broker/publish_hold.h"
#include "broker/value.h"
#include "common/status.h"

namespace qpidd::broker {

class Queue;
using QueuePtr = std::shared_ptr<Queue>;

// Replication level of a queue or exchange (the qpid.replicate argument); the HA module reads it.
enum class ReplicationLevel { kUnset, kNone, kConfiguration, kAll };
Result<ReplicationLevel> ParseReplicationLevel(std::string_view text);
std::string_view ReplicationLevelName(ReplicationLevel level);

struct QueueSettings {
  bool durable = false;
  bool auto_delete = false;   // deleted when its last consumer goes (private subscription queues)
  bool exclusive = false;
  ReplicationLevel replicate = ReplicationLevel::kUnset;
  // Limits (0: none). A publish that would pass one is rejected: the classic "reject" policy,
  // the only one built so far.
  uint64_t max_count = 0;     // qpid.max_count
  uint64_t max_bytes = 0;     // qpid.max_size, else the broker's --default-queue-limit
  Arguments arguments;        // as declared, kept for management and replication
};

// Validates declare arguments the broker understands (qpid.replicate, qpid.max_count,
// qpid.max_size, qpid.policy_type) and fills the matching settings. A bad value is an error
// naming the argument; a policy other than reject is refused as not available yet. Unknown
// arguments are kept as they are.
Status ApplyQueueArguments(const Arguments& arguments, QueueSettings& settings);

// One message on a queue, as a consumer or an observer sees it.
struct QueuedMessage {
  MessagePtr message;
  uint64_t position = 0;        // this queue's sequence number, from 1, never reused
  uint32_t delivery_count = 0;  // deliveries that ended without being accepted
  uint64_t expires_at_ms = 0;   // wall-clock ms from the header ttl or absolute-expiry; 0: never
  uint64_t undeliverable_to = 0;  // listener id that refused it (modified undeliverable-here)
};

// Told when a queue it waits on has a message again. Called with no queue lock held, from any
// thread: implementations post to their own loop and return.
class QueueListener {
 public:
  QueueListener();
  virtual ~QueueListener() = default;
  // Unique for the life of the process (never reused, unlike an address).
  uint64_t listener_id() const { return listener_id_; }
  virtual void OnMessagesAvailable() = 0;
  // The queue was deleted: stop consuming (the link is detached with the reason).
  virtual void OnQueueDeleted() = 0;

 private:
  const uint64_t listener_id_;
};

// What the HA module observes on a queue. Called under the queue's lock, in queue order, so an
// observer sees exactly the queue's history; IMPORTANT: it must not call back into the queue.
class QueueObserver {
 public:
  virtual ~QueueObserver() = default;
  // `context` is null for messages that have no publisher waiting (requeue, management moves).
  virtual void OnEnqueue(const QueuedMessage& m, PublishContext* context) = 0;
  virtual void OnAcquire(const QueuedMessage& m) = 0;
  virtual void OnRequeue(const QueuedMessage& m) = 0;
  virtual void OnDequeue(const QueuedMessage& m) = 0;
};

struct QueueStats {
  uint64_t depth = 0;          // available + acquired (not yet accepted)
  uint64_t bytes = 0;
  uint64_t acquired = 0;
  uint64_t enqueued = 0;       // since the queue was created
  uint64_t dequeued = 0;
  uint64_t consumers = 0;
};

class Queue : public std::enable_shared_from_this<Queue> {
 public:
  Queue(std::string name, QueueSettings settings);
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  const std::string& name() const { return name_; }
  const QueueSettings& settings() const { return settings_; }

  // Adds a message at the tail. `context` (may be null) lets observers hold the publisher.
  // Fails when the queue was deleted.
  Status Enqueue(MessagePtr message, PublishContext* context);

  // Consumers. A consumer that finds the queue empty is told when a message arrives.
  // The queue keeps listeners weakly: one that is gone is simply forgotten. A listener added
  // to a deleted queue is told OnQueueDeleted at once. An exclusive queue takes one consumer at
  // a time: a second is refused (AlreadyExists, naming the queue).
  Status AddConsumer(const std::shared_ptr<QueueListener>& listener);
  // Returns true when this was the last consumer of an auto-delete queue, which the caller
  // then deletes (Broker::DeleteQueue with this queue as the expected one).
  bool RemoveConsumer(const QueueListener* listener);
  // The next available message, now acquired by the caller; nullopt when none (the listener is
  // then told when one arrives).
  std::optional<QueuedMessage> Acquire(const std::shared_ptr<QueueListener>& listener);
  // Browsing: the first available message after position `after`, not acquired; nullopt when
  // none (the listener is then told when one arrives).
  std::optional<QueuedMessage> Browse(uint64_t after, const std::shared_ptr<QueueListener>& listener);

  // Outcomes of an acquired message.
  void Accept(uint64_t position);                         // consumed: removed for good
  // Back in its original place. `undeliverable_to` (a listener id, 0: none) will not be offered
  // the message again (modified with undeliverable-here).
  void Release(uint64_t position, bool delivery_failed, uint64_t undeliverable_to = 0);
  void Reject(uint64_t position);                         // dropped (alternate exchanges later)

  // Removes every available message; returns how many.
  uint64_t Purge();

  // Marks deleted, tells consumers; messages still acquired are dropped when settled.
  void Delete();
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }

  void AddObserver(std::shared_ptr<QueueObserver> observer);
  void RemoveObserver(const QueueObserver* observer);

  QueueStats Stats() const;
  // Available messages after `after`, up to `limit`, for management and HA catch-up.
  std::vector<QueuedMessage> Snapshot(uint64_t after, size_t limit) const;

 private:
  // Moves every waiting listener to `to_notify`, to be told once the lock is released.
  void TakeWaiting(std::vector<std::shared_ptr<QueueListener>>& to_notify);  // REQUIRES: mutex_ held
  void Wait(const std::shared_ptr<QueueListener>& listener);  // REQUIRES: mutex_ held
  std::optional<QueuedMessage> TakeAcquired(uint64_t position);  // REQUIRES: mutex_ held
  // Removes an acquired message for good (accepted or rejected); false if it was not acquired.
  bool DequeueAcquired(uint64_t position);  // REQUIRES: mutex_ held
  // ResourceLimit naming the queue and limit when a message of `size` bytes would not fit.
  Status CheckLimits(size_t size) const;  // REQUIRES: mutex_ held
  // Drops expired messages from the head; REQUIRES: mutex_ held.
  void DropExpiredHead();
  void DropAvailable(const std::deque<QueuedMessage>::iterator& it);  // REQUIRES: mutex_ held

  // Constant after construction.
  const std::string name_;
  const QueueSettings settings_;

  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  std::deque<QueuedMessage> available_;  // ordered by position
  std::unordered_map<uint64_t, QueuedMessage> acquired_;
  std::vector<std::weak_ptr<QueueListener>> consumers_;
  // Listeners that found nothing; all are told when a message becomes available, since any of
  // them may be the one with credit.
  std::vector<std::weak_ptr<QueueListener>> waiting_;
  std::vector<std::shared_ptr<QueueObserver>> observers_;
  uint64_t next_position_ = 1;
  uint64_t bytes_ = 0;
  bool had_consumer_ = false;  // auto-delete applies only once a consumer has come and gone

  // Counters read by management without the lock.
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> dequeued_{0};
  std::atomic<bool> deleted_{false};
};

}  // namespace qpidd::broker
