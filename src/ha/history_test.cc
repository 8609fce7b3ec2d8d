#include "ha/history.h"

#include <gtest/gtest.h>

namespace qpidd::ha {
namespace {

std::vector<HistoryEntry> History(std::initializer_list<HistoryEntry> entries) { return entries; }

TEST(InvalidEpochs, NoneWhenTheBackupFollowedEveryPrimary) {
  auto local = History({{1, "a"}, {2, "b"}});
  EXPECT_TRUE(InvalidEpochs(local, local).empty());
  EXPECT_TRUE(InvalidEpochs(local, History({{1, "a"}, {2, "b"}, {3, "c"}})).empty());
  EXPECT_TRUE(InvalidEpochs({}, History({{1, "a"}})).empty());
}

TEST(InvalidEpochs, FromTheFirstEntryThatDiffers) {
  // Two brokers promoted with the same epoch number differ in the broker id.
  EXPECT_EQ(InvalidEpochs(History({{1, "a"}, {2, "b"}, {3, "b"}}),
                          History({{1, "a"}, {2, "c"}, {3, "d"}})),
            (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(InvalidEpochs(History({{1, "a"}}), History({{1, "z"}})), std::vector<uint32_t>{1});
}

TEST(InvalidEpochs, EntriesThePrimaryLacks) {
  // This backup was itself promoted after the primary's last entry, then demoted.
  EXPECT_EQ(InvalidEpochs(History({{1, "a"}, {2, "b"}}), History({{1, "a"}})),
            std::vector<uint32_t>{2});
  EXPECT_EQ(InvalidEpochs(History({{1, "a"}}), {}), std::vector<uint32_t>{1});
}

TEST(EpochRanges, EveryIdOfEachEpoch) {
  constexpr uint64_t kSpan = (uint64_t{1} << 48) - 1;
  broker::PositionRanges ranges = EpochRanges({5, 2});
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], std::make_pair(uint64_t{2} << 48, (uint64_t{2} << 48) + kSpan));
  EXPECT_EQ(ranges[1], std::make_pair(uint64_t{5} << 48, (uint64_t{5} << 48) + kSpan));
  EXPECT_TRUE(broker::InRanges(ranges, (uint64_t{2} << 48) | 1));
  EXPECT_FALSE(broker::InRanges(ranges, (uint64_t{3} << 48) | 1));
  EXPECT_FALSE(broker::InRanges(ranges, (uint64_t{1} << 48) | kSpan));
}

TEST(EpochRanges, AdjacentEpochsMergeAndDuplicatesVanish) {
  broker::PositionRanges ranges = EpochRanges({3, 4, 3});
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, uint64_t{3} << 48);
  EXPECT_EQ(ranges[0].second, (uint64_t{5} << 48) - 1);
  EXPECT_TRUE(EpochRanges({}).empty());
}

}  // namespace
}  // namespace qpidd::ha
