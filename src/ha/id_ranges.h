// A set of message ids (section 7.1 of doc/ha-protocol.md) kept as disjoint, ascending, closed
// ranges: what a backup holds of a queue (`qpid.ha-ids`) and what a `dequeue` event names.
// Consumption in FIFO order leaves one range, so the set stays small however many ids it holds.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "common/status.h"

namespace qpidd::ha {

class IdRanges {
 public:
  using Range = std::pair<uint64_t, uint64_t>;  // first, last (inclusive)

  // Adds ids; ranges that overlap or touch the new ones merge with them. first > last adds nothing.
  void Add(uint64_t id) { AddRange(id, id); }
  void AddRange(uint64_t first, uint64_t last);

  // Removes ids (those not held are ignored); a range loses its ends or splits in two.
  void Remove(uint64_t id) { RemoveRange(id, id); }
  void RemoveRange(uint64_t first, uint64_t last);

  bool Contains(uint64_t id) const;
  bool empty() const { return ranges_.empty(); }
  size_t RangeCount() const { return ranges_.size(); }
  // The number of ids held (saturates at UINT64_MAX for the set of every id).
  uint64_t Count() const;

  std::vector<Range> Ranges() const;
  // [first1, last1, first2, last2, ...]: the wire form of `qpid.ha-ids` and `dequeue`.
  std::vector<uint64_t> Flatten() const;
  // The inverse of Flatten. Refused: an odd length, a range with first > last, or a range that
  // does not start after the previous one ends (adjacent ranges are accepted and merged).
  static Result<IdRanges> FromFlattened(const std::vector<uint64_t>& flattened);

  // Removes the ids <= max and returns them.
  IdRanges ExtractUpTo(uint64_t max);
  void Clear() { ranges_.clear(); }

  bool operator==(const IdRanges&) const = default;

 private:
  std::map<uint64_t, uint64_t> ranges_;  // first -> last; disjoint and never touching
};

}  // namespace qpidd::ha
