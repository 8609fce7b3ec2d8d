// On a backup, replicated queues, exchanges and bindings change only by replication: an
// administrator creating one there would make an object the primary does not have, which
// replication would later delete or, worse, collide with; deleting a replica or changing its
// bindings would leave the backup unlike the primary with nobody noticing until a failover.
// So such changes are refused, unless the requesting connection asks to override (open property
// qpid.ha-override, for repair by hand): then they are made and logged as warnings. Objects at
// level none stay the backup's own.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "broker/broker.h"
#include "broker/broker_observer.h"
#include "ha/ha_options.h"

namespace qpidd::ha {

class BackupWriteGuard : public broker::ConfigurationObserver {
 public:
  // `refusing()` says, at each change, whether this broker is a backup and the change is not
  // replication's own. `broker` finds a binding's ends.
  BackupWriteGuard(const broker::Broker& broker, const HaSettings& settings,
                   std::function<bool()> refusing)
      : broker_(broker), settings_(settings), refusing_(std::move(refusing)) {}

  Status PrepareQueue(const std::string& name, broker::QueueSettings& settings) override;
  Status PrepareExchange(const std::string& name, std::string_view type,
                         broker::ExchangeSettings& settings) override;
  Status PrepareDeleteQueue(const broker::QueuePtr& queue) override;
  Status PrepareDeleteExchange(const broker::ExchangePtr& exchange) override;
  Status PrepareBind(const broker::BindingInfo& binding) override;
  Status PrepareUnbind(const broker::BindingInfo& binding) override;

  void OnQueueCreated(const broker::QueuePtr&) override {}
  void OnQueueDeleted(const broker::QueuePtr&) override {}
  void OnExchangeCreated(const broker::ExchangePtr&) override {}
  void OnExchangeDeleted(const broker::ExchangePtr&) override {}
  void OnBind(const broker::BindingInfo&) override {}
  void OnUnbind(const broker::BindingInfo&) override {}

 private:
  // Ok when the change may go ahead (made by replication, or overridden); `what` names it:
  // "create replicated queue 'q'".
  Status Judge(const std::string& what) const;
  bool BindingReplicated(const broker::BindingInfo& binding) const;

  const broker::Broker& broker_;
  const HaSettings& settings_;
  std::function<bool()> refusing_;
};

}  // namespace qpidd::ha
