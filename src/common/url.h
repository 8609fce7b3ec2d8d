// Broker addresses as users write them (the classic Qpid grammar): an optional "amqp:" or "amqps:"
// prefix, then a comma-separated list of addresses, each optionally "tcp:"/"ssl:", with optional
// "user/password@", host and optional ":port". Spaces around commas are allowed.
//   node1                          amqp:tcp:node1:5672,tcp:node2:5672
//   node1:5673, node2              amqp:guest/secret@node1
//   amqp://node1:5673              amqps://10.0.0.1:5671  (also accepted: the URL form)
// IPv6 hosts go in brackets: [::1]:5672. As in the classic Qpid grammar, credentials given on the first
// address ("amqp:guest/secret@node1,node2") hold for every address that gives none of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace qpidd {

struct BrokerAddress {
  bool tls = false;       // amqps: / ssl:
  std::string user;       // empty: none given
  std::string password;
  std::string host;
  uint16_t port = 5672;   // 5671 when tls and no port is given

  // "host:port" (IPv6 hosts in brackets), for logs and for connecting.
  std::string HostPort() const;
  // A URL Proton clients accept: amqp[s]://[user:password@]host:port
  std::string ProtonUrl() const;
  bool operator==(const BrokerAddress&) const = default;
};

// Parses a URL list. An empty string, an empty element, a bad port or a bad character is an
// error naming the offending part.
Result<std::vector<BrokerAddress>> ParseBrokerUrl(std::string_view text);

}  // namespace qpidd
