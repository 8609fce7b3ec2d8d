// A link attached on a connection, as the connection dispatches Proton events to it. Every call
// happens on the owning connection's loop.
#pragma once

#include <proton/delivery.h>
#include <proton/link.h>

namespace qpidd::amqp {

class Link {
 public:
  virtual ~Link() = default;
  // Credit or drain changed (sender links).
  virtual void OnFlow() {}
  // A transfer arrived (receiver links) or a disposition changed (sender links).
  virtual void OnDelivery(pn_delivery_t* delivery) = 0;
  // The link is going away: the peer detached it, or the connection is lost. Unsettled
  // messages must go back to their queues here. Called once.
  virtual void OnClosed() = 0;
};

}  // namespace qpidd::amqp
