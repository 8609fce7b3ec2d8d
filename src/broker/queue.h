// A FIFO queue shared by every connection thread. One mutex per queue guards its messages; nothing
// broker-wide is locked on the data path. Consumers pull: a consumer with credit asks for the next
// message; when the queue is empty it is remembered and told (OnMessagesAvailable) when one comes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/available_messages.h"
#include "broker/message.h"
#include "broker/publish_hold.h"
#include "broker/queue_settings.h"
#include "broker/value.h"
#include "common/status.h"

namespace qpidd::broker {

class Queue;
using QueuePtr = std::shared_ptr<Queue>;

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

// A publisher held back by a queue over its flow-stop threshold; told once when the queue is
// back under its resume threshold. Called with no queue lock held, from any thread.
class FlowListener {
 public:
  virtual ~FlowListener() = default;
  virtual void OnFlowResumed() = 0;
};

// Where a queue's rejected, expired and deleted-with-it messages go: the broker routes them
// through the queue's alternate exchange. Called with no queue lock held.
using DeadLetterHandler = std::function<void(const std::string& alternate_exchange,
                                             const std::string& queue,
                                             std::vector<MessagePtr> messages,
                                             std::string_view why)>;

// What the HA module observes on a queue. Called under the queue's lock, in queue order, so an
// observer sees exactly the queue's history; IMPORTANT: it must not call back into the queue.
class QueueObserver {
 public:
  virtual ~QueueObserver() = default;
  // `context` is null for messages that have no publisher waiting (requeue, management moves,
  // messages placed by EnqueueReplica).
  virtual void OnEnqueue(const QueuedMessage& m, PublishContext* context) = 0;
  virtual void OnAcquire(const QueuedMessage& m) = 0;
  virtual void OnRequeue(const QueuedMessage& m) = 0;
  virtual void OnDequeue(const QueuedMessage& m) = 0;
  // A consumer (acquiring or browsing) was added.
  virtual void OnConsumerAdded() {}
};

struct QueueStats {
  uint64_t depth = 0;          // available + acquired (not yet accepted)
  uint64_t bytes = 0;
  uint64_t acquired = 0;
  uint64_t enqueued = 0;       // since the queue was created
  uint64_t dequeued = 0;
  uint64_t consumers = 0;
  bool flow_stopped = false;   // publishers are held back
  // Messages that left without being consumed, by why.
  uint64_t ring_dropped = 0;   // the oldest, to make room on a ring queue
  uint64_t lvq_replaced = 0;   // replaced by a newer value of their last-value key
  uint64_t expired = 0;        // ttl or absolute-expiry passed
  uint64_t rejected = 0;       // rejected by a consumer
  uint64_t rerouted = 0;       // of the above and deleted-queue ones, sent to the alternate exchange
};

class Queue : public std::enable_shared_from_this<Queue> {
 public:
  Queue(std::string name, QueueSettings settings);
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  const std::string& name() const { return name_; }
  const QueueSettings& settings() const { return settings_; }

  // Set once by the broker before the queue is shared; without one, such messages are dropped
  // and logged.
  void SetDeadLetterHandler(DeadLetterHandler handler);

  // Adds a message at the tail of its priority level. `context` (may be null) lets observers
  // hold the publisher. Fails when the queue was deleted, or is full with the reject policy
  // (ResourceLimit naming the queue and the limit), or is a replica (PreconditionFailed: its
  // messages come from replication). A ring queue drops its oldest available messages to make
  // room; a last-value queue drops the message this one replaces.
  Status Enqueue(MessagePtr message, PublishContext* context);

  // Positions: each message gets the next one, from settings().first_position, never reused.
  // The next message gets position `next` or above (a lower `next` changes nothing).
  void AdvancePosition(uint64_t next);
  // The highest position ever given a message (0: none); on a replica, the highest placed by
  // EnqueueReplica. Positions skipped by AdvancePosition are not given.
  uint64_t Tail() const;

  // True while the queue is over a flow-stop threshold; `listener` is then told once when it is
  // back under the resume threshold.
  bool FlowStopped(const std::shared_ptr<FlowListener>& listener);

  // Consumers. A consumer that finds the queue empty is told when a message arrives.
  // The queue keeps listeners weakly: one that is gone is simply forgotten. A listener added
  // to a deleted queue is told OnQueueDeleted at once. An exclusive queue takes one consumer at
  // a time: a second is refused (AlreadyExists, naming the queue).
  Status AddConsumer(const std::shared_ptr<QueueListener>& listener);
  // Returns true when this was the last consumer of an auto-delete queue that has been used,
  // which the caller then deletes (Broker::ReleaseAutoDelete). Never on a replica.
  bool RemoveConsumer(const QueueListener* listener);
  // Records that the queue has had a consumer (elsewhere: on the queue a replica mirrors), so
  // auto-delete applies once it has none.
  void MarkUsed();
  // True once the queue has had a consumer (AddConsumer, except on a replica, or MarkUsed).
  bool used() const;
  // Counts consumers coming and going: a delayed auto-delete deletes the queue only if nothing
  // changed since its last consumer left (UnusedSince that count).
  uint64_t ConsumerChanges() const;
  // True when an auto-delete queue that has had a consumer has none now, and consumers came or
  // went `changes` times in all. Never on a replica.
  bool UnusedSince(uint64_t changes) const;
  // The next available message in delivery order (priority level, then FIFO), now acquired by
  // the caller; nullopt when none (the listener is then told when one arrives). Expired
  // messages met on the way are dropped, never delivered. A replica gives nothing (the listener
  // is told when messages arrive, and after promotion): the protocol layer refuses acquiring
  // consumers on replicas, which the queue cannot tell from browsers.
  std::optional<QueuedMessage> Acquire(const std::shared_ptr<QueueListener>& listener);
  // Browsing, in position order: the first available unexpired message after position `after`,
  // not acquired; nullopt when none (the listener is then told when one arrives). On a replica,
  // which never expires anything, expired messages are shown too.
  std::optional<QueuedMessage> Browse(uint64_t after, const std::shared_ptr<QueueListener>& listener);

  // Outcomes of an acquired message.
  void Accept(uint64_t position);                         // consumed: removed for good
  // Back in its original place. `undeliverable_to` (a listener id, 0: none) will not be offered
  // the message again (modified with undeliverable-here).
  void Release(uint64_t position, bool delivery_failed, uint64_t undeliverable_to = 0);
  // Removed, and sent to the alternate exchange if the queue has one.
  void Reject(uint64_t position);

  // Removes every available message; returns how many. A replica removes nothing and returns 0:
  // callers that purge on request check replica() and refuse.
  uint64_t Purge();
  // Removes expired messages wherever they are in the queue (they go to the alternate
  // exchange); returns how many. Acquire only meets the ones in its way. Nothing on a replica.
  uint64_t PurgeExpired();

  // Marks deleted, tells consumers; available messages go to the alternate exchange, and
  // messages still acquired go there too if they are released rather than accepted. A replica's
  // messages are dropped, never rerouted.
  void Delete();
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }

  void AddObserver(std::shared_ptr<QueueObserver> observer);
  void RemoveObserver(const QueueObserver* observer);

  QueueStats Stats() const;
  // Available unexpired messages after `after` in position order, up to `limit`, for
  // management.
  std::vector<QueuedMessage> Snapshot(uint64_t after, size_t limit) const;
  // Every message the queue holds after `after` — available and acquired (not yet accepted),
  // expired ones not yet removed included — in position order, up to `limit`, with their expiry
  // times. For walking a whole queue a batch at a time: each call costs about what it returns
  // (a binary search per priority level and in the acquired messages), not the queue's depth.
  std::vector<QueuedMessage> SnapshotAll(uint64_t after, size_t limit) const;

  // Replica mode: the queue mirrors a queue of another broker, whose content is decided there;
  // it decides nothing about its messages itself. While a replica, the queue:
  //  - refuses Enqueue, and takes messages only through EnqueueReplica, at given positions;
  //  - loses messages only through DequeueReplica and Delete (dropped, never rerouted);
  //  - applies no limit, ring drop, last-value replacement, flow control, expiry, auto-delete
  //    or alternate exchange; gives nothing to Acquire; Purge and PurgeExpired remove nothing;
  //  - is not marked used by its own consumers (browsers), only by MarkUsed.
  // SetReplica(true) is meant for a new queue, before it is shared (right after creation).
  // SetReplica(false) makes it an ordinary queue (a promotion): a last-value queue keeps the
  // newest available message of each key value (older ones are dropped, counted as replaced);
  // expiry applies from then on; limits from the next Enqueue; flow control at once; waiting
  // listeners are told if messages are available. Positions go on above the tail.
  void SetReplica(bool replica);
  bool replica() const { return replica_.load(std::memory_order_acquire); }
  // Places `message` at exactly `position` (in position order within its priority level, even
  // below the tail), expiring at `expires_at_ms` (wall-clock ms; 0: never) whatever its header
  // says. A position the queue holds already is left as it is (Ok). Observers see the enqueue
  // with a null context; waiting listeners are told. Fails when the queue was deleted
  // (NotFound) or is not a replica (PreconditionFailed), or for position 0 (InvalidArgument).
  Status EnqueueReplica(MessagePtr message, uint64_t position, uint64_t expires_at_ms);
  // Removes the messages (available or acquired) whose positions fall in `ranges` (closed,
  // ascending, disjoint), as dequeued, without rerouting; positions not held are ignored.
  // Returns how many were removed; 0 on a queue that is not a replica. Costs a binary search
  // per range or per held message, whichever are fewer.
  uint64_t DequeueReplica(const PositionRanges& ranges);

 private:
  // What an operation found to do once the lock is released: listeners to tell, messages to
  // send to the alternate exchange.
  struct Deferred {
    std::vector<std::shared_ptr<QueueListener>> available;
    std::vector<std::shared_ptr<FlowListener>> resumed;
    std::vector<MessagePtr> dead_letters;
    std::string_view why;
  };
  void Finish(Deferred& deferred);  // REQUIRES: mutex_ not held

  // The rest REQUIRE mutex_ held.
  void Wait(const std::shared_ptr<QueueListener>& listener);
  void WakeWaiting(Deferred& deferred);
  std::optional<QueuedMessage> TakeAcquired(uint64_t position);
  // Puts a released message back in its place; returns it instead when a newer value of its
  // last-value key came meanwhile (never on a replica, which replaces nothing).
  std::optional<QueuedMessage> PutBack(QueuedMessage m);
  // A message leaves the queue for good: counters, byte depth, observers.
  void Dequeued(const QueuedMessage& m);
  // As Dequeued, and the message goes to the alternate exchange for `why`.
  void DeadLetter(const QueuedMessage& m, std::string_view why, Deferred& deferred);
  // ResourceLimit naming the queue and limit when a message of `size` bytes would not fit once
  // `freed_count` messages of `freed_bytes` have gone.
  Status CheckLimits(size_t size, uint64_t freed_count, uint64_t freed_bytes) const;
  // Ring: drops the oldest available messages until a message of `size` fits, if it can.
  Status MakeRoom(size_t size, uint64_t freed_count, uint64_t freed_bytes);
  void UpdateFlow(Deferred& deferred);
  void DropExpired(const std::vector<QueuedMessage>& expired, Deferred& deferred);
  // Replica mode, written under mutex_.
  bool IsReplica() const { return replica_.load(std::memory_order_relaxed); }
  // Entering replica mode: publishers held back are let go (their sends will be refused).
  void EnterReplicaMode(Deferred& deferred);
  // Leaving it: the policies a replica skipped are applied to what it holds.
  void LeaveReplicaMode(Deferred& deferred);
  // Moves the acquired messages whose positions fall in `ranges` into `out`.
  void TakeAcquiredIn(const PositionRanges& ranges, std::vector<QueuedMessage>& out);

  // Constant after construction.
  const std::string name_;
  const QueueSettings settings_;

  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  DeadLetterHandler dead_letter_handler_;
  AvailableMessages available_;
  // Ordered, so SnapshotAll and DequeueReplica find positions in it by binary search.
  std::map<uint64_t, QueuedMessage> acquired_;
  uint64_t acquired_bytes_ = 0;
  std::vector<std::weak_ptr<QueueListener>> consumers_;
  // Listeners that found nothing; all are told when a message becomes available, since any of
  // them may be the one with credit.
  std::vector<std::weak_ptr<QueueListener>> waiting_;
  std::vector<std::weak_ptr<FlowListener>> flow_waiting_;
  std::vector<std::shared_ptr<QueueObserver>> observers_;
  uint64_t next_position_ = 1;
  uint64_t tail_ = 0;          // the highest position given a message
  uint64_t bytes_ = 0;
  bool had_consumer_ = false;  // auto-delete applies only once a consumer has come and gone
  uint64_t consumer_changes_ = 0;
  uint64_t ring_dropped_ = 0;
  uint64_t lvq_replaced_ = 0;
  uint64_t expired_ = 0;
  uint64_t rejected_ = 0;
  uint64_t rerouted_ = 0;

  // Read without the lock: by publishers (flow) and management (counters).
  std::atomic<bool> flow_stopped_{false};
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> dequeued_{0};
  std::atomic<bool> deleted_{false};
  std::atomic<bool> replica_{false};  // written under mutex_; read without it by replica()
};

}  // namespace qpidd::broker
