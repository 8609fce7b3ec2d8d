// A fixed-size latency histogram: constant memory however long a run lasts, about 1.6% relative
// precision (64 sub-buckets per power of two), exact below 128 ns and for the maximum.
#pragma once

#include <array>
#include <cstdint>

namespace qpidd::tools {

class LatencyHistogram {
 public:
  void Record(int64_t nanos);
  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // The latency below which a fraction Q (0..1) of the samples fall; 0 when empty.
  int64_t Percentile(double q) const;

 private:
  static constexpr int kSubBits = 7;  // values below 2^kSubBits get a bucket each
  static constexpr int kBuckets = 64 * 64 + 128;
  static int BucketOf(uint64_t nanos);
  static int64_t ValueOf(int bucket);  // the middle of the bucket

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace qpidd::tools
