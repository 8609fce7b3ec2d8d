#include "broker/queue.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "common/log.h"

namespace qpidd::broker {
namespace {

uint64_t WallClockMs() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// When a message stops being deliverable: its ttl counts from when it reached this queue,
// its absolute-expiry-time is absolute; the earlier wins.
uint64_t ExpiryOf(const Message& m) {
  uint64_t expiry = 0;
  if (m.ttl_ms()) expiry = WallClockMs() + *m.ttl_ms();
  if (m.absolute_expiry_ms() && (expiry == 0 || *m.absolute_expiry_ms() < expiry)) {
    expiry = *m.absolute_expiry_ms();
  }
  return expiry;
}

// Tells whether a message has expired, reading the clock at most once per use. Nothing expires
// where expiry does not apply (on a replica).
class ExpiryCheck {
 public:
  explicit ExpiryCheck(bool applies = true) : applies_(applies) {}
  bool Expired(const QueuedMessage& m) {
    if (!applies_ || m.expires_at_ms == 0) return false;
    if (now_ == 0) now_ = WallClockMs();
    return m.expires_at_ms <= now_;
  }

 private:
  const bool applies_;
  uint64_t now_ = 0;
};

std::atomic<uint64_t> next_listener_id{0};

constexpr std::string_view kRejected = "rejected by its consumer";
constexpr std::string_view kExpired = "expired";
constexpr std::string_view kQueueDeleted = "its queue was deleted";

}  // namespace

QueueListener::QueueListener() : listener_id_(next_listener_id.fetch_add(1) + 1) {}

Queue::Queue(std::string name, QueueSettings settings)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      available_(settings_.priority_levels, settings_.fairshare, settings_.lvq_key),
      next_position_(std::max<uint64_t>(settings_.first_position, 1)) {}

Queue::~Queue() = default;

void Queue::SetDeadLetterHandler(DeadLetterHandler handler) {
  std::lock_guard lock(mutex_);
  dead_letter_handler_ = std::move(handler);
}

void Queue::Finish(Deferred& deferred) {
  for (const auto& l : deferred.available) l->OnMessagesAvailable();
  for (const auto& l : deferred.resumed) l->OnFlowResumed();
  if (deferred.dead_letters.empty()) return;
  DeadLetterHandler handler;
  {
    std::lock_guard lock(mutex_);
    handler = dead_letter_handler_;
  }
  const size_t count = deferred.dead_letters.size();
  if (handler && !settings_.alternate_exchange.empty()) {
    handler(settings_.alternate_exchange, name_, std::move(deferred.dead_letters), deferred.why);
  } else {
    // Expiry is routine; a reject or a delete losing messages is worth a line at info.
    if (deferred.why == kExpired) {
      QPIDD_LOG(kDebug, kBroker, "queue " << name_ << ": " << count << " expired message(s) "
                                          "dropped (no alternate exchange)");
    } else {
      QPIDD_LOG(kInfo, kBroker, "queue " << name_ << ": " << count << " message(s) dropped, "
                                         << deferred.why << ", and the queue has no alternate "
                                            "exchange");
    }
  }
}

void Queue::Wait(const std::shared_ptr<QueueListener>& listener) {
  const bool known = std::any_of(waiting_.begin(), waiting_.end(),
                                 [&](const auto& w) { return w.lock() == listener; });
  if (!known) waiting_.push_back(listener);
}

void Queue::WakeWaiting(Deferred& deferred) {
  for (auto& w : waiting_) {
    if (auto l = w.lock()) deferred.available.push_back(std::move(l));
  }
  waiting_.clear();
}

void Queue::Dequeued(const QueuedMessage& m) {
  bytes_ -= m.message->size();
  dequeued_.fetch_add(1, std::memory_order_relaxed);
  for (const auto& o : observers_) o->OnDequeue(m);
}

void Queue::DeadLetter(const QueuedMessage& m, std::string_view why, Deferred& deferred) {
  Dequeued(m);
  // Where a replica's messages go is decided for the queue it mirrors, and happens there.
  if (IsReplica()) return;
  deferred.why = why;
  if (settings_.alternate_exchange.empty()) {
    deferred.dead_letters.push_back(m.message);
    return;
  }
  ++rerouted_;
  // An expired message would expire again at once wherever it went.
  deferred.dead_letters.push_back(why == kExpired ? m.message->WithoutExpiry() : m.message);
}

void Queue::DropExpired(const std::vector<QueuedMessage>& expired, Deferred& deferred) {
  for (const auto& m : expired) {
    QPIDD_LOG(kDebug, kBroker, "queue " << name_ << ": message " << m.position << " expired");
    ++expired_;
    DeadLetter(m, kExpired, deferred);
  }
}

void Queue::UpdateFlow(Deferred& deferred) {
  const uint64_t depth = available_.size() + acquired_.size();
  const QueueSettings& s = settings_;
  if (!flow_stopped_.load(std::memory_order_relaxed)) {
    if ((s.flow_stop_count != 0 && depth >= s.flow_stop_count) ||
        (s.flow_stop_bytes != 0 && bytes_ >= s.flow_stop_bytes)) {
      flow_stopped_.store(true, std::memory_order_release);
      QPIDD_LOG(kInfo, kBroker, "queue " << name_ << ": flow stopped at " << depth
                                         << " messages, " << bytes_ << " bytes");
    }
    return;
  }
  if ((s.flow_stop_count == 0 || depth <= s.flow_resume_count) &&
      (s.flow_stop_bytes == 0 || bytes_ <= s.flow_resume_bytes)) {
    flow_stopped_.store(false, std::memory_order_release);
    QPIDD_LOG(kInfo, kBroker, "queue " << name_ << ": flow resumed at " << depth
                                       << " messages, " << bytes_ << " bytes");
    for (auto& w : flow_waiting_) {
      if (auto l = w.lock()) deferred.resumed.push_back(std::move(l));
    }
    flow_waiting_.clear();
  }
}

bool Queue::FlowStopped(const std::shared_ptr<FlowListener>& listener) {
  if (!flow_stopped_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mutex_);
  if (!flow_stopped_.load(std::memory_order_relaxed)) return false;
  if (listener) {
    const bool known = std::any_of(flow_waiting_.begin(), flow_waiting_.end(),
                                   [&](const auto& w) { return w.lock() == listener; });
    if (!known) flow_waiting_.push_back(listener);
  }
  return true;
}

Status Queue::CheckLimits(size_t size, uint64_t freed_count, uint64_t freed_bytes) const {
  const uint64_t depth = available_.size() + acquired_.size() - freed_count;
  if (settings_.max_count != 0 && depth >= settings_.max_count) {
    return Status::ResourceLimit("queue '" + name_ + "' is full: it holds " +
                                 std::to_string(depth) + " messages, its limit (qpid.max_count)");
  }
  const uint64_t bytes = bytes_ - freed_bytes;
  if (settings_.max_bytes != 0 && bytes + size > settings_.max_bytes) {
    return Status::ResourceLimit("queue '" + name_ + "' is full: " + std::to_string(bytes) +
                                 " + " + std::to_string(size) + " bytes would pass its limit of " +
                                 std::to_string(settings_.max_bytes) + " bytes (qpid.max_size)");
  }
  return Status::Ok();
}

Status Queue::MakeRoom(size_t size, uint64_t freed_count, uint64_t freed_bytes) {
  // Only available messages can go: check first that the message fits beside the acquired
  // ones, so a message that can never fit drops nothing.
  if ((settings_.max_count != 0 && acquired_.size() >= settings_.max_count) ||
      (settings_.max_bytes != 0 && acquired_bytes_ + size > settings_.max_bytes)) {
    return Status::ResourceLimit(
        "ring queue '" + name_ + "' cannot take a message of " + std::to_string(size) +
        " bytes: its limit (" + std::to_string(settings_.max_count) + " messages, " +
        std::to_string(settings_.max_bytes) + " bytes) is taken by messages being delivered");
  }
  while (!CheckLimits(size, freed_count, freed_bytes).ok()) {
    auto oldest = available_.PopOldest();
    if (!oldest) break;  // unreachable after the check above; kept for safety
    ++ring_dropped_;
    Dequeued(*oldest);
  }
  return CheckLimits(size, freed_count, freed_bytes);
}

Status Queue::Enqueue(MessagePtr message, PublishContext* context) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    if (deleted_.load(std::memory_order_relaxed)) {
      return Status::NotFound("queue '" + name_ + "' was deleted");
    }
    if (IsReplica()) {
      return Status::Error(StatusCode::kPreconditionFailed,
                           "queue '" + name_ + "' is a replica: its messages come from replication");
    }
    // A last-value message frees the place of the one it replaces.
    uint64_t freed_count = 0, freed_bytes = 0;
    if (const QueuedMessage* old = available_.Replaced(*message)) {
      freed_count = 1;
      freed_bytes = old->message->size();
    }
    if (Status full = CheckLimits(message->size(), freed_count, freed_bytes); !full.ok()) {
      if (settings_.limit_policy != LimitPolicy::kRing) return full;
      if (Status room = MakeRoom(message->size(), freed_count, freed_bytes); !room.ok()) {
        return room;
      }
    }
    QueuedMessage entry{std::move(message), next_position_++, 0, 0, 0};
    entry.expires_at_ms = ExpiryOf(*entry.message);
    bytes_ += entry.message->size();
    const uint64_t position = entry.position;
    tail_ = position;
    if (auto replaced = available_.Push(std::move(entry))) {
      ++lvq_replaced_;
      Dequeued(*replaced);
    }
    enqueued_.fetch_add(1, std::memory_order_relaxed);
    if (!observers_.empty()) {
      const QueuedMessage* added =
          available_.FirstAfter(position - 1, [](const QueuedMessage&) { return true; });
      for (const auto& o : observers_) o->OnEnqueue(*added, context);
    }
    UpdateFlow(deferred);
    if (!waiting_.empty()) WakeWaiting(deferred);
  }
  Finish(deferred);
  return Status::Ok();
}

Status Queue::AddConsumer(const std::shared_ptr<QueueListener>& listener) {
  {
    std::lock_guard lock(mutex_);
    if (!deleted_.load(std::memory_order_relaxed)) {
      const bool taken = std::any_of(consumers_.begin(), consumers_.end(),
                                     [](const auto& w) { return !w.expired(); });
      if (settings_.exclusive && taken) {
        return Status::AlreadyExists("queue '" + name_ +
                                     "' is exclusive and already has a consumer");
      }
      consumers_.push_back(listener);
      // A replica is used when the queue it mirrors is (MarkUsed), not by its browsers.
      if (!IsReplica()) had_consumer_ = true;
      ++consumer_changes_;
      for (const auto& o : observers_) o->OnConsumerAdded();
      return Status::Ok();
    }
  }
  listener->OnQueueDeleted();
  return Status::Ok();
}

bool Queue::RemoveConsumer(const QueueListener* listener) {
  std::lock_guard lock(mutex_);
  auto gone = [listener](const std::weak_ptr<QueueListener>& w) {
    auto l = w.lock();
    return !l || l.get() == listener;
  };
  std::erase_if(consumers_, gone);
  std::erase_if(waiting_, gone);
  ++consumer_changes_;
  return !IsReplica() && settings_.auto_delete && had_consumer_ && consumers_.empty() &&
         !deleted_.load(std::memory_order_relaxed);
}

void Queue::MarkUsed() {
  std::lock_guard lock(mutex_);
  had_consumer_ = true;
}

bool Queue::used() const {
  std::lock_guard lock(mutex_);
  return had_consumer_;
}

uint64_t Queue::ConsumerChanges() const {
  std::lock_guard lock(mutex_);
  return consumer_changes_;
}

bool Queue::UnusedSince(uint64_t changes) const {
  std::lock_guard lock(mutex_);
  if (consumer_changes_ != changes) return false;
  const bool none = std::none_of(consumers_.begin(), consumers_.end(),
                                 [](const auto& w) { return !w.expired(); });
  return !IsReplica() && settings_.auto_delete && had_consumer_ && none &&
         !deleted_.load(std::memory_order_relaxed);
}

std::optional<QueuedMessage> Queue::Acquire(const std::shared_ptr<QueueListener>& listener) {
  Deferred deferred;
  std::optional<QueuedMessage> taken;
  {
    std::lock_guard lock(mutex_);
    if (IsReplica()) {
      // Told when messages come, and at promotion, like any listener that found nothing.
      if (!deleted_.load(std::memory_order_relaxed)) Wait(listener);
      return std::nullopt;
    }
    ExpiryCheck expiry;
    const uint64_t me = listener->listener_id();
    std::vector<QueuedMessage> expired;
    taken = available_.Take(
        [&](const QueuedMessage& m) {
          if (expiry.Expired(m)) return AvailableMessages::Verdict::kDrop;
          // One this listener refused as undeliverable-here is left for the others.
          if (m.undeliverable_to == me) return AvailableMessages::Verdict::kSkip;
          return AvailableMessages::Verdict::kTake;
        },
        expired);
    if (!expired.empty()) {
      DropExpired(expired, deferred);
      UpdateFlow(deferred);
    }
    if (!taken) {
      if (!deleted_.load(std::memory_order_relaxed)) Wait(listener);
    } else {
      for (const auto& o : observers_) o->OnAcquire(*taken);
      acquired_bytes_ += taken->message->size();
      acquired_.emplace(taken->position, *taken);
    }
  }
  Finish(deferred);
  return taken;
}

std::optional<QueuedMessage> Queue::Browse(uint64_t after,
                                           const std::shared_ptr<QueueListener>& listener) {
  std::lock_guard lock(mutex_);
  ExpiryCheck expiry(!IsReplica());
  // Expired messages are never shown; they are dropped when a consumer or a sweep meets them.
  const QueuedMessage* next =
      available_.FirstAfter(after, [&](const QueuedMessage& m) { return !expiry.Expired(m); });
  if (next == nullptr) {
    if (!deleted_.load(std::memory_order_relaxed)) Wait(listener);
    return std::nullopt;
  }
  return *next;
}

std::optional<QueuedMessage> Queue::TakeAcquired(uint64_t position) {
  auto it = acquired_.find(position);
  if (it == acquired_.end()) return std::nullopt;
  QueuedMessage m = std::move(it->second);
  acquired_.erase(it);
  acquired_bytes_ -= m.message->size();
  return m;
}

void Queue::Accept(uint64_t position) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    auto m = TakeAcquired(position);
    if (!m) return;
    Dequeued(*m);
    UpdateFlow(deferred);
  }
  Finish(deferred);
}

std::optional<QueuedMessage> Queue::PutBack(QueuedMessage m) {
  if (!IsReplica()) return available_.Restore(std::move(m));
  available_.Insert(std::move(m));  // a replica replaces nothing
  return std::nullopt;
}

void Queue::Release(uint64_t position, bool delivery_failed, uint64_t undeliverable_to) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    auto m = TakeAcquired(position);
    if (!m) return;
    if (delivery_failed) ++m->delivery_count;
    if (undeliverable_to != 0) m->undeliverable_to = undeliverable_to;
    if (deleted_.load(std::memory_order_relaxed)) {
      DeadLetter(*m, kQueueDeleted, deferred);
    } else if (auto stale = PutBack(std::move(*m))) {
      // A newer value of its last-value key came while it was out: the newer one stays.
      ++lvq_replaced_;
      Dequeued(*stale);
      UpdateFlow(deferred);
    } else {
      // Back in its original place, so a released message keeps its turn.
      const QueuedMessage* back =
          available_.FirstAfter(position - 1, [](const QueuedMessage&) { return true; });
      for (const auto& o : observers_) o->OnRequeue(*back);
      if (!waiting_.empty()) WakeWaiting(deferred);
    }
  }
  Finish(deferred);
}

void Queue::Reject(uint64_t position) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    auto m = TakeAcquired(position);
    if (!m) return;
    ++rejected_;
    QPIDD_LOG(kInfo, kBroker, "queue " << name_ << ": message " << position
                                       << " rejected by its consumer");
    DeadLetter(*m, kRejected, deferred);
    UpdateFlow(deferred);
  }
  Finish(deferred);
}

uint64_t Queue::Purge() {
  Deferred deferred;
  uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    if (IsReplica()) return 0;  // its content is decided elsewhere
    for (const auto& m : available_.TakeAll()) {
      Dequeued(m);
      ++count;
    }
    UpdateFlow(deferred);
  }
  Finish(deferred);
  return count;
}

uint64_t Queue::PurgeExpired() {
  Deferred deferred;
  uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    if (IsReplica()) return 0;  // a replica never expires anything
    ExpiryCheck expiry;
    std::vector<QueuedMessage> expired;
    (void)available_.Take(
        [&](const QueuedMessage& m) {
          return expiry.Expired(m) ? AvailableMessages::Verdict::kDrop
                                   : AvailableMessages::Verdict::kSkip;
        },
        expired);
    count = expired.size();
    if (count != 0) {
      DropExpired(expired, deferred);
      UpdateFlow(deferred);
    }
  }
  Finish(deferred);
  return count;
}

void Queue::Delete() {
  std::vector<std::shared_ptr<QueueListener>> consumers;
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    if (deleted_.exchange(true)) return;
    for (auto& w : consumers_) {
      if (auto l = w.lock()) consumers.push_back(std::move(l));
    }
    consumers_.clear();
    waiting_.clear();
    for (const auto& m : available_.TakeAll()) DeadLetter(m, kQueueDeleted, deferred);
    // Publishers held back by this queue must not wait for ever.
    flow_stopped_.store(false, std::memory_order_release);
    for (auto& w : flow_waiting_) {
      if (auto l = w.lock()) deferred.resumed.push_back(std::move(l));
    }
    flow_waiting_.clear();
  }
  for (const auto& c : consumers) c->OnQueueDeleted();
  Finish(deferred);
}

void Queue::AddObserver(std::shared_ptr<QueueObserver> observer) {
  std::lock_guard lock(mutex_);
  observers_.push_back(std::move(observer));
}

void Queue::RemoveObserver(const QueueObserver* observer) {
  std::lock_guard lock(mutex_);
  std::erase_if(observers_, [observer](const auto& o) { return o.get() == observer; });
}

QueueStats Queue::Stats() const {
  std::lock_guard lock(mutex_);
  QueueStats s;
  s.depth = available_.size() + acquired_.size();
  s.bytes = bytes_;
  s.acquired = acquired_.size();
  s.enqueued = enqueued_.load(std::memory_order_relaxed);
  s.dequeued = dequeued_.load(std::memory_order_relaxed);
  s.consumers = static_cast<uint64_t>(std::count_if(
      consumers_.begin(), consumers_.end(), [](const auto& w) { return !w.expired(); }));
  s.flow_stopped = flow_stopped_.load(std::memory_order_relaxed);
  s.ring_dropped = ring_dropped_;
  s.lvq_replaced = lvq_replaced_;
  s.expired = expired_;
  s.rejected = rejected_;
  s.rerouted = rerouted_;
  return s;
}

std::vector<QueuedMessage> Queue::Snapshot(uint64_t after, size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<QueuedMessage> out;
  ExpiryCheck expiry(!IsReplica());
  auto visible = [&](const QueuedMessage& m) { return !expiry.Expired(m); };
  while (out.size() < limit) {
    const QueuedMessage* next = available_.FirstAfter(after, visible);
    if (next == nullptr) break;
    out.push_back(*next);
    after = next->position;
  }
  return out;
}

std::vector<QueuedMessage> Queue::SnapshotAll(uint64_t after, size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<QueuedMessage> available = available_.After(after, limit);
  std::vector<QueuedMessage> acquired;
  for (auto it = acquired_.upper_bound(after); it != acquired_.end() && acquired.size() < limit;
       ++it) {
    acquired.push_back(it->second);
  }
  std::vector<QueuedMessage> out;
  out.reserve(available.size() + acquired.size());
  std::merge(available.begin(), available.end(), acquired.begin(), acquired.end(),
             std::back_inserter(out),
             [](const QueuedMessage& a, const QueuedMessage& b) { return a.position < b.position; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

void Queue::AdvancePosition(uint64_t next) {
  std::lock_guard lock(mutex_);
  next_position_ = std::max(next_position_, next);
}

uint64_t Queue::Tail() const {
  std::lock_guard lock(mutex_);
  return tail_;
}

void Queue::SetReplica(bool replica) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    if (replica == IsReplica()) return;
    replica_.store(replica, std::memory_order_release);
    if (replica) {
      EnterReplicaMode(deferred);
    } else {
      LeaveReplicaMode(deferred);
    }
  }
  Finish(deferred);
}

void Queue::EnterReplicaMode(Deferred& deferred) {
  flow_stopped_.store(false, std::memory_order_release);
  for (auto& w : flow_waiting_) {
    if (auto l = w.lock()) deferred.resumed.push_back(std::move(l));
  }
  flow_waiting_.clear();
}

void Queue::LeaveReplicaMode(Deferred& deferred) {
  // A replica kept every value of a last-value key; an ordinary queue keeps the newest.
  for (const QueuedMessage& m : available_.KeepNewestValues()) {
    ++lvq_replaced_;
    Dequeued(m);
  }
  UpdateFlow(deferred);
  if (!available_.empty() && !waiting_.empty()) WakeWaiting(deferred);
  QPIDD_LOG(kDebug, kBroker, "queue " << name_ << ": no longer a replica, holding "
                                      << available_.size() + acquired_.size() << " messages");
}

Status Queue::EnqueueReplica(MessagePtr message, uint64_t position, uint64_t expires_at_ms) {
  Deferred deferred;
  {
    std::lock_guard lock(mutex_);
    if (deleted_.load(std::memory_order_relaxed)) {
      return Status::NotFound("queue '" + name_ + "' was deleted");
    }
    if (!IsReplica()) {
      return Status::Error(StatusCode::kPreconditionFailed,
                           "queue '" + name_ + "' is not a replica: it decides its own positions");
    }
    if (position == 0) {
      return Status::InvalidArgument("queue '" + name_ + "': position 0 is not a position");
    }
    // The same message delivered again (e.g. after a reconnection) is already here.
    if (available_.Contains(position) || acquired_.contains(position)) return Status::Ok();
    bytes_ += message->size();
    const QueuedMessage& added =
        available_.Insert(QueuedMessage{std::move(message), position, 0, expires_at_ms, 0});
    tail_ = std::max(tail_, position);
    // After a promotion, positions go on above every position the queue was given.
    if (position >= next_position_) next_position_ = position + 1;
    enqueued_.fetch_add(1, std::memory_order_relaxed);
    for (const auto& o : observers_) o->OnEnqueue(added, nullptr);
    if (!waiting_.empty()) WakeWaiting(deferred);
  }
  Finish(deferred);
  return Status::Ok();
}

void Queue::TakeAcquiredIn(const PositionRanges& ranges, std::vector<QueuedMessage>& out) {
  auto take = [&](std::map<uint64_t, QueuedMessage>::iterator it) {
    acquired_bytes_ -= it->second.message->size();
    out.push_back(std::move(it->second));
    return acquired_.erase(it);
  };
  if (ranges.size() <= acquired_.size()) {
    for (const auto& [first, last] : ranges) {
      for (auto it = acquired_.lower_bound(first); it != acquired_.end() && it->first <= last;) {
        it = take(it);
      }
    }
    return;
  }
  // Fewer acquired messages than ranges: look each one up in the ranges.
  for (auto it = acquired_.lower_bound(ranges.front().first);
       it != acquired_.end() && it->first <= ranges.back().second;) {
    it = InRanges(ranges, it->first) ? take(it) : std::next(it);
  }
}

uint64_t Queue::DequeueReplica(const PositionRanges& ranges) {
  std::lock_guard lock(mutex_);
  // After a promotion the queue decides for itself: a late removal must not touch it.
  if (!IsReplica() || ranges.empty()) return 0;
  std::vector<QueuedMessage> removed = available_.RemoveIn(ranges);
  const auto available_count = static_cast<std::ptrdiff_t>(removed.size());
  if (!acquired_.empty()) TakeAcquiredIn(ranges, removed);
  // Observers see the removals in position order.
  std::inplace_merge(
      removed.begin(), removed.begin() + available_count, removed.end(),
      [](const QueuedMessage& a, const QueuedMessage& b) { return a.position < b.position; });
  for (const QueuedMessage& m : removed) Dequeued(m);
  return removed.size();
}

}  // namespace qpidd::broker
