#include "common/url.h"

#include <gtest/gtest.h>

namespace qpidd {
namespace {

std::vector<BrokerAddress> Parse(std::string_view text) {
  auto result = ParseBrokerUrl(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.status().message();
  return result.ok() ? result.value() : std::vector<BrokerAddress>();
}

std::string Error(std::string_view text) {
  auto result = ParseBrokerUrl(text);
  EXPECT_FALSE(result.ok()) << text << " parsed";
  return result.ok() ? std::string() : result.status().message();
}

BrokerAddress Address(std::string host, uint16_t port, bool tls = false, std::string user = "",
                      std::string password = "") {
  BrokerAddress address;
  address.host = std::move(host);
  address.port = port;
  address.tls = tls;
  address.user = std::move(user);
  address.password = std::move(password);
  return address;
}

TEST(UrlTest, BareHostTakesTheDefaultPort) {
  EXPECT_EQ(Parse("node1"), std::vector{Address("node1", 5672)});
  EXPECT_EQ(Parse("20.0.10.1"), std::vector{Address("20.0.10.1", 5672)});
}

TEST(UrlTest, ClassicQpidExamples) {
  EXPECT_EQ(Parse("amqp:tcp:192.168.1.103:5672"), std::vector{Address("192.168.1.103", 5672)});
  EXPECT_EQ(Parse("amqp:tcp:192.168.1.103:5672,tcp:192.168.1.105:5672"),
            (std::vector{Address("192.168.1.103", 5672), Address("192.168.1.105", 5672)}));
  EXPECT_EQ(Parse("20.0.10.1, 20.0.10.2, 20.0.10.3"),
            (std::vector{Address("20.0.10.1", 5672), Address("20.0.10.2", 5672),
                         Address("20.0.10.3", 5672)}));
  EXPECT_EQ(Parse("node1,node2,node3").size(), 3u);
}

TEST(UrlTest, SpacesAroundCommasAndEnds) {
  EXPECT_EQ(Parse("  node1:5673 ,\tnode2  "),
            (std::vector{Address("node1", 5673), Address("node2", 5672)}));
}

TEST(UrlTest, ListCredentialsHoldForEveryAddress) {
  EXPECT_EQ(Parse("amqp:guest/secret@node1,node2"),
            (std::vector{Address("node1", 5672, false, "guest", "secret"),
                         Address("node2", 5672, false, "guest", "secret")}));
  EXPECT_EQ(Parse("amqp:guest/secret@tcp:node1:5673"),
            std::vector{Address("node1", 5673, false, "guest", "secret")});
  EXPECT_EQ(Parse("admin@node1"), std::vector{Address("node1", 5672, false, "admin", "")});
}

TEST(UrlTest, AnAddressMayGiveItsOwnCredentials) {
  EXPECT_EQ(Parse("a/x@node1,b/y@node2"), (std::vector{Address("node1", 5672, false, "a", "x"),
                                                       Address("node2", 5672, false, "b", "y")}));
  EXPECT_EQ(Parse("tcp:a/x@node1"), std::vector{Address("node1", 5672, false, "a", "x")});
}

TEST(UrlTest, TlsPrefixesAndDefaultPort) {
  EXPECT_EQ(Parse("ssl:node1"), std::vector{Address("node1", 5671, true)});
  EXPECT_EQ(Parse("amqps:node1,node2:6000"),
            (std::vector{Address("node1", 5671, true), Address("node2", 6000, true)}));
  EXPECT_EQ(Parse("amqps:tcp:node1"), std::vector{Address("node1", 5672, false)});
  EXPECT_EQ(Parse("amqp:ssl:node1:5999,tcp:node2"),
            (std::vector{Address("node1", 5999, true), Address("node2", 5672)}));
}

TEST(UrlTest, UrlForm) {
  EXPECT_EQ(Parse("amqp://node1:5673"), std::vector{Address("node1", 5673)});
  EXPECT_EQ(Parse("amqps://10.0.0.1:5671"), std::vector{Address("10.0.0.1", 5671, true)});
  EXPECT_EQ(Parse("amqps://10.0.0.1"), std::vector{Address("10.0.0.1", 5671, true)});
  EXPECT_EQ(Parse("amqp://guest:p%40ss@node1"),
            std::vector{Address("node1", 5672, false, "guest", "p@ss")});
  EXPECT_EQ(Parse("amqp://node1, amqps://node2"),
            (std::vector{Address("node1", 5672), Address("node2", 5671, true)}));
  EXPECT_EQ(Parse("AMQP://Node1"), std::vector{Address("Node1", 5672)});
}

TEST(UrlTest, Ipv6InBrackets) {
  EXPECT_EQ(Parse("[::1]:5673"), std::vector{Address("::1", 5673)});
  EXPECT_EQ(Parse("[fe80::1%eth0]"), std::vector{Address("fe80::1%eth0", 5672)});
  EXPECT_EQ(Parse("amqp:tcp:[2001:db8::5]:5672,tcp:[::ffff:10.0.0.1]"),
            (std::vector{Address("2001:db8::5", 5672), Address("::ffff:10.0.0.1", 5672)}));
  EXPECT_EQ(Parse("amqps://u:p@[::1]:6000"), std::vector{Address("::1", 6000, true, "u", "p")});
}

TEST(UrlTest, HostPortAndProtonUrl) {
  EXPECT_EQ(Address("node1", 5672).HostPort(), "node1:5672");
  EXPECT_EQ(Address("::1", 5673).HostPort(), "[::1]:5673");
  EXPECT_EQ(Address("node1", 5672).ProtonUrl(), "amqp://node1:5672");
  EXPECT_EQ(Address("::1", 5671, true).ProtonUrl(), "amqps://[::1]:5671");
  EXPECT_EQ(Address("n", 1, false, "guest", "a:b@c/d").ProtonUrl(),
            "amqp://guest:a%3Ab%40c%2Fd@n:1");
  EXPECT_EQ(Address("n", 1, false, "guest", "").ProtonUrl(), "amqp://guest@n:1");
}

TEST(UrlTest, ProtonUrlParsesBackToTheSameAddress) {
  BrokerAddress address = Address("::1", 6000, true, "us er", "p@ss:/,");
  EXPECT_EQ(Parse(address.ProtonUrl()), std::vector{address});
}

TEST(UrlTest, BadPortNamesPortAndAddress) {
  EXPECT_NE(Error("node1:x").find("bad port 'x' in 'node1:x'"), std::string::npos);
  EXPECT_NE(Error("node1:0").find("bad port '0'"), std::string::npos);
  EXPECT_NE(Error("node1:65536").find("bad port '65536'"), std::string::npos);
  EXPECT_NE(Error("node1:").find("bad port ''"), std::string::npos);
  EXPECT_NE(Error("node1:5672,node2:-1").find("'node2:-1'"), std::string::npos);
  EXPECT_NE(Error("[::1]:abc").find("bad port 'abc'"), std::string::npos);
  Error("node1:123456");
  Error("node1: 5672");
}

TEST(UrlTest, EmptyUrlAndEmptyElements) {
  EXPECT_NE(Error("").find("empty"), std::string::npos);
  EXPECT_NE(Error("   ").find("empty"), std::string::npos);
  EXPECT_NE(Error("amqp:").find("empty address"), std::string::npos);
  EXPECT_NE(Error("node1,,node2").find("empty address (number 2)"), std::string::npos);
  EXPECT_NE(Error("node1,").find("empty address (number 2)"), std::string::npos);
  EXPECT_NE(Error(",node1").find("empty address (number 1)"), std::string::npos);
}

TEST(UrlTest, BadHostCharacters) {
  EXPECT_NE(Error("no!de").find("bad character '!' in host 'no!de'"), std::string::npos);
  EXPECT_NE(Error("node 1").find("bad character ' '"), std::string::npos);
  EXPECT_NE(Error(":5672").find("missing host"), std::string::npos);
  EXPECT_NE(Error("guest@:5672").find("missing host"), std::string::npos);
}

TEST(UrlTest, Ipv6WithoutBracketsIsRefused) {
  EXPECT_NE(Error("::1").find("brackets"), std::string::npos);
  EXPECT_NE(Error("fe80::1:5672").find("brackets"), std::string::npos);
  EXPECT_NE(Error("[::1").find("missing ']'"), std::string::npos);
  EXPECT_NE(Error("[]:5672").find("empty IPv6"), std::string::npos);
  EXPECT_NE(Error("[::1]5672").find("after ']'"), std::string::npos);
  EXPECT_NE(Error("[node1]").find("bad character"), std::string::npos);
}

TEST(UrlTest, OtherErrors) {
  EXPECT_NE(Error("rdma:node1").find("unsupported protocol 'rdma'"), std::string::npos);
  EXPECT_NE(Error("@node1").find("empty user"), std::string::npos);
  EXPECT_NE(Error("amqp://node1/queue").find("unexpected path '/queue'"), std::string::npos);
  EXPECT_NE(Error("amqp://u:%zz@node1").find("percent"), std::string::npos);
  EXPECT_NE(Error("amqp://u:%4@node1").find("percent"), std::string::npos);
}

}  // namespace
}  // namespace qpidd
