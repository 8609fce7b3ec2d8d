// The $management node on one publisher link: hands each request to the management agent and
// routes the agent's reply to the request's reply-to address, like any other message.
// Management is not the data path, so requests are decoded with Proton's C++ message API.
#pragma once

#include "broker/broker.h"
#include "broker/broker_observer.h"
#include "broker/message.h"
#include "common/status.h"

namespace qpidd::management {
class ManagementAgent;
}

namespace qpidd::amqp {

class ManagementNode {
 public:
  ManagementNode(management::ManagementAgent& agent, const broker::ConnectionInfo& requester)
      : agent_(agent), requester_(requester) {}

  // Errors are about the request message itself (undecodable, nowhere to reply); the agent's
  // own answers, errors included, travel in the reply.
  Status Handle(broker::Broker& broker, const broker::MessagePtr& request);

 private:
  management::ManagementAgent& agent_;
  const broker::ConnectionInfo& requester_;
};

}  // namespace qpidd::amqp
