#include "ha/id_ranges.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <string>

namespace qpidd::ha {
namespace {

// Whether a range starting at `first` overlaps or touches one ending at `last` (first >= the
// other range's first). Written so that last == UINT64_MAX does not overflow.
bool Joins(uint64_t last, uint64_t first) { return first <= last || first - last == 1; }

}  // namespace

void IdRanges::AddRange(uint64_t first, uint64_t last) {
  if (first > last) return;
  auto next = ranges_.upper_bound(first);  // the first range starting after `first`
  if (next != ranges_.begin()) {
    auto previous = std::prev(next);
    if (Joins(previous->second, first)) {
      first = previous->first;
      last = std::max(last, previous->second);
      ranges_.erase(previous);
    }
  }
  while (next != ranges_.end() && Joins(last, next->first)) {
    last = std::max(last, next->second);
    next = ranges_.erase(next);
  }
  ranges_.emplace_hint(next, first, last);
}

void IdRanges::RemoveRange(uint64_t first, uint64_t last) {
  if (first > last) return;
  auto next = ranges_.upper_bound(first);
  if (next != ranges_.begin()) {
    auto previous = std::prev(next);
    const uint64_t previous_last = previous->second;
    if (previous_last >= first) {  // the range holding `first` keeps what lies either side
      if (previous->first < first) {
        previous->second = first - 1;
      } else {
        ranges_.erase(previous);
      }
      if (previous_last > last) {
        ranges_.emplace(last + 1, previous_last);
        return;
      }
    }
  }
  while (next != ranges_.end() && next->first <= last) {
    const uint64_t next_last = next->second;
    next = ranges_.erase(next);
    if (next_last > last) {
      ranges_.emplace_hint(next, last + 1, next_last);
      return;
    }
  }
}

bool IdRanges::Contains(uint64_t id) const {
  auto next = ranges_.upper_bound(id);
  return next != ranges_.begin() && std::prev(next)->second >= id;
}

uint64_t IdRanges::Count() const {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t count = 0;
  for (const auto& [first, last] : ranges_) {
    const uint64_t span = last - first;  // the range holds span + 1 ids
    if (span == kMax || count > kMax - span - 1) return kMax;
    count += span + 1;
  }
  return count;
}

std::vector<IdRanges::Range> IdRanges::Ranges() const {
  return std::vector<Range>(ranges_.begin(), ranges_.end());
}

std::vector<uint64_t> IdRanges::Flatten() const {
  std::vector<uint64_t> flattened;
  flattened.reserve(2 * ranges_.size());
  for (const auto& [first, last] : ranges_) {
    flattened.push_back(first);
    flattened.push_back(last);
  }
  return flattened;
}

Result<IdRanges> IdRanges::FromFlattened(const std::vector<uint64_t>& flattened) {
  if (flattened.size() % 2 != 0) {
    return Status::InvalidArgument("odd number of range bounds (" +
                                   std::to_string(flattened.size()) + ")");
  }
  IdRanges ids;
  for (size_t i = 0; i < flattened.size(); i += 2) {
    const uint64_t first = flattened[i];
    const uint64_t last = flattened[i + 1];
    const std::string range = "[" + std::to_string(first) + ", " + std::to_string(last) + "]";
    if (first > last) return Status::InvalidArgument("range " + range + " ends before it starts");
    if (i > 0 && first <= flattened[i - 1]) {
      return Status::InvalidArgument("range " + range + " does not follow the previous one");
    }
    ids.AddRange(first, last);
  }
  return ids;
}

IdRanges IdRanges::ExtractUpTo(uint64_t max) {
  IdRanges extracted;
  auto range = ranges_.begin();
  while (range != ranges_.end() && range->first <= max) {
    if (range->second > max) {  // split: the part above max stays
      extracted.ranges_.emplace_hint(extracted.ranges_.end(), range->first, max);
      const uint64_t last = range->second;
      range = ranges_.erase(range);
      ranges_.emplace_hint(range, max + 1, last);
      break;
    }
    extracted.ranges_.emplace_hint(extracted.ranges_.end(), range->first, range->second);
    range = ranges_.erase(range);
  }
  return extracted;
}

}  // namespace qpidd::ha
