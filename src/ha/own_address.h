// Which address of ha-brokers-url is this broker's own: the one with its listening port whose
// host resolves to an address of a local interface. Backups skip their own address when they
// look for the primary, and announce it so the primary's membership shows where each one is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/url.h"

namespace qpidd::ha {

// "host:port" of the one address that is this broker's, or "" when none or several match (the
// backup then learns it by meeting itself, doc/ha-protocol.md 5.1).
std::string FindOwnAddress(const std::vector<BrokerAddress>& brokers, uint16_t listening_port);

}  // namespace qpidd::ha
