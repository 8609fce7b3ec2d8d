#include "ha/id_ranges.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace qpidd::ha {
namespace {

using Ranges = std::vector<IdRanges::Range>;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

IdRanges Of(const Ranges& ranges) {
  IdRanges ids;
  for (const auto& [first, last] : ranges) ids.AddRange(first, last);
  return ids;
}

TEST(IdRangesTest, EmptySet) {
  IdRanges ids;
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(ids.RangeCount(), 0u);
  EXPECT_EQ(ids.Count(), 0u);
  EXPECT_FALSE(ids.Contains(0));
  EXPECT_TRUE(ids.Flatten().empty());
  ids.Remove(5);
  ids.RemoveRange(0, kMax);
  EXPECT_TRUE(ids.empty());
}

TEST(IdRangesTest, AddKeepsRangesAscending) {
  IdRanges ids;
  ids.Add(10);
  ids.Add(3);
  ids.Add(7);
  EXPECT_EQ(ids.Ranges(), (Ranges{{3, 3}, {7, 7}, {10, 10}}));
  EXPECT_EQ(ids.Count(), 3u);
  EXPECT_TRUE(ids.Contains(7));
  EXPECT_FALSE(ids.Contains(8));
}

TEST(IdRangesTest, AdjacentIdsMerge) {
  IdRanges ids;
  ids.Add(1);
  ids.Add(3);
  ids.Add(2);  // joins both neighbours
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 3}}));
  ids.AddRange(4, 6);  // touches the end
  ids.AddRange(0, 0);  // touches the start
  EXPECT_EQ(ids.Ranges(), (Ranges{{0, 6}}));
  EXPECT_EQ(ids.Count(), 7u);
}

TEST(IdRangesTest, OverlappingRangesMerge) {
  IdRanges ids = Of({{10, 20}, {30, 40}, {50, 60}, {100, 100}});
  ids.AddRange(15, 55);  // swallows the middle one, joins the outer two
  EXPECT_EQ(ids.Ranges(), (Ranges{{10, 60}, {100, 100}}));
  ids.AddRange(12, 18);  // already held
  EXPECT_EQ(ids.Ranges(), (Ranges{{10, 60}, {100, 100}}));
  ids.AddRange(0, 200);  // covers everything
  EXPECT_EQ(ids.Ranges(), (Ranges{{0, 200}}));
  ids.AddRange(5, 4);  // first > last: nothing
  EXPECT_EQ(ids.Ranges(), (Ranges{{0, 200}}));
}

TEST(IdRangesTest, RangesAtTheTopOfTheIdSpace) {
  IdRanges ids;
  ids.AddRange(kMax - 1, kMax);
  ids.Add(kMax - 2);
  EXPECT_EQ(ids.Ranges(), (Ranges{{kMax - 2, kMax}}));
  EXPECT_TRUE(ids.Contains(kMax));
  ids.Remove(kMax);
  EXPECT_EQ(ids.Ranges(), (Ranges{{kMax - 2, kMax - 1}}));
  ids.AddRange(0, kMax);
  EXPECT_EQ(ids.Count(), kMax);  // 2^64 ids saturate
  ids.Remove(0);
  EXPECT_EQ(ids.Count(), kMax);
  ids.Remove(1);
  EXPECT_EQ(ids.Count(), kMax - 1);
}

TEST(IdRangesTest, RemoveSplitsARange) {
  IdRanges ids = Of({{1, 10}});
  ids.Remove(5);
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 4}, {6, 10}}));
  ids.Remove(1);
  ids.Remove(10);
  EXPECT_EQ(ids.Ranges(), (Ranges{{2, 4}, {6, 9}}));
  ids.Remove(5);  // not held
  EXPECT_EQ(ids.Count(), 7u);
  EXPECT_FALSE(ids.Contains(5));
}

TEST(IdRangesTest, RemoveRangeAcrossSeveralRanges) {
  IdRanges ids = Of({{1, 10}, {20, 30}, {40, 50}, {60, 70}});
  ids.RemoveRange(5, 45);
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 4}, {46, 50}, {60, 70}}));
  ids.RemoveRange(55, 65);  // starts in a gap
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 4}, {46, 50}, {66, 70}}));
  ids.RemoveRange(46, 50);  // exactly one range
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 4}, {66, 70}}));
  ids.RemoveRange(2, 3);  // inside one range
  EXPECT_EQ(ids.Ranges(), (Ranges{{1, 1}, {4, 4}, {66, 70}}));
  ids.RemoveRange(0, kMax);
  EXPECT_TRUE(ids.empty());
}

TEST(IdRangesTest, FlattenRoundTrip) {
  IdRanges ids = Of({{1, 1}, {3, 7}, {(uint64_t{2} << 48) + 1, (uint64_t{2} << 48) + 900}});
  const std::vector<uint64_t> flattened = ids.Flatten();
  EXPECT_EQ(flattened, (std::vector<uint64_t>{1, 1, 3, 7, (uint64_t{2} << 48) + 1,
                                              (uint64_t{2} << 48) + 900}));
  Result<IdRanges> back = IdRanges::FromFlattened(flattened);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), ids);
  EXPECT_TRUE(IdRanges::FromFlattened({}).value().empty());
}

TEST(IdRangesTest, FromFlattenedMergesAdjacentRanges) {
  Result<IdRanges> ids = IdRanges::FromFlattened({1, 3, 4, 6});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids.value().Ranges(), (Ranges{{1, 6}}));
}

TEST(IdRangesTest, FromFlattenedRefusesBadInput) {
  struct Case {
    std::vector<uint64_t> flattened;
    std::string error;
  };
  const Case cases[] = {
      {{1, 2, 3}, "odd number of range bounds (3)"},
      {{5, 4}, "range [5, 4] ends before it starts"},
      {{1, 5, 5, 9}, "range [5, 9] does not follow the previous one"},
      {{10, 20, 1, 2}, "range [1, 2] does not follow the previous one"},
  };
  for (const Case& c : cases) {
    Result<IdRanges> ids = IdRanges::FromFlattened(c.flattened);
    ASSERT_FALSE(ids.ok()) << c.error;
    EXPECT_EQ(ids.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ids.status().message(), c.error);
  }
}

TEST(IdRangesTest, ExtractUpTo) {
  IdRanges ids = Of({{1, 3}, {5, 9}, {20, 25}});
  IdRanges low = ids.ExtractUpTo(6);
  EXPECT_EQ(low.Ranges(), (Ranges{{1, 3}, {5, 6}}));
  EXPECT_EQ(ids.Ranges(), (Ranges{{7, 9}, {20, 25}}));
  EXPECT_TRUE(ids.ExtractUpTo(6).empty());  // nothing left that low
  IdRanges middle = ids.ExtractUpTo(9);     // a whole range, no split
  EXPECT_EQ(middle.Ranges(), (Ranges{{7, 9}}));
  IdRanges rest = ids.ExtractUpTo(kMax);
  EXPECT_EQ(rest.Ranges(), (Ranges{{20, 25}}));
  EXPECT_TRUE(ids.empty());
}

TEST(IdRangesTest, Clear) {
  IdRanges ids = Of({{1, 3}, {5, 9}});
  ids.Clear();
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(ids, IdRanges());
}

}  // namespace
}  // namespace qpidd::ha
