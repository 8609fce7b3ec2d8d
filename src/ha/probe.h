// Probes (doc/ha-protocol.md 5.2): an admin connection to another member, closed as soon as its
// open arrives, whose properties say the member's status. One round trip, no management request.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/url.h"
#include "ha/client_connection.h"
#include "ha/ha_options.h"
#include "ha/promotion.h"

namespace qpidd::ha {

// Called once, on the loop: what the member said, or nullopt (no answer, unreachable, or this
// broker itself).
using ProbeDone = std::function<void(std::optional<PeerStatus>)>;

// Starts a probe of `address` on `loop`, giving up after `timeout`. Aborting the returned
// connection ends it (`done` then runs with nullopt, unless it ran already).
std::shared_ptr<ClientConnection> StartProbe(boost::asio::io_context& loop,
                                             const BrokerAddress& address,
                                             const HaSettings& settings,
                                             const std::string& own_broker_id,
                                             std::chrono::milliseconds timeout, ProbeDone done);

// Asks every address of `addresses` at once, from `loop` (not the calling thread), and waits at
// most `timeout` for all. A member that does not answer in time, cannot be reached or is this
// broker (`own_broker_id`) is left out: it raises no objection.
std::vector<PeerStatus> ProbeMembers(boost::asio::io_context& loop,
                                     const std::vector<BrokerAddress>& addresses,
                                     const HaSettings& settings, const std::string& own_broker_id,
                                     std::chrono::milliseconds timeout);

}  // namespace qpidd::ha
