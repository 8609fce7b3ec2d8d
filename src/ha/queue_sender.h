// The primary's end of one queue link (doc/ha-protocol.md 7.2-7.4): walks the queue from the
// start, sends each message the backup lacks (tag = id, payload = the bytes as published),
// then follows new messages and dequeues. Not a consumer: it acquires nothing.
//
// Runs on the backup connection's loop; the queue's guard wakes it from any thread.
#pragma once

#include <proton/link.h>

#include <atomic>
#include <memory>
#include <string>

#include "amqp/link.h"
#include "broker/queue.h"
#include "ha/id_ranges.h"
#include "ha/queue_guard.h"
#include "ha/replication_hub.h"

namespace qpidd::amqp {
class Connection;
}

namespace qpidd::ha {

class QueueSender : public amqp::Link,
                    public GuardListener,
                    public std::enable_shared_from_this<QueueSender> {
 public:
  // Checks the attach (the queue exists with the uuid asked, at level all, not yet linked on
  // this connection is the caller's check) and opens the link, or refuses it with a detach.
  static std::shared_ptr<amqp::Link> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                            pn_link_t* link, const std::string& queue_name,
                                            const std::string& backup, ReplicationHub& hub);

  QueueSender(const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
              broker::QueuePtr queue, std::shared_ptr<QueueGuard> guard, std::string backup,
              IdRanges held, uint64_t tail, ReplicationHub& hub);

  // amqp::Link (the connection's loop)
  void OnFlow() override { Pump(); }
  void OnDelivery(pn_delivery_t* delivery) override;
  void OnClosed() override;

  // GuardListener (any thread)
  void OnQueueChanged() override;
  void OnQueueDeleted() override;

 private:
  void Pump();
  void Walk();
  void SendMessage(const broker::QueuedMessage& m);
  void SendEvent(const std::string& bytes);
  void CheckCaughtUp();

  std::weak_ptr<amqp::Connection> connection_;
  pn_link_t* link_;
  broker::QueuePtr queue_;
  std::shared_ptr<QueueGuard> guard_;
  const std::string backup_;
  ReplicationHub& hub_;
  IdRanges held_;                // ids the backup said it holds, above the cursor
  IdRanges dequeued_;            // ids to tell the backup are gone
  uint64_t cursor_ = 0;          // last id the walk visited
  const uint64_t tail_;          // the queue's tail at attach: the catch-up target
  bool passed_tail_ = false;     // the walk found nothing more up to tail_
  uint64_t unsettled_to_tail_ = 0;  // transfers up to tail_ the backup has not settled
  bool caught_up_ = false;
  uint64_t catchup_sent_ = 0;    // messages up to tail_ sent, for the caught-up log line
  uint64_t catchup_held_ = 0;    // ... and not sent: the backup held them already
  bool closed_ = false;
  std::atomic<bool> pump_posted_{false};
};

}  // namespace qpidd::ha
