#include "tools/load_sequence_set.h"

#include <gtest/gtest.h>

namespace qpidd::tools {
namespace {

TEST(SequenceSetTest, SecondSightingIsADuplicate) {
  SequenceSet seen;
  EXPECT_TRUE(seen.Insert(0));
  EXPECT_TRUE(seen.Insert(1000));
  EXPECT_TRUE(seen.Insert(63));
  EXPECT_TRUE(seen.Insert(64));
  EXPECT_FALSE(seen.Insert(0));
  EXPECT_FALSE(seen.Insert(1000));
  EXPECT_FALSE(seen.Insert(64));
  EXPECT_TRUE(seen.Insert(65));
}

TEST(SequenceSetTest, HugeNumbersAreNotTracked) {
  SequenceSet seen;
  EXPECT_TRUE(seen.Insert(SequenceSet::kLimit));
  EXPECT_TRUE(seen.Insert(SequenceSet::kLimit));  // no 128 MiB bitmap for a stray number
}

}  // namespace
}  // namespace qpidd::tools
