#include "ha/history.h"

#include <algorithm>

namespace qpidd::ha {

std::vector<uint32_t> InvalidEpochs(const std::vector<HistoryEntry>& local,
                                    const std::vector<HistoryEntry>& primary) {
  size_t shared = 0;
  while (shared < local.size() && shared < primary.size() && local[shared] == primary[shared]) {
    ++shared;
  }
  std::vector<uint32_t> invalid;
  for (size_t i = shared; i < local.size(); ++i) invalid.push_back(local[i].epoch);
  return invalid;
}

broker::PositionRanges EpochRanges(std::vector<uint32_t> epochs) {
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  constexpr uint64_t kPositionsPerEpoch = uint64_t{1} << kEpochShift;
  broker::PositionRanges ranges;
  for (uint32_t epoch : epochs) {
    const uint64_t first = uint64_t{epoch} << kEpochShift;
    const uint64_t last = first + (kPositionsPerEpoch - 1);
    if (!ranges.empty() && ranges.back().second + 1 == first) {
      ranges.back().second = last;  // the next epoch: one range
    } else {
      ranges.emplace_back(first, last);
    }
  }
  return ranges;
}

}  // namespace qpidd::ha
