#include "tools/load_failover.h"

#include <gtest/gtest.h>
#include <proton/codec.h>

#include <cstring>
#include <memory>

namespace qpidd::tools {
namespace {

using DataPtr = std::unique_ptr<pn_data_t, void (*)(pn_data_t*)>;

DataPtr NewData() { return DataPtr(pn_data(0), pn_data_free); }

void PutSymbol(pn_data_t* data, const char* text) {
  pn_data_put_symbol(data, pn_bytes(std::strlen(text), text));
}

void PutString(pn_data_t* data, const char* text) {
  pn_data_put_string(data, pn_bytes(std::strlen(text), text));
}

TEST(FailoverListTest, ReadsPlainEntriesInOrder) {
  DataPtr data = NewData();
  pn_data_t* d = data.get();
  pn_data_put_map(d);
  pn_data_enter(d);
  PutSymbol(d, "product");
  PutString(d, "qpidd-ha");
  PutSymbol(d, "failover-server-list");
  pn_data_put_list(d);
  pn_data_enter(d);
  // 1: hostname and a ushort port
  pn_data_put_map(d);
  pn_data_enter(d);
  PutString(d, "hostname");
  PutString(d, "node2");
  PutString(d, "port");
  pn_data_put_ushort(d, 5673);
  PutString(d, "scheme");
  PutString(d, "amqp");
  pn_data_exit(d);
  // 2: TLS only: skipped
  pn_data_put_map(d);
  pn_data_enter(d);
  PutString(d, "hostname");
  PutString(d, "node3");
  PutString(d, "scheme");
  PutString(d, "amqps");
  pn_data_exit(d);
  // 3: network-host wins over hostname; port as text
  pn_data_put_map(d);
  pn_data_enter(d);
  PutString(d, "hostname");
  PutString(d, "virtual");
  PutString(d, "network-host");
  PutString(d, "10.0.0.4");
  PutString(d, "port");
  PutString(d, "5674");
  pn_data_exit(d);
  pn_data_exit(d);
  pn_data_exit(d);

  std::vector<BrokerAddress> list = ParseFailoverList(d);
  ASSERT_EQ(2u, list.size());
  EXPECT_EQ("node2", list[0].host);
  EXPECT_EQ(5673, list[0].port);
  EXPECT_EQ("10.0.0.4", list[1].host);
  EXPECT_EQ(5674, list[1].port);
}

TEST(FailoverListTest, NoListOrNotAMapGivesNothing) {
  EXPECT_TRUE(ParseFailoverList(nullptr).empty());
  DataPtr empty = NewData();
  EXPECT_TRUE(ParseFailoverList(empty.get()).empty());
  DataPtr number = NewData();
  pn_data_put_int(number.get(), 3);
  EXPECT_TRUE(ParseFailoverList(number.get()).empty());
}

}  // namespace
}  // namespace qpidd::tools
