// The failover list a broker may advertise in its open frame's properties
// ("failover-server-list": a list of maps with hostname/network-host, port and scheme), as
// Qpid Dispatch and ActiveMQ Artemis send it. The tools add it to the brokers they try when they
// reconnect; stock clients ignore it.
#pragma once

#include <vector>

#include "common/url.h"

struct pn_data_t;

namespace qpidd::tools {

// The plain-TCP (scheme amqp or none) entries of PROPERTIES' failover list, in order; empty when
// there is none or it is malformed. Credentials are not filled in.
std::vector<BrokerAddress> ParseFailoverList(pn_data_t* properties);

}  // namespace qpidd::tools
