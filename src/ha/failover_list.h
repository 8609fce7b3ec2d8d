// The failover-server-list a primary with ha-public-url offers its clients in its open
// (doc/ha-protocol.md 4.3): one map per address, as failover-aware AMQP clients (qpid-jms) and
// our own tools read it.
#pragma once

#include <string_view>
#include <vector>

#include "broker/value.h"
#include "common/url.h"

namespace qpidd::ha {

inline constexpr std::string_view kFailoverServerListProperty = "failover-server-list";

// {network-host: host, hostname: host, port: "5672", scheme: "amqp" or "amqps"} per address, in
// order. Credentials in the URL are never advertised.
std::vector<broker::Arguments> FailoverServerList(const std::vector<BrokerAddress>& addresses);

}  // namespace qpidd::ha
