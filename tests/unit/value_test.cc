#include "broker/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace qpidd::broker {
namespace {

TEST(ValueTest, NumbersCompareByNumberAcrossKinds) {
  EXPECT_TRUE(ValuesEqual(Value(int64_t{1}), Value(uint64_t{1})));
  EXPECT_TRUE(ValuesEqual(Value(uint64_t{1}), Value(1.0)));
  EXPECT_TRUE(ValuesEqual(Value(1.0), Value(int64_t{1})));
  EXPECT_TRUE(ValuesEqual(Value(int64_t{-3}), Value(-3.0)));
  EXPECT_TRUE(ValuesEqual(Value(2.5), Value(2.5)));
  EXPECT_FALSE(ValuesEqual(Value(int64_t{1}), Value(int64_t{2})));
  EXPECT_FALSE(ValuesEqual(Value(int64_t{1}), Value(1.5)));
  EXPECT_FALSE(ValuesEqual(Value(uint64_t{2}), Value(1.0)));
}

TEST(ValueTest, NegativeNeverEqualsUnsigned) {
  // -1 as a uint64 is 2^64 - 1: a cast in the wrong place would call these equal.
  EXPECT_FALSE(ValuesEqual(Value(int64_t{-1}), Value(std::numeric_limits<uint64_t>::max())));
  EXPECT_FALSE(ValuesEqual(Value(std::numeric_limits<uint64_t>::max()), Value(int64_t{-1})));
  EXPECT_FALSE(ValuesEqual(Value(uint64_t{0}), Value(-0.5)));
}

TEST(ValueTest, LargeIntegersAreNotRoundedThroughDouble) {
  const int64_t big = (int64_t{1} << 53) + 1;  // not representable as a double
  EXPECT_FALSE(ValuesEqual(Value(big), Value(static_cast<double>(big))));
  EXPECT_TRUE(ValuesEqual(Value(big), Value(static_cast<uint64_t>(big))));
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(ValuesEqual(Value(max), Value(18446744073709551616.0)));  // 2^64, out of range
  EXPECT_FALSE(ValuesEqual(Value(std::numeric_limits<int64_t>::max()),
                           Value(9223372036854775808.0)));  // 2^63
  EXPECT_TRUE(
      ValuesEqual(Value(std::numeric_limits<int64_t>::min()), Value(-9223372036854775808.0)));
}

TEST(ValueTest, NanAndInfinity) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(ValuesEqual(Value(nan), Value(nan)));
  EXPECT_FALSE(ValuesEqual(Value(int64_t{0}), Value(nan)));
  EXPECT_FALSE(ValuesEqual(Value(std::numeric_limits<uint64_t>::max()), Value(inf)));
  EXPECT_TRUE(ValuesEqual(Value(inf), Value(inf)));
}

TEST(ValueTest, OtherKindsCompareByKindAndValue) {
  EXPECT_TRUE(ValuesEqual(Value(), Value()));
  EXPECT_TRUE(ValuesEqual(Value(true), Value(true)));
  EXPECT_FALSE(ValuesEqual(Value(true), Value(false)));
  EXPECT_TRUE(ValuesEqual(Value(std::string("a")), Value(std::string("a"))));
  EXPECT_FALSE(ValuesEqual(Value(std::string("a")), Value(std::string("b"))));
  // Different kinds never match, even when they print alike.
  EXPECT_FALSE(ValuesEqual(Value(true), Value(int64_t{1})));
  EXPECT_FALSE(ValuesEqual(Value(std::string("1")), Value(int64_t{1})));
  EXPECT_FALSE(ValuesEqual(Value(), Value(int64_t{0})));
  EXPECT_FALSE(ValuesEqual(Value(), Value(std::string())));
}

TEST(ValueTest, ToStringForms) {
  EXPECT_EQ(ToString(Value(int64_t{12})), "12");
  EXPECT_EQ(ToString(Value(int64_t{-3})), "-3");
  EXPECT_EQ(ToString(Value(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
  EXPECT_EQ(ToString(Value(1.5)), "1.5");
  EXPECT_EQ(ToString(Value(true)), "true");
  EXPECT_EQ(ToString(Value(false)), "false");
  EXPECT_EQ(ToString(Value(std::string("text"))), "\"text\"");
  EXPECT_EQ(ToString(Value()), "null");
}

TEST(ValueTest, ToStringEscapesStrings) {
  EXPECT_EQ(ToString(Value(std::string("say \"hi\""))), R"("say \"hi\"")");
  EXPECT_EQ(ToString(Value(std::string("a\\b"))), R"("a\\b")");
  EXPECT_EQ(ToString(Value(std::string("line\nbreak"))), R"("line\x0abreak")");
}

TEST(ValueTest, GetUnsignedAcceptsIntegersOfAnyKind) {
  Arguments args = {{"signed", int64_t{5}},
                    {"unsigned", uint64_t{7}},
                    {"text", std::string("42")},
                    {"whole", 3.0},
                    {"zero", int64_t{0}}};
  std::string error = "stale";
  uint64_t out = 0;
  EXPECT_TRUE(GetUnsigned(args, "signed", out, error));
  EXPECT_EQ(out, 5u);
  EXPECT_TRUE(error.empty());
  EXPECT_TRUE(GetUnsigned(args, "unsigned", out, error));
  EXPECT_EQ(out, 7u);
  EXPECT_TRUE(GetUnsigned(args, "text", out, error));
  EXPECT_EQ(out, 42u);
  EXPECT_TRUE(GetUnsigned(args, "whole", out, error));
  EXPECT_EQ(out, 3u);
  EXPECT_TRUE(GetUnsigned(args, "zero", out, error));
  EXPECT_EQ(out, 0u);
}

TEST(ValueTest, GetUnsignedAbsentIsFalseWithoutError) {
  uint64_t out = 99;
  std::string error;
  EXPECT_FALSE(GetUnsigned({}, "missing", out, error));
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(out, 99u);  // untouched
}

TEST(ValueTest, GetUnsignedRejectsOtherValuesNamingThem) {
  Arguments args = {{"negative", int64_t{-3}},
                    {"fraction", 1.5},
                    {"flag", true},
                    {"none", Value()},
                    {"word", std::string("ten")},
                    {"signed text", std::string("-1")},
                    {"padded", std::string(" 1")},
                    {"empty", std::string()},
                    {"overflow", std::string("18446744073709551616")}};
  for (const auto& [name, value] : args) {
    uint64_t out = 99;
    std::string error;
    EXPECT_FALSE(GetUnsigned(args, name, out, error)) << name;
    EXPECT_EQ(out, 99u) << name;
    EXPECT_NE(error.find(name), std::string::npos) << error;
    EXPECT_NE(error.find(ToString(value)), std::string::npos) << error;
  }
}

TEST(ValueTest, GetUnsignedLargestValues) {
  Arguments args = {{"max", std::numeric_limits<uint64_t>::max()},
                    {"max text", std::string("18446744073709551615")}};
  uint64_t out = 0;
  std::string error;
  EXPECT_TRUE(GetUnsigned(args, "max", out, error));
  EXPECT_EQ(out, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(GetUnsigned(args, "max text", out, error));
  EXPECT_EQ(out, std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace qpidd::broker
