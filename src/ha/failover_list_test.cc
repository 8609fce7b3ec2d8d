#include "ha/failover_list.h"

#include <gtest/gtest.h>
#include <proton/codec.h>

#include <memory>

#include "amqp/properties.h"
#include "tools/load_failover.h"

namespace qpidd::ha {
namespace {

TEST(FailoverServerList, OneMapPerAddressWithoutCredentials) {
  BrokerAddress vip{false, "admin", "secret", "10.0.0.10", 5672};
  BrokerAddress tls{true, "", "", "node2", 5671};
  auto list = FailoverServerList({vip, tls});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (broker::Arguments{{"network-host", std::string("10.0.0.10")},
                                        {"hostname", std::string("10.0.0.10")},
                                        {"port", std::string("5672")},
                                        {"scheme", std::string("amqp")}}));
  EXPECT_EQ(std::get<std::string>(list[1].at("scheme")), "amqps");
  EXPECT_TRUE(FailoverServerList({}).empty());
}

// What the broker writes in its open, our tools read back.
TEST(FailoverServerList, RoundTripsThroughTheOpenProperties) {
  std::unique_ptr<pn_data_t, decltype(&pn_data_free)> data(pn_data(0), &pn_data_free);
  BrokerAddress a{false, "", "", "127.0.0.2", 5800};
  BrokerAddress b{false, "", "", "127.0.0.3", 5801};
  amqp::WriteBrokerProperties(data.get(), {{"qpid.ha-status", std::string("active")}},
                              {{std::string(kFailoverServerListProperty),
                                FailoverServerList({a, b})}});
  pn_data_rewind(data.get());
  EXPECT_EQ(tools::ParseFailoverList(data.get()), (std::vector<BrokerAddress>{a, b}));
}

}  // namespace
}  // namespace qpidd::ha
