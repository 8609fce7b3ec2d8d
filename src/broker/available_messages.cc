#include "broker/available_messages.h"

#include <cmath>

namespace qpidd::broker {

AvailableMessages::AvailableMessages(uint32_t priority_levels, uint32_t fairshare,
                                     std::string lvq_key)
    : levels_(std::max<uint32_t>(priority_levels, 1)),
      fairshare_(fairshare),
      lvq_key_(std::move(lvq_key)),
      start_level_(static_cast<uint32_t>(levels_.size()) - 1) {}

uint32_t AvailableMessages::LevelOf(uint8_t priority, uint32_t levels) {
  if (levels <= 1) return 0;
  const uint32_t first_level = 5 - std::min(5u, (levels + 1) / 2);
  if (priority <= first_level) return 0;
  return std::min<uint32_t>(priority - first_level, levels - 1);
}

uint32_t AvailableMessages::LevelIndex(const QueuedMessage& m) const {
  return LevelOf(m.message->priority(), static_cast<uint32_t>(levels_.size()));
}

std::optional<std::string> AvailableMessages::KeyOf(const Message& message) const {
  if (lvq_key_.empty()) return std::nullopt;
  const Value* value = message.ApplicationProperty(lvq_key_);
  if (value == nullptr) return std::nullopt;
  // The kind is part of the key, so 1 and "1" are different values.
  return std::to_string(value->index()) + ":" + ToString(*value);
}

const QueuedMessage* AvailableMessages::Replaced(const Message& message) const {
  auto key = KeyOf(message);
  if (!key) return nullptr;
  auto it = latest_.find(*key);
  if (it == latest_.end()) return nullptr;
  return FirstAfter(it->second - 1, [](const QueuedMessage&) { return true; });
}

void AvailableMessages::Forget(const QueuedMessage& m) {
  if (lvq_key_.empty()) return;
  auto key = KeyOf(*m.message);
  if (!key) return;
  auto it = latest_.find(*key);
  if (it != latest_.end() && it->second == m.position) latest_.erase(it);
}

QueuedMessage AvailableMessages::Remove(Level& level, Level::iterator it) {
  QueuedMessage m = std::move(*it);
  level.erase(it);
  --size_;
  Forget(m);
  return m;
}

std::optional<QueuedMessage> AvailableMessages::Push(QueuedMessage m) {
  std::optional<QueuedMessage> replaced;
  if (auto key = KeyOf(*m.message)) {
    if (auto it = latest_.find(*key); it != latest_.end()) {
      const uint64_t old_position = it->second;
      for (Level& level : levels_) {
        auto found = std::lower_bound(
            level.begin(), level.end(), old_position,
            [](const QueuedMessage& q, uint64_t p) { return q.position < p; });
        if (found != level.end() && found->position == old_position) {
          replaced = Remove(level, found);
          break;
        }
      }
    }
    latest_[*key] = m.position;
  }
  levels_[LevelIndex(m)].push_back(std::move(m));
  ++size_;
  return replaced;
}

std::optional<QueuedMessage> AvailableMessages::Restore(QueuedMessage m) {
  if (auto key = KeyOf(*m.message)) {
    auto [it, inserted] = latest_.try_emplace(*key, m.position);
    if (!inserted) {
      if (it->second > m.position) return m;  // a newer value came while it was out
      it->second = m.position;
    }
  }
  Level& level = levels_[LevelIndex(m)];
  auto at = std::lower_bound(level.begin(), level.end(), m.position,
                             [](const QueuedMessage& q, uint64_t p) { return q.position < p; });
  level.insert(at, std::move(m));
  ++size_;
  return std::nullopt;
}

void AvailableMessages::NoteTaken(uint32_t level) {
  const auto top = static_cast<uint32_t>(levels_.size()) - 1;
  if (fairshare_ == 0) return;  // start_level_ stays at the top
  if (level == streak_level_) {
    ++streak_;
  } else {
    streak_level_ = level;
    streak_ = 1;
  }
  // A level keeps its turn until it has given `fairshare_` in a row (or runs dry); then the
  // next lower level has its turn, and after the lowest the top again: round robin by level.
  start_level_ = level;
  if (streak_ >= fairshare_) {
    start_level_ = level == 0 ? top : level - 1;
    streak_ = 0;
  }
}

std::optional<QueuedMessage> AvailableMessages::PopOldest() {
  Level* oldest = nullptr;
  for (Level& level : levels_) {
    if (!level.empty() && (oldest == nullptr || level.front().position < oldest->front().position)) {
      oldest = &level;
    }
  }
  if (oldest == nullptr) return std::nullopt;
  return Remove(*oldest, oldest->begin());
}

std::vector<QueuedMessage> AvailableMessages::TakeAll() {
  std::vector<QueuedMessage> out;
  out.reserve(size_);
  for (Level& level : levels_) {
    for (QueuedMessage& m : level) out.push_back(std::move(m));
    level.clear();
  }
  std::sort(out.begin(), out.end(),
            [](const QueuedMessage& a, const QueuedMessage& b) { return a.position < b.position; });
  latest_.clear();
  size_ = 0;
  return out;
}

}  // namespace qpidd::broker
