// On a backup, replicated queues and exchanges are made only by replication: an administrator
// creating one there would make an object the primary does not have, which replication would
// later delete or, worse, collide with. Objects at level none may still be made (they are the
// backup's own).
#pragma once

#include <functional>
#include <string>

#include "broker/broker_observer.h"
#include "ha/ha_options.h"

namespace qpidd::ha {

class BackupWriteGuard : public broker::ConfigurationObserver {
 public:
  // `refusing()` says, at each creation, whether this broker is a backup and the creation is
  // not replication's own.
  BackupWriteGuard(const HaSettings& settings, std::function<bool()> refusing)
      : settings_(settings), refusing_(std::move(refusing)) {}

  Status PrepareQueue(const std::string& name, broker::QueueSettings& settings) override;
  Status PrepareExchange(const std::string& name, std::string_view type,
                         broker::ExchangeSettings& settings) override;

  void OnQueueCreated(const broker::QueuePtr&) override {}
  void OnQueueDeleted(const broker::QueuePtr&) override {}
  void OnExchangeCreated(const broker::ExchangePtr&) override {}
  void OnExchangeDeleted(const broker::ExchangePtr&) override {}
  void OnBind(const broker::BindingInfo&) override {}
  void OnUnbind(const broker::BindingInfo&) override {}

 private:
  Status Refusal(std::string_view kind, const std::string& name) const;

  const HaSettings& settings_;
  std::function<bool()> refusing_;
};

}  // namespace qpidd::ha
