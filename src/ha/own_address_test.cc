#include "ha/own_address.h"

#include <gtest/gtest.h>

namespace qpidd::ha {
namespace {

BrokerAddress At(std::string host, uint16_t port) {
  BrokerAddress a;
  a.host = std::move(host);
  a.port = port;
  return a;
}

TEST(OwnAddressTest, TheLocalAddressWithTheListeningPortIsOurs) {
  const std::vector<BrokerAddress> brokers{At("127.0.0.1", 5001), At("127.0.0.1", 5002),
                                           At("192.0.2.1", 5003)};
  EXPECT_EQ(FindOwnAddress(brokers, 5002), "127.0.0.1:5002");
  EXPECT_EQ(FindOwnAddress(brokers, 5003), "") << "192.0.2.1 (TEST-NET) is not on this host";
  EXPECT_EQ(FindOwnAddress(brokers, 5009), "");
}

TEST(OwnAddressTest, TwoLocalAddressesWithOurPortAreAmbiguous) {
  EXPECT_EQ(FindOwnAddress({At("127.0.0.1", 5001), At("127.0.0.2", 5001)}, 5001), "");
  EXPECT_EQ(FindOwnAddress({At("127.0.0.1", 5001), At("127.0.0.1", 5001)}, 5001),
            "127.0.0.1:5001") << "the same address twice is still one";
}

TEST(OwnAddressTest, AHostThatDoesNotResolveIsNotOurs) {
  EXPECT_EQ(FindOwnAddress({At("no-such-host.invalid", 5001)}, 5001), "");
}

}  // namespace
}  // namespace qpidd::ha
