#include "tools/load_sequence_set.h"

#include <cstddef>

namespace qpidd::tools {

bool SequenceSet::Insert(uint64_t sequence) {
  if (sequence >= kLimit) return true;
  std::size_t word = static_cast<std::size_t>(sequence / 64);
  uint64_t bit = uint64_t{1} << (sequence % 64);
  if (word >= words_.size()) words_.resize(word + word / 2 + 1, 0);
  if (words_[word] & bit) return false;
  words_[word] |= bit;
  return true;
}

}  // namespace qpidd::tools
