// What every AMQP connection needs from the broker process: the registry, the management agent
// and the connection-level settings. Outlives every connection.
#pragma once

#include <cstdint>
#include <string>

#include "broker/broker.h"

namespace qpidd::management {
class ManagementAgent;
}

namespace qpidd::amqp {

class NodeProvider;

struct ConnectionSettings {
  std::string container_id;         // the broker's AMQP container id
  uint32_t idle_timeout_ms = 0;     // our idle-timeout; 0 = none asked of the peer
  uint32_t max_connections = 0;     // 0 = no limit
  uint32_t publisher_credit = 1000; // credit window granted to each publisher link
};

struct BrokerContext {
  broker::Broker& broker;
  management::ManagementAgent* management = nullptr;  // null: --mgmt-enable no
  NodeProvider* node_provider = nullptr;               // null: none (set before listening)
  ConnectionSettings settings;
};

}  // namespace qpidd::amqp
