// Finds the node an attach names, creating it when the peer asks for that: the terminus carries
// the capability "create-on-demand" (as qpidd does), with "topic" making a topic exchange
// instead of a queue. Dynamic termini get a temporary queue, deleted with the link.
#pragma once

#include <proton/terminus.h>

#include <string>

#include "broker/broker.h"
#include "common/status.h"

namespace qpidd::amqp {

struct ResolvedNode {
  broker::Node node;
  std::string temporary_queue;  // non-empty: delete this queue when the link closes
};

Result<ResolvedNode> ResolveNode(broker::Broker& broker, pn_terminus_t* remote_terminus,
                                 pn_terminus_t* local_terminus);

}  // namespace qpidd::amqp
