#include "broker/queue.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"

namespace qpidd::broker {
namespace {

bool ByPosition(const QueuedMessage& m, uint64_t position) { return m.position < position; }

void Notify(const std::vector<std::shared_ptr<QueueListener>>& listeners) {
  for (const auto& l : listeners) l->OnMessagesAvailable();
}

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

std::atomic<uint64_t> next_listener_id{0};

}  // namespace

QueueListener::QueueListener() : listener_id_(next_listener_id.fetch_add(1) + 1) {}

Result<ReplicationLevel> ParseReplicationLevel(std::string_view text) {
  if (text == "none") return ReplicationLevel::kNone;
  if (text == "configuration") return ReplicationLevel::kConfiguration;
  if (text == "all") return ReplicationLevel::kAll;
  return Status::InvalidArgument("invalid replication level '" + std::string(text) +
                                 "': expected none, configuration or all");
}

std::string_view ReplicationLevelName(ReplicationLevel level) {
  switch (level) {
    case ReplicationLevel::kNone: return "none";
    case ReplicationLevel::kConfiguration: return "configuration";
    case ReplicationLevel::kAll: return "all";
    case ReplicationLevel::kUnset: break;
  }
  return "";
}

Status ApplyQueueArguments(const Arguments& arguments, QueueSettings& settings) {
  if (auto it = arguments.find("qpid.replicate"); it != arguments.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    if (text == nullptr) {
      return Status::InvalidArgument("invalid value " + ToString(it->second) +
                                     " for qpid.replicate: expected none, configuration or all");
    }
    auto level = ParseReplicationLevel(*text);
    if (!level.ok()) return Status::InvalidArgument("qpid.replicate: " + level.status().message());
    settings.replicate = level.value();
  }
  std::string error;
  // GetUnsigned returns false both when absent and when bad; only the bad case sets `error`.
  if (!GetUnsigned(arguments, "qpid.max_count", settings.max_count, error) && !error.empty()) {
    return Status::InvalidArgument(error);
  }
  if (!GetUnsigned(arguments, "qpid.max_size", settings.max_bytes, error) && !error.empty()) {
    return Status::InvalidArgument(error);
  }
  if (auto it = arguments.find("qpid.policy_type"); it != arguments.end()) {
    const auto* policy = std::get_if<std::string>(&it->second);
    if (policy == nullptr || *policy != "reject") {
      const std::string text = policy ? *policy : ToString(it->second);
      if (text == "ring" || text == "ring_strict" || text == "flow_to_disk") {
        return Status::NotImplemented("qpid.policy_type '" + text +
                                      "' is not available yet: only 'reject' is built");
      }
      return Status::InvalidArgument("invalid value '" + text +
                                     "' for qpid.policy_type: expected reject");
    }
  }
  settings.arguments = arguments;
  return Status::Ok();
}

Queue::Queue(std::string name, QueueSettings settings)
    : name_(std::move(name)), settings_(std::move(settings)) {}

Queue::~Queue() = default;

void Queue::Wait(const std::shared_ptr<QueueListener>& listener) {
  for (const auto& w : waiting_) {
    if (w.lock() == listener) return;
  }
  waiting_.push_back(listener);
}

void Queue::TakeWaiting(std::vector<std::shared_ptr<QueueListener>>& to_notify) {
  for (auto& w : waiting_) {
    if (auto l = w.lock()) to_notify.push_back(std::move(l));
  }
  waiting_.clear();
}

Status Queue::Enqueue(MessagePtr message, PublishContext* context) {
  std::vector<std::shared_ptr<QueueListener>> to_notify;
  {
    std::lock_guard lock(mutex_);
    if (deleted_.load(std::memory_order_relaxed)) {
      return Status::NotFound("queue '" + name_ + "' was deleted");
    }
    if (Status full = CheckLimits(message->size()); !full.ok()) return full;
    QueuedMessage entry{std::move(message), next_position_++, 0, 0, 0};
    entry.expires_at_ms = ExpiryOf(*entry.message);
    bytes_ += entry.message->size();
    available_.push_back(std::move(entry));
    enqueued_.fetch_add(1, std::memory_order_relaxed);
    for (const auto& o : observers_) o->OnEnqueue(available_.back(), context);
    if (!waiting_.empty()) TakeWaiting(to_notify);
  }
  Notify(to_notify);
  return Status::Ok();
}

Status Queue::CheckLimits(size_t size) const {
  const uint64_t depth = available_.size() + acquired_.size();
  if (settings_.max_count != 0 && depth >= settings_.max_count) {
    return Status::ResourceLimit("queue '" + name_ + "' is full: it holds " +
                                 std::to_string(depth) + " messages, its limit (qpid.max_count)");
  }
  if (settings_.max_bytes != 0 && bytes_ + size > settings_.max_bytes) {
    return Status::ResourceLimit("queue '" + name_ + "' is full: " + std::to_string(bytes_) +
                                 " + " + std::to_string(size) + " bytes would pass its limit of " +
                                 std::to_string(settings_.max_bytes) + " bytes (qpid.max_size)");
  }
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
      had_consumer_ = true;
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
  return settings_.auto_delete && had_consumer_ && consumers_.empty() &&
         !deleted_.load(std::memory_order_relaxed);
}

void Queue::DropAvailable(const std::deque<QueuedMessage>::iterator& it) {
  bytes_ -= it->message->size();
  dequeued_.fetch_add(1, std::memory_order_relaxed);
  for (const auto& o : observers_) o->OnDequeue(*it);
  available_.erase(it);
}

void Queue::DropExpiredHead() {
  uint64_t now = 0;
  while (!available_.empty() && available_.front().expires_at_ms != 0) {
    if (now == 0) now = WallClockMs();
    if (available_.front().expires_at_ms > now) break;
    QPIDD_LOG(kDebug, kBroker, "queue " << name_ << ": message " << available_.front().position
                                        << " expired");
    DropAvailable(available_.begin());
  }
}

std::optional<QueuedMessage> Queue::Acquire(const std::shared_ptr<QueueListener>& listener) {
  std::lock_guard lock(mutex_);
  DropExpiredHead();
  // The first message this listener may take: one it refused as undeliverable-here is left
  // for the others.
  auto it = available_.begin();
  uint64_t now = 0;
  for (;;) {
    while (it != available_.end() && it->undeliverable_to == listener->listener_id()) ++it;
    if (it == available_.end()) {
      if (!deleted_.load(std::memory_order_relaxed)) Wait(listener);
      return std::nullopt;
    }
    if (it->expires_at_ms == 0) break;
    if (now == 0) now = WallClockMs();
    if (it->expires_at_ms > now) break;
    const size_t index = static_cast<size_t>(it - available_.begin());
    DropAvailable(it);  // expired behind a refused message
    it = available_.begin() + static_cast<std::ptrdiff_t>(index);
  }
  QueuedMessage m = std::move(*it);
  available_.erase(it);
  for (const auto& o : observers_) o->OnAcquire(m);
  acquired_.emplace(m.position, m);
  return m;
}

std::optional<QueuedMessage> Queue::Browse(uint64_t after,
                                           const std::shared_ptr<QueueListener>& listener) {
  std::lock_guard lock(mutex_);
  DropExpiredHead();
  auto it = std::lower_bound(available_.begin(), available_.end(), after + 1, ByPosition);
  uint64_t now = 0;
  while (it != available_.end() && it->expires_at_ms != 0) {
    if (now == 0) now = WallClockMs();
    if (it->expires_at_ms > now) break;
    ++it;  // expired but not at the head: never shown, dropped when it reaches the head
  }
  if (it == available_.end()) {
    if (!deleted_.load(std::memory_order_relaxed)) Wait(listener);
    return std::nullopt;
  }
  return *it;
}

std::optional<QueuedMessage> Queue::TakeAcquired(uint64_t position) {
  auto it = acquired_.find(position);
  if (it == acquired_.end()) return std::nullopt;
  QueuedMessage m = std::move(it->second);
  acquired_.erase(it);
  return m;
}

bool Queue::DequeueAcquired(uint64_t position) {
  auto m = TakeAcquired(position);
  if (!m) return false;
  bytes_ -= m->message->size();
  dequeued_.fetch_add(1, std::memory_order_relaxed);
  for (const auto& o : observers_) o->OnDequeue(*m);
  return true;
}

void Queue::Accept(uint64_t position) {
  std::lock_guard lock(mutex_);
  DequeueAcquired(position);
}

void Queue::Release(uint64_t position, bool delivery_failed, uint64_t undeliverable_to) {
  std::vector<std::shared_ptr<QueueListener>> to_notify;
  {
    std::lock_guard lock(mutex_);
    auto m = TakeAcquired(position);
    if (!m) return;
    if (delivery_failed) ++m->delivery_count;
    if (undeliverable_to != 0) m->undeliverable_to = undeliverable_to;
    if (deleted_.load(std::memory_order_relaxed)) {
      bytes_ -= m->message->size();
      return;
    }
    // Back in its original place, so a released message keeps its turn (FIFO by position).
    auto it = std::lower_bound(available_.begin(), available_.end(), m->position, ByPosition);
    it = available_.insert(it, std::move(*m));
    for (const auto& o : observers_) o->OnRequeue(*it);
    if (!waiting_.empty()) TakeWaiting(to_notify);
  }
  Notify(to_notify);
}

void Queue::Reject(uint64_t position) {
  std::lock_guard lock(mutex_);
  if (!DequeueAcquired(position)) return;
  QPIDD_LOG(kInfo, kBroker, "queue " << name_ << ": message " << position
                                     << " rejected by its consumer and dropped");
}

uint64_t Queue::Purge() {
  std::lock_guard lock(mutex_);
  const uint64_t count = available_.size();
  for (auto& m : available_) {
    bytes_ -= m.message->size();
    for (const auto& o : observers_) o->OnDequeue(m);
  }
  dequeued_.fetch_add(count, std::memory_order_relaxed);
  available_.clear();
  return count;
}

void Queue::Delete() {
  std::vector<std::shared_ptr<QueueListener>> consumers;
  {
    std::lock_guard lock(mutex_);
    if (deleted_.exchange(true)) return;
    for (auto& w : consumers_) {
      if (auto l = w.lock()) consumers.push_back(std::move(l));
    }
    consumers_.clear();
    waiting_.clear();
    for (auto& m : available_) bytes_ -= m.message->size();
    available_.clear();
  }
  for (const auto& c : consumers) c->OnQueueDeleted();
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
  return s;
}

std::vector<QueuedMessage> Queue::Snapshot(uint64_t after, size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<QueuedMessage> out;
  auto it = std::lower_bound(available_.begin(), available_.end(), after + 1, ByPosition);
  const uint64_t now = WallClockMs();
  for (; it != available_.end() && out.size() < limit; ++it) {
    if (it->expires_at_ms == 0 || it->expires_at_ms > now) out.push_back(*it);
  }
  return out;
}

}  // namespace qpidd::broker
