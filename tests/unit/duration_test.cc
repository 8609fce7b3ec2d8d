#include "common/duration.h"

#include <gtest/gtest.h>

namespace qpidd {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

nanoseconds Parse(std::string_view text) {
  auto result = ParseDuration(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.status().message();
  return result.ok() ? result.value() : nanoseconds(-1);
}

std::string Error(std::string_view text) {
  auto result = ParseDuration(text);
  EXPECT_FALSE(result.ok()) << text << " parsed as " << (result.ok() ? result.value().count() : 0);
  return result.ok() ? std::string() : result.status().message();
}

TEST(DurationTest, PlainNumberIsSeconds) {
  EXPECT_EQ(Parse("2"), seconds(2));
  EXPECT_EQ(Parse("0"), nanoseconds(0));
  EXPECT_EQ(Parse("120"), seconds(120));
}

TEST(DurationTest, FractionOfASecondIsExact) {
  EXPECT_EQ(Parse("0.1"), milliseconds(100));
  EXPECT_EQ(Parse("1.5"), milliseconds(1500));
  EXPECT_EQ(Parse("0.000000001"), nanoseconds(1));
  EXPECT_EQ(Parse(".5"), milliseconds(500));
}

TEST(DurationTest, UnitSuffixes) {
  EXPECT_EQ(Parse("10s"), seconds(10));
  EXPECT_EQ(Parse("10ms"), milliseconds(10));
  EXPECT_EQ(Parse("10us"), std::chrono::microseconds(10));
  EXPECT_EQ(Parse("10ns"), nanoseconds(10));
  EXPECT_EQ(Parse("2.5ms"), std::chrono::microseconds(2500));
  EXPECT_EQ(Parse("0.1s"), milliseconds(100));
}

TEST(DurationTest, DigitsBelowOneNanosecondAreDropped) {
  EXPECT_EQ(Parse("1.9ns"), nanoseconds(1));
  EXPECT_EQ(Parse("0.0000000019"), nanoseconds(1));
}

TEST(DurationTest, ErrorsNameTheText) {
  EXPECT_NE(Error("").find("empty"), std::string::npos);
  EXPECT_NE(Error("-1").find("'-1'"), std::string::npos);
  EXPECT_NE(Error("-1").find("negative"), std::string::npos);
  EXPECT_NE(Error("10m").find("'10m'"), std::string::npos);
  EXPECT_NE(Error("10h").find("'10h'"), std::string::npos);
  EXPECT_NE(Error("abc").find("'abc'"), std::string::npos);
  Error("s");
  Error("ms");
  Error(".");
  Error("1.2.3");
  Error(" 1");
  Error("1 s");
  Error("1e3");
  Error("+1");
}

TEST(DurationTest, OverflowIsAnError) {
  // int64 nanoseconds hold about 292 years.
  EXPECT_EQ(Parse("9223372036854775807ns"), nanoseconds(INT64_MAX));
  EXPECT_NE(Error("9223372036854775808ns").find("too large"), std::string::npos);
  EXPECT_NE(Error("9223372037").find("too large"), std::string::npos);
  EXPECT_NE(Error("99999999999999999999999").find("too large"), std::string::npos);
  EXPECT_EQ(Parse("9223372036"), seconds(9223372036));
  Error("9223372036.9");
}

}  // namespace
}  // namespace qpidd
