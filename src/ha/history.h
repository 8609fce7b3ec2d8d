// History reconciliation (doc/ha-protocol.md 7.1): which of a backup's message ids a new
// primary does not vouch for. Pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "broker/available_messages.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

// Bits of an id that hold its position within an epoch; the rest is the epoch.
inline constexpr int kEpochShift = 48;

// The epochs of `local` that `primary` does not share: every entry from the first one that
// differs from the primary's entry at the same place, or that the primary lacks. Empty when
// `local` is a prefix of `primary` (the usual case: the backup followed every primary).
std::vector<uint32_t> InvalidEpochs(const std::vector<HistoryEntry>& local,
                                    const std::vector<HistoryEntry>& primary);

// Closed, ascending, disjoint position ranges holding every id of `epochs` (in any order):
// [(E << 48), (E << 48) | (2^48 - 1)] for each, adjacent epochs merged.
broker::PositionRanges EpochRanges(std::vector<uint32_t> epochs);

}  // namespace qpidd::ha
