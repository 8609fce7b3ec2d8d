// The messages of a queue that a consumer may take, in delivery order: by priority level (highest
// first) when the queue has levels, then by position (FIFO). On a last-value queue at most one
// available message holds each value of the key: a newer one replaces it.
// Not thread-safe: the owning Queue guards it with its lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/message.h"

namespace qpidd::broker {

// One message on a queue, as a consumer or an observer sees it.
struct QueuedMessage {
  MessagePtr message;
  uint64_t position = 0;        // this queue's sequence number, from 1, never reused
  uint32_t delivery_count = 0;  // deliveries that ended without being accepted
  uint64_t expires_at_ms = 0;   // wall-clock ms from the header ttl or absolute-expiry; 0: never
  uint64_t undeliverable_to = 0;  // listener id that refused it (modified undeliverable-here)
};

// Closed ranges of positions [first, last], ascending and disjoint.
using PositionRanges = std::vector<std::pair<uint64_t, uint64_t>>;
// True when `position` falls in one of `ranges`; a binary search.
bool InRanges(const PositionRanges& ranges, uint64_t position);

class AvailableMessages {
 public:
  // `priority_levels` 0 or 1: one FIFO. `fairshare` (0: none): each level in turn, from the top,
  // gives up to that many messages before the next lower level with messages has its turn. `lvq_key` (empty: none):
  // the application property whose value a newer message replaces.
  AvailableMessages(uint32_t priority_levels, uint32_t fairshare, std::string lvq_key);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The level AMQP priority `priority` (0-9) falls in, with `levels` levels: as classic qpidd,
  // the levels are centred on the default priority 4, so 2 levels split 0-4 from 5-9, and 10
  // levels give one per priority.
  static uint32_t LevelOf(uint8_t priority, uint32_t levels);

  // The available message a new `message` would replace (same last-value key), else null.
  const QueuedMessage* Replaced(const Message& message) const;
  // Adds a new message, whose position is above every other. Returns the message it replaced
  // on a last-value queue, now removed.
  std::optional<QueuedMessage> Push(QueuedMessage m);
  // Puts a released message back in its place. On a last-value queue a message whose key now
  // holds a newer value is not put back: it is returned, for the caller to drop.
  std::optional<QueuedMessage> Restore(QueuedMessage m);

  enum class Verdict { kSkip, kTake, kDrop };
  // Walks the messages in delivery order asking `judge`: kDrop removes the message into
  // `dropped` and goes on; kSkip leaves it and goes on; kTake removes and returns it.
  template <typename Judge>
  std::optional<QueuedMessage> Take(Judge&& judge, std::vector<QueuedMessage>& dropped);

  // Removes the oldest message (lowest position) whatever its level: what a ring queue drops.
  std::optional<QueuedMessage> PopOldest();
  // The first message in position order after `after` for which `visible` is true.
  template <typename Visible>
  const QueuedMessage* FirstAfter(uint64_t after, Visible&& visible) const;
  // Removes every message, in position order.
  std::vector<QueuedMessage> TakeAll();

  // For a queue whose content is decided elsewhere (a replica), which places messages itself:
  // True when a message holds `position`.
  bool Contains(uint64_t position) const;
  // Adds `m` at its place in position order within its level, whatever the positions around it
  // (REQUIRES: no message holds m.position). It replaces nothing and the last-value index does
  // not learn of it: such a queue keeps every value until KeepNewestValues.
  const QueuedMessage& Insert(QueuedMessage m);
  // Up to `limit` messages after position `after`, in position order: one lower_bound per level,
  // then a merge of the levels, so a walk in batches costs what it returns.
  std::vector<QueuedMessage> After(uint64_t after, size_t limit) const;
  // Removes the messages whose positions fall in `ranges`; returns them in position order. Per
  // level it binary-searches each range or each message, whichever side is smaller.
  std::vector<QueuedMessage> RemoveIn(const PositionRanges& ranges);
  // On a last-value queue, removes every message older than the newest of its key value and
  // rebuilds the last-value index from what remains; returns the removed ones in position order.
  std::vector<QueuedMessage> KeepNewestValues();

 private:
  using Level = std::deque<QueuedMessage>;
  // [begin, end) indices of a run of messages in one level.
  using Span = std::pair<size_t, size_t>;
  static std::vector<Span> SpansIn(const Level& level, const PositionRanges& ranges);
  // Moves the spans' messages (ascending, disjoint) out of `level` into `out`.
  void EraseSpans(Level& level, const std::vector<Span>& spans, std::vector<QueuedMessage>& out);
  uint32_t LevelIndex(const QueuedMessage& m) const;
  void NoteTaken(uint32_t level);
  std::optional<std::string> KeyOf(const Message& message) const;
  void Forget(const QueuedMessage& m);  // drops m from the last-value index if it is there
  QueuedMessage Remove(Level& level, Level::iterator it);

  std::vector<Level> levels_;  // index 0 is the lowest priority
  const uint32_t fairshare_;
  const std::string lvq_key_;
  std::unordered_map<std::string, uint64_t> latest_;  // key value -> position holding it
  size_t size_ = 0;
  uint32_t streak_level_ = 0;  // fairshare: the level of the last takes, and how many in a row
  uint32_t streak_ = 0;
  uint32_t start_level_;       // where the next walk starts
};

template <typename Judge>
std::optional<QueuedMessage> AvailableMessages::Take(Judge&& judge,
                                                     std::vector<QueuedMessage>& dropped) {
  if (size_ == 0) return std::nullopt;
  // From start_level_ down, then from the top down to just above it (fairshare may start a
  // walk below the top; otherwise start_level_ is the top).
  const auto count = static_cast<uint32_t>(levels_.size());
  for (uint32_t step = 0; step < count; ++step) {
    const uint32_t index = (start_level_ + count - step) % count;
    Level& level = levels_[index];
    for (auto it = level.begin(); it != level.end();) {
      switch (judge(*it)) {
        case Verdict::kSkip:
          ++it;
          break;
        case Verdict::kDrop: {
          const auto offset = it - level.begin();
          dropped.push_back(Remove(level, it));
          it = level.begin() + offset;
          break;
        }
        case Verdict::kTake:
          NoteTaken(index);
          return Remove(level, it);
      }
    }
  }
  return std::nullopt;
}

template <typename Visible>
const QueuedMessage* AvailableMessages::FirstAfter(uint64_t after, Visible&& visible) const {
  const QueuedMessage* best = nullptr;
  for (const Level& level : levels_) {
    auto it = std::lower_bound(level.begin(), level.end(), after + 1,
                               [](const QueuedMessage& m, uint64_t p) { return m.position < p; });
    while (it != level.end() && !visible(*it)) ++it;
    if (it != level.end() && (best == nullptr || it->position < best->position)) best = &*it;
  }
  return best;
}

}  // namespace qpidd::broker
