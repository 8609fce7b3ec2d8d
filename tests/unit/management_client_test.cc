// The management client's failure paths (no broker needed: a closed port, a silent listener) and
// the tools' value and table formatting. Talking to a real broker is tested by
// tests/cli/qpid_config.bats.
#include "client/management_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/codec/map.hpp>
#include <proton/types.hpp>

#include "client/table.h"
#include "client/value_text.h"

namespace qpidd::client {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A loopback TCP socket, bound; listening only if asked. Closed on destruction.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 8), 0);
    }
  }
  ~LoopbackSocket() { close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  uint16_t port_ = 0;
};

TEST(ManagementClientTest, BadUrlIsInvalidArgument) {
  ClientOptions options;
  options.url = "127.0.0.1:notaport";
  auto client = ManagementClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(client.status().message(), HasSubstr("notaport"));
}

TEST(ManagementClientTest, RefusedConnectionNamesTheAddress) {
  LoopbackSocket closed(/*listen=*/false);  // bound but not listening: connections are refused
  ClientOptions options;
  options.url = closed.address();
  options.timeout = milliseconds(5000);
  auto client = ManagementClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(client.status().message(), HasSubstr("cannot connect to " + closed.address()));
  EXPECT_THAT(client.status().message(), HasSubstr("refused"));
}

TEST(ManagementClientTest, EveryAddressOfTheListIsTriedAndNamed) {
  LoopbackSocket first(false), second(false);
  ClientOptions options;
  options.url = "amqp:tcp:" + first.address() + ",tcp:" + second.address();
  options.timeout = milliseconds(5000);
  auto client = ManagementClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(client.status().message(), HasSubstr(first.address()));
  EXPECT_THAT(client.status().message(), HasSubstr(second.address()));
}

TEST(ManagementClientTest, SilentPeerIsBoundedByTheTimeout) {
  LoopbackSocket silent(/*listen=*/true);  // the kernel accepts; nobody ever speaks AMQP
  ClientOptions options;
  options.url = silent.address();
  options.timeout = milliseconds(300);
  auto start = steady_clock::now();
  auto client = ManagementClient::Connect(options);
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(client.status().message(), HasSubstr(silent.address() + ": no answer within 0.3s"));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(ValueTextTest, TypedValuesFromTheCommandLine) {
  EXPECT_EQ(ParseTypedValue("12").type(), proton::LONG);
  EXPECT_EQ(proton::get<int64_t>(ParseTypedValue("-3")), -3);
  EXPECT_EQ(ParseTypedValue("true").type(), proton::BOOLEAN);
  EXPECT_EQ(proton::get<std::string>(ParseTypedValue("\"12\"")), "12");
  EXPECT_EQ(proton::get<std::string>(ParseTypedValue("red")), "red");
  EXPECT_EQ(proton::get<std::string>(ParseTypedValue("12abc")), "12abc");
  EXPECT_EQ(proton::get<std::string>(ParseTypedValue("")), "");
}

TEST(ValueTextTest, KeyValuePairs) {
  auto kv = ParseKeyValue("x-match=all");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv.value().first, "x-match");
  EXPECT_EQ(proton::get<std::string>(kv.value().second), "all");
  auto equals = ParseKeyValue("k=a=b");
  ASSERT_TRUE(equals.ok());
  EXPECT_EQ(proton::get<std::string>(equals.value().second), "a=b");
  EXPECT_FALSE(ParseKeyValue("novalue").ok());
  EXPECT_FALSE(ParseKeyValue("=v").ok());
}

TEST(ValueTextTest, PrintsValuesForTables) {
  EXPECT_EQ(ValueText(proton::value()), "");
  EXPECT_EQ(ValueText(proton::value(uint64_t{7})), "7");
  EXPECT_EQ(ValueText(proton::value(true)), "true");
  EXPECT_EQ(ValueText(proton::value(std::string("s"))), "s");
  std::map<std::string, proton::value> map{{"a", int64_t{1}}, {"b", std::string("x")}};
  proton::value v;
  v = map;
  EXPECT_EQ(ValueText(v), "{a=1, b=x}");
}

TEST(TableTest, AlignsColumnsUnderTheirHeadings) {
  Table table;
  table.AddColumn("queue");
  table.AddColumn("msg", Table::Align::kRight);
  table.AddColumn("args");
  table.AddRow({"q1", "3", ""});
  table.AddRow({"longer-name", "12345", "k=v"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "queue          msg  args\n"
            "========================\n"
            "q1               3\n"
            "longer-name  12345  k=v\n");
}

}  // namespace
}  // namespace qpidd::client
