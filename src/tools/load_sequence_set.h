// The sequence numbers ("sn") seen so far, for qpid-receive --ignore-duplicates: one bit each,
// grown as needed. Senders number from 0, so the bitmap stays dense.
#pragma once

#include <cstdint>
#include <vector>

namespace qpidd::tools {

class SequenceSet {
 public:
  // Numbers at or above this are not tracked (Insert() says "new"): bounds the bitmap at 128 MiB.
  static constexpr uint64_t kLimit = uint64_t{1} << 30;

  // True when SEQUENCE was not seen before (and records it).
  bool Insert(uint64_t sequence);

 private:
  std::vector<uint64_t> words_;
};

}  // namespace qpidd::tools
