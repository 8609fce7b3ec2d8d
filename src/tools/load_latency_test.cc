#include "tools/load_latency.h"

#include <gtest/gtest.h>

namespace qpidd::tools {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(0, histogram.Percentile(0.5));
  EXPECT_EQ(0, histogram.max());
}

TEST(LatencyHistogramTest, PercentilesWithinTwoPercent) {
  LatencyHistogram histogram;
  for (int64_t i = 1; i <= 100000; ++i) histogram.Record(i * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(100000u, histogram.count());
  EXPECT_NEAR(50'000'000, histogram.Percentile(0.50), 50'000'000 * 0.02);
  EXPECT_NEAR(99'000'000, histogram.Percentile(0.99), 99'000'000 * 0.02);
  EXPECT_EQ(100'000'000, histogram.max());
  EXPECT_LE(histogram.Percentile(1.0), histogram.max());
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  histogram.Record(-5);  // clamped to 0
  histogram.Record(3);
  histogram.Record(100);
  EXPECT_EQ(0, histogram.Percentile(0.1));
  EXPECT_EQ(3, histogram.Percentile(0.5));
  EXPECT_EQ(100, histogram.Percentile(1.0));
}

TEST(LatencyHistogramTest, HugeValuesDoNotOverflow) {
  LatencyHistogram histogram;
  histogram.Record(INT64_MAX);
  EXPECT_EQ(INT64_MAX, histogram.max());
  EXPECT_GT(histogram.Percentile(0.5), INT64_MAX / 2);
}

}  // namespace
}  // namespace qpidd::tools
