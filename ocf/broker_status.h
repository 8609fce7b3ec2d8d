// Management round trips to brokers, over an HA admin connection (open property qpid.ha-admin,
// admitted by backups): the `ha-broker` entity's status, PROMOTE, and the view of every member
// of brokers_url that promotion scores and the promotion guard need.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/url.h"
#include "ocf/scores.h"

namespace qpidd::ocf {

struct HaBrokerStatus {
  HaState state = HaState::kUnknown;
  std::string status;             // as the broker said it
  std::string address;            // its own address in ha-brokers-url; empty while unknown
  std::string brokers_url;        // as configured on the broker
  std::string replication_error;  // why a primary refuses this backup; empty when none
};

// READ of ha-broker. Errors name the address; a broker without the HA module is NotFound.
// With `deep`, also a QUERY of the broker's queues, so the broker's core is known to answer too.
Result<HaBrokerStatus> ReadHaBroker(const BrokerAddress& address,
                                    std::chrono::milliseconds timeout, bool deep = false);

// PROMOTE; a refusal (409) is an error carrying the broker's description.
Status PromoteBroker(const BrokerAddress& address, std::chrono::milliseconds timeout);

// Reads every address of `brokers_url` at once (each bounded by `timeout`), in the URL's order.
// An address equal to `own.address` or to `local` (the agent's own host:port) is the local
// broker and is not asked again: it gets `own`'s state.
std::vector<MemberView> ViewMembers(const std::vector<BrokerAddress>& brokers_url,
                                    const HaBrokerStatus& own, const BrokerAddress& local,
                                    std::chrono::milliseconds timeout);

}  // namespace qpidd::ocf
