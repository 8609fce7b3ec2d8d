// Nodes a module serves itself, outside the broker's queues and exchanges (the HA module's
// replication links). The AMQP layer hands it every attach whose address it claims.
#pragma once

#include <proton/link.h>

#include <memory>
#include <string_view>

#include "amqp/link.h"

namespace qpidd::amqp {

class Connection;

class NodeProvider {
 public:
  virtual ~NodeProvider() = default;
  // True when attaches to `address` (a sender's source, a receiver's target) are the
  // provider's. Called on every attach, on the connection's loop: keep it cheap.
  virtual bool Serves(std::string_view address) const = 0;
  // Makes the link's handler and opens the link; or closes the link with a condition saying
  // why and returns null. On the connection's loop.
  virtual std::shared_ptr<Link> Attach(const std::shared_ptr<Connection>& connection,
                                       pn_link_t* link) = 0;
};

}  // namespace qpidd::amqp
