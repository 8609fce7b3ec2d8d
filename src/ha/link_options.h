// How this broker reaches another for its own links (replication, probes, stand-alone replicas):
// the credentials the address gives, else --ha-username/--ha-password, and --ha-mechanism.
#pragma once

#include <string>

#include "common/url.h"
#include "ha/client_connection.h"
#include "ha/ha_options.h"

namespace qpidd::ha {

ClientConnectionOptions LinkOptions(const BrokerAddress& address, const HaSettings& settings,
                                    std::string container_id);

}  // namespace qpidd::ha
