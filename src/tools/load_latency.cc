#include "tools/load_latency.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace qpidd::tools {

// Below 2^7 a bucket per nanosecond; above, bucket = 64 * shift + (v >> shift) where shift keeps
// the top 7 bits of v, so each power of two is split into 64 equal parts.
int LatencyHistogram::BucketOf(uint64_t nanos) {
  if (nanos < (1u << kSubBits)) return static_cast<int>(nanos);
  int shift = std::bit_width(nanos) - kSubBits;
  return 64 * shift + static_cast<int>(nanos >> shift);
}

int64_t LatencyHistogram::ValueOf(int bucket) {
  if (bucket < (1 << kSubBits)) return bucket;
  int shift = bucket / 64 - 1;
  uint64_t mantissa = static_cast<uint64_t>(bucket - 64 * shift);
  uint64_t lower = mantissa << shift;
  return static_cast<int64_t>(lower + (uint64_t{1} << shift) / 2);
}

void LatencyHistogram::Record(int64_t nanos) {
  if (nanos < 0) nanos = 0;  // clocks read on both sides of a tiny interval
  ++buckets_[BucketOf(static_cast<uint64_t>(nanos))];
  ++count_;
  max_ = std::max(max_, nanos);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::min(ValueOf(b), max_);
  }
  return max_;
}

}  // namespace qpidd::tools
