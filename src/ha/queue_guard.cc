#include "ha/queue_guard.h"

#include <vector>

namespace qpidd::ha {

void QueueGuard::OnEnqueue(const broker::QueuedMessage& m, broker::PublishContext* context) {
  std::lock_guard lock(mutex_);
  if (m.position > tail_) tail_ = m.position;
  if (context) {
    Waiting entry;
    for (const auto& [backup, start] : guarding_) {
      if (m.position > start) entry.backups.insert(backup);
    }
    if (!entry.backups.empty()) {
      entry.hold = context->Hold();
      waiting_[m.position] = std::move(entry);
    }
  }
  WakeFollowers();
}

void QueueGuard::OnDequeue(const broker::QueuedMessage& m) {
  std::shared_ptr<broker::PublishHold> released;  // dropped after the lock: it may settle
  std::lock_guard lock(mutex_);
  // Consumed (or otherwise gone) before every backup had it: nobody needs to wait any more.
  if (auto it = waiting_.find(m.position); it != waiting_.end()) {
    released = std::move(it->second.hold);
    waiting_.erase(it);
  }
  for (auto& [backup, follower] : followers_) follower.dequeued.Add(m.position);
  WakeFollowers();
}

uint64_t QueueGuard::StartGuarding(const std::string& backup) {
  std::lock_guard lock(mutex_);
  return guarding_.try_emplace(backup, tail_).first->second;
}

void QueueGuard::StartGuardingFrom(const std::string& backup, uint64_t start) {
  std::lock_guard lock(mutex_);
  guarding_.try_emplace(backup, start);
}

void QueueGuard::StopGuarding(const std::string& backup) {
  std::vector<std::shared_ptr<broker::PublishHold>> released;
  std::lock_guard lock(mutex_);
  if (frozen_) return;
  guarding_.erase(backup);
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    it->second.backups.erase(backup);
    if (it->second.backups.empty()) {
      released.push_back(std::move(it->second.hold));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

void QueueGuard::Freeze() {
  std::lock_guard lock(mutex_);
  frozen_ = true;
}

bool QueueGuard::Guards(const std::string& backup) const {
  std::lock_guard lock(mutex_);
  return guarding_.contains(backup);
}

void QueueGuard::Release(const std::string& backup, uint64_t id) {
  std::shared_ptr<broker::PublishHold> released;
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;
  it->second.backups.erase(backup);
  if (it->second.backups.empty()) {
    released = std::move(it->second.hold);
    waiting_.erase(it);
  }
}

void QueueGuard::ReleaseAll() {
  std::map<uint64_t, Waiting> released;
  std::vector<std::shared_ptr<GuardListener>> told;
  {
    std::lock_guard lock(mutex_);
    released.swap(waiting_);
    guarding_.clear();
    for (auto& [backup, follower] : followers_) {
      if (auto listener = follower.listener.lock()) told.push_back(std::move(listener));
    }
    followers_.clear();
  }
  for (const auto& listener : told) listener->OnQueueDeleted();
}

void QueueGuard::AddListener(const std::string& backup, std::weak_ptr<GuardListener> listener) {
  std::lock_guard lock(mutex_);
  followers_[backup] = Follower{std::move(listener), {}};
}

void QueueGuard::RemoveListener(const std::string& backup) {
  std::lock_guard lock(mutex_);
  followers_.erase(backup);
}

IdRanges QueueGuard::TakeDequeued(const std::string& backup) {
  std::lock_guard lock(mutex_);
  auto it = followers_.find(backup);
  if (it == followers_.end()) return {};
  IdRanges taken;
  std::swap(taken, it->second.dequeued);
  return taken;
}

uint64_t QueueGuard::tail() const {
  std::lock_guard lock(mutex_);
  return tail_;
}

size_t QueueGuard::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

void QueueGuard::WakeFollowers() {
  for (auto& [backup, follower] : followers_) {
    if (auto listener = follower.listener.lock()) listener->OnQueueChanged();
  }
}

}  // namespace qpidd::ha
