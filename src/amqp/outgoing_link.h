// A link on which the broker sends to a consumer: from a queue, from an exchange (through a
// private queue bound with the link's filter, deleted with the link) or from a dynamic node.
// Messages are pulled from the queue while the peer gives credit. Unsettled messages go back to
// their queue, in their original order, when the link or connection goes.
#pragma once

#include <proton/link.h>

#include <atomic>
#include <memory>
#include <string>

#include "amqp/link.h"
#include "broker/queue.h"

namespace qpidd::amqp {

class Connection;

class OutgoingLink : public Link,
                     public broker::QueueListener,
                     public std::enable_shared_from_this<OutgoingLink> {
 public:
  static std::shared_ptr<Link> Attach(const std::shared_ptr<Connection>& connection,
                                      pn_link_t* link);

  OutgoingLink(const std::shared_ptr<Connection>& connection, pn_link_t* link,
               broker::QueuePtr queue);
  ~OutgoingLink() override;

  // Link (the connection's loop)
  void OnFlow() override;
  void OnDelivery(pn_delivery_t* delivery) override;
  void OnClosed() override;

  // QueueListener (any thread)
  void OnMessagesAvailable() override;
  void OnQueueDeleted() override;

 private:
  void Pull();
  void Send(const broker::QueuedMessage& m);

  std::weak_ptr<Connection> connection_;
  Connection& owner_;  // valid while the link is open: the connection owns the link
  pn_link_t* link_;
  broker::QueuePtr queue_;
  bool browse_ = false;          // distribution-mode copy: messages stay on the queue
  bool presettled_ = false;      // the peer asked for settled deliveries (at-most-once)
  uint64_t browse_cursor_ = 0;   // last position browsed
  uint64_t next_tag_ = 0;
  std::string temporary_queue_;  // deleted with the link (private or dynamic queue)
  bool closed_ = false;
  std::atomic<bool> pull_posted_{false};
};

}  // namespace qpidd::amqp
