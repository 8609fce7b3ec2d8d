// A link on which a peer publishes to the broker: to a queue, an exchange, the anonymous relay
// (no target address: each message's `to` names its node) or the $management node.
// A delivery is settled `accepted` once enqueued, unless the HA module holds it (PublishHold),
// or `rejected` with the reason when it cannot be. A link attached to a queue gets no more credit
// while the queue is over its flow-stop threshold (broker::FlowListener).
#pragma once

#include <proton/link.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "amqp/link.h"
#include "broker/broker.h"
#include "broker/publish_hold.h"

namespace qpidd::amqp {

class Connection;
class ManagementNode;

class IncomingLink : public Link,
                     public broker::SettleTarget,
                     public broker::FlowListener,
                     public std::enable_shared_from_this<IncomingLink> {
 public:
  // Attaches the link, or refuses it (closing it with the reason) and returns null.
  static std::shared_ptr<Link> Attach(const std::shared_ptr<Connection>& connection,
                                      pn_link_t* link);

  IncomingLink(const std::shared_ptr<Connection>& connection, pn_link_t* link);
  ~IncomingLink() override;

  void OnDelivery(pn_delivery_t* delivery) override;
  void OnClosed() override;
  broker::PublishHold::SettleFn MakeSettleFn(uint64_t delivery_id) override;
  void OnFlowResumed() override;

 private:
  Status Publish(const broker::MessagePtr& message, broker::PublishContext& context);
  void SettleHeld(uint64_t delivery_id, const Status& status);
  void TopUpCredit();
  // The credit window: the broker's publisher credit, smaller for a queue with flow control so
  // that one publisher's credit fits between the stop threshold and the limit.
  int Window() const;

  std::weak_ptr<Connection> connection_;
  Connection& owner_;  // valid while the link is open: the connection owns the link
  pn_link_t* link_;
  broker::Node node_;               // monostate: anonymous relay
  std::unique_ptr<ManagementNode> management_;
  std::string temporary_queue_;
  std::string address_;             // for logs
  std::string partial_;             // a multi-frame message being received
  broker::QueuePtr flow_queue_;     // the target queue when it has flow control
  size_t largest_message_ = 0;      // seen on this link: bounds the window of a byte limit
  uint64_t next_delivery_id_ = 0;
  std::unordered_map<uint64_t, pn_delivery_t*> held_;  // deliveries awaiting a PublishHold
  bool closed_ = false;
};

}  // namespace qpidd::amqp
