#include "broker/available_messages.h"

#include <cmath>
#include <iterator>

namespace qpidd::broker {
namespace {

// Orders a message before a position (for std::lower_bound on a level).
bool Before(const QueuedMessage& m, uint64_t position) { return m.position < position; }

// The first message in [begin, end) whose position is above `after`.
template <typename It>
It Above(It begin, It end, uint64_t after) {
  return std::upper_bound(begin, end, after,
                          [](uint64_t p, const QueuedMessage& m) { return p < m.position; });
}

// Appends [begin, end) to `spans`, joining it to the last span when they touch. A span that
// overlaps the last one (ranges not ascending) loses its overlap, so nothing is removed twice.
void AppendSpan(std::vector<std::pair<size_t, size_t>>& spans, size_t begin, size_t end) {
  if (!spans.empty()) begin = std::max(begin, spans.back().second);
  if (begin >= end) return;
  if (!spans.empty() && spans.back().second == begin) {
    spans.back().second = end;
  } else {
    spans.emplace_back(begin, end);
  }
}

bool ByPosition(const QueuedMessage& a, const QueuedMessage& b) { return a.position < b.position; }

}  // namespace

bool InRanges(const PositionRanges& ranges, uint64_t position) {
  auto it = std::lower_bound(ranges.begin(), ranges.end(), position,
                             [](const auto& range, uint64_t p) { return range.second < p; });
  return it != ranges.end() && it->first <= position;
}

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
    std::move(level.begin(), level.end(), std::back_inserter(out));
    level.clear();
  }
  std::sort(out.begin(), out.end(),
            [](const QueuedMessage& a, const QueuedMessage& b) { return a.position < b.position; });
  latest_.clear();
  size_ = 0;
  return out;
}

bool AvailableMessages::Contains(uint64_t position) const {
  return std::any_of(levels_.begin(), levels_.end(), [position](const Level& level) {
    auto it = std::lower_bound(level.begin(), level.end(), position, Before);
    return it != level.end() && it->position == position;
  });
}

const QueuedMessage& AvailableMessages::Insert(QueuedMessage m) {
  Level& level = levels_[LevelIndex(m)];
  auto at = std::lower_bound(level.begin(), level.end(), m.position, Before);
  ++size_;
  return *level.insert(at, std::move(m));
}

std::vector<QueuedMessage> AvailableMessages::After(uint64_t after, size_t limit) const {
  // Each level's next message; the lowest position among them is the next in position order.
  std::vector<std::pair<Level::const_iterator, Level::const_iterator>> heads;
  for (const Level& level : levels_) {
    auto it = Above(level.begin(), level.end(), after);
    if (it != level.end()) heads.emplace_back(it, level.end());
  }
  std::vector<QueuedMessage> out;
  while (out.size() < limit && !heads.empty()) {
    auto next = std::min_element(heads.begin(), heads.end(), [](const auto& a, const auto& b) {
      return a.first->position < b.first->position;
    });
    out.push_back(*next->first);
    if (++next->first == next->second) heads.erase(next);
  }
  return out;
}

std::vector<AvailableMessages::Span> AvailableMessages::SpansIn(const Level& level,
                                                                const PositionRanges& ranges) {
  std::vector<Span> spans;
  if (ranges.empty() || level.empty()) return spans;
  const auto index = [&level](Level::const_iterator it) {
    return static_cast<size_t>(it - level.begin());
  };
  if (ranges.size() <= level.size()) {
    // Few ranges (however wide): two binary searches each.
    for (const auto& [first, last] : ranges) {
      if (first > last) continue;
      auto begin = std::lower_bound(level.begin(), level.end(), first, Before);
      AppendSpan(spans, index(begin), index(Above(begin, level.end(), last)));
    }
    return spans;
  }
  // Fewer messages than ranges: look each message of the covered stretch up in the ranges.
  auto it = std::lower_bound(level.begin(), level.end(), ranges.front().first, Before);
  const auto end = Above(it, level.end(), ranges.back().second);
  for (; it != end; ++it) {
    if (InRanges(ranges, it->position)) AppendSpan(spans, index(it), index(it) + 1);
  }
  return spans;
}

void AvailableMessages::EraseSpans(Level& level, const std::vector<Span>& spans,
                                   std::vector<QueuedMessage>& out) {
  if (spans.empty()) return;
  const size_t first_out = out.size();
  for (const auto& [begin, end] : spans) {
    std::move(level.begin() + static_cast<std::ptrdiff_t>(begin),
              level.begin() + static_cast<std::ptrdiff_t>(end), std::back_inserter(out));
  }
  // A deque erase moves the shorter side of the hole. Erasing span by span costs that per span;
  // sliding the window's kept messages over the holes costs the window once. Take the cheaper:
  // runs at either end (consumed or ring-dropped messages) erase alone, scattered ones slide.
  const size_t n = level.size();
  size_t one_by_one = 0;
  for (const auto& [begin, end] : spans) one_by_one += std::min(begin, n - end);
  const size_t window_begin = spans.front().first;
  const size_t window_end = spans.back().second;
  const size_t slide = (window_end - window_begin) + std::min(window_begin, n - window_end);
  const auto at = [&level](size_t i) { return level.begin() + static_cast<std::ptrdiff_t>(i); };
  if (one_by_one <= slide) {
    for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
      level.erase(at(span->first), at(span->second));
    }
  } else {
    size_t write = window_begin;
    for (size_t s = 0; s < spans.size(); ++s) {
      const size_t kept_end = s + 1 < spans.size() ? spans[s + 1].first : spans[s].second;
      for (size_t i = spans[s].second; i < kept_end; ++i) level[write++] = std::move(level[i]);
    }
    level.erase(at(write), at(window_end));
  }
  size_ -= out.size() - first_out;
  for (size_t i = first_out; i < out.size(); ++i) Forget(out[i]);
}

std::vector<QueuedMessage> AvailableMessages::RemoveIn(const PositionRanges& ranges) {
  std::vector<QueuedMessage> out;
  if (ranges.empty() || size_ == 0) return out;
  for (Level& level : levels_) EraseSpans(level, SpansIn(level, ranges), out);
  if (levels_.size() > 1) std::sort(out.begin(), out.end(), ByPosition);
  return out;
}

std::vector<QueuedMessage> AvailableMessages::KeepNewestValues() {
  std::vector<QueuedMessage> out;
  if (lvq_key_.empty()) return out;
  latest_.clear();
  for (const Level& level : levels_) {
    for (const QueuedMessage& m : level) {
      if (auto key = KeyOf(*m.message)) {
        uint64_t& newest = latest_[*key];
        newest = std::max(newest, m.position);
      }
    }
  }
  for (Level& level : levels_) {
    std::vector<Span> older;
    for (size_t i = 0; i < level.size(); ++i) {
      auto key = KeyOf(*level[i].message);
      if (key && latest_[*key] != level[i].position) AppendSpan(older, i, i + 1);
    }
    // The index keeps the newest positions: Forget leaves a key whose newest is not removed.
    EraseSpans(level, older, out);
  }
  if (levels_.size() > 1) std::sort(out.begin(), out.end(), ByPosition);
  return out;
}

}  // namespace qpidd::broker
