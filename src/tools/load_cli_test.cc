#include "tools/load_cli.h"

#include <gtest/gtest.h>

namespace qpidd::tools {
namespace {

TEST(LoadCliTest, CountAcceptsDigitsOnly) {
  uint64_t value = 0;
  UsageError error;
  EXPECT_TRUE(ParseCount("--messages", "1000000", 0, UINT64_MAX, &value, &error));
  EXPECT_EQ(1000000u, value);
  for (const char* bad : {"", "-1", "x", "5x", " 5", "1e6", "99999999999999999999999"}) {
    EXPECT_FALSE(ParseCount("--messages", bad, 0, UINT64_MAX, &value, &error)) << bad;
    EXPECT_NE(std::string::npos,
              error.message.find("invalid value '" + std::string(bad) + "' for --messages"))
        << error.message;
  }
}

TEST(LoadCliTest, CountChecksRange) {
  uint64_t value = 0;
  UsageError error;
  EXPECT_FALSE(ParseCount("--capacity", "0", 1, 10, &value, &error));
  EXPECT_EQ("invalid value '0' for --capacity: must be between 1 and 10", error.message);
}

TEST(LoadCliTest, YesNoAndSeconds) {
  bool flag = false;
  UsageError error;
  EXPECT_TRUE(ParseYesNo("--durable", "yes", &flag, &error));
  EXPECT_TRUE(flag);
  EXPECT_TRUE(ParseYesNo("--durable", "no", &flag, &error));
  EXPECT_FALSE(flag);
  EXPECT_FALSE(ParseYesNo("--durable", "maybe", &flag, &error));
  EXPECT_EQ("invalid value 'maybe' for --durable: expected yes or no", error.message);

  std::chrono::nanoseconds timeout{};
  EXPECT_TRUE(ParseSeconds("--timeout", "0.5", &timeout, &error));
  EXPECT_EQ(std::chrono::milliseconds(500), timeout);
  EXPECT_FALSE(ParseSeconds("--timeout", "soon", &timeout, &error));
}

TEST(LoadCliTest, PropertyNeedsAName) {
  std::pair<std::string, std::string> property;
  UsageError error;
  EXPECT_TRUE(ParseProperty("--property", "a=b=c", &property, &error));
  EXPECT_EQ("a", property.first);
  EXPECT_EQ("b=c", property.second);
  EXPECT_TRUE(ParseProperty("--property", "empty=", &property, &error));
  EXPECT_EQ("", property.second);
  EXPECT_FALSE(ParseProperty("--property", "=x", &property, &error));
  EXPECT_FALSE(ParseProperty("--property", "novalue", &property, &error));
}

TEST(LoadCliTest, BrokersUseTheSharedGrammar) {
  std::vector<BrokerAddress> brokers;
  UsageError error;
  ASSERT_TRUE(ParseBrokers("--broker", "guest/guest@127.0.0.1:5673, node2", &brokers, &error));
  ASSERT_EQ(2u, brokers.size());
  EXPECT_EQ("guest", brokers[0].user);
  EXPECT_EQ(5673, brokers[0].port);
  EXPECT_EQ("node2", brokers[1].host);
  EXPECT_FALSE(ParseBrokers("--broker", "host:notaport", &brokers, &error));
  EXPECT_EQ(0u, error.message.find("invalid value 'host:notaport' for --broker"));
}

}  // namespace
}  // namespace qpidd::tools
