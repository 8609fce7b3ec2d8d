#include "ha/queue_replication.h"

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "ha/replicas.h"
#include "ha/replication_source.h"
#include "ha/replicator_protocol.h"

namespace qpidd::ha {
namespace {

Status NotEnabled() {
  return Status::Error(StatusCode::kPreconditionFailed,
                       "queue replication is not enabled on this broker: start it with "
                       "--ha-queue-replication yes");
}

}  // namespace

QueueReplication::QueueReplication(boost::asio::io_context& loop, broker::Broker& broker,
                                   HaSettings settings)
    : broker_(broker),
      settings_(std::move(settings)),
      source_(settings_.queue_replication ? std::make_shared<ReplicationSource>() : nullptr),
      replicas_(settings_.queue_replication ? std::make_shared<Replicas>(loop, broker, settings_)
                                            : nullptr) {}

QueueReplication::~QueueReplication() {
  if (!started_) return;
  if (source_) broker_.RemoveConfigurationObserver(source_.get());
  if (replicas_) broker_.RemoveConfigurationObserver(replicas_.get());
}

void QueueReplication::Start() {
  started_ = true;
  if (source_) broker_.AddConfigurationObserver(source_);
  if (replicas_) broker_.AddConfigurationObserver(replicas_);
}

void QueueReplication::StopOnLoop() {
  if (replicas_) replicas_->StopAll();
}

std::optional<broker::AdmissionVerdict> QueueReplication::Admit(const broker::ConnectionInfo& info,
                                                                BrokerStatus status) const {
  if (!IsReplicator(info)) return std::nullopt;
  if (settings_.cluster && !IsPrimary(status)) {
    broker::AdmissionVerdict verdict;
    verdict.action = broker::AdmissionVerdict::Action::kDrop;
    verdict.reason = "this broker is an HA backup (status " +
                     std::string(BrokerStatusName(status)) +
                     "): replicators must connect to the primary";
    return verdict;
  }
  return AdmitReplicator(info, settings_);
}

std::shared_ptr<amqp::Link> QueueReplication::Attach(
    const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
    const std::string& address) {
  if (!source_) {
    amqp::RefuseAttach(link, "amqp:not-found",
                       "this broker does not serve queue replication (--ha-queue-replication no)");
    return nullptr;
  }
  return source_->Attach(connection, link, address);
}

Result<ReplicaView> QueueReplication::Replicate(const std::string& source_url,
                                                const std::string& queue) {
  if (!replicas_) return NotEnabled();
  return replicas_->Replicate(source_url, queue);
}

Result<ReplicaView> QueueReplication::StopReplica(const std::string& queue) {
  if (!replicas_) return NotEnabled();
  return replicas_->Stop(queue);
}

std::vector<ReplicaView> QueueReplication::Views() const {
  return replicas_ ? replicas_->Views() : std::vector<ReplicaView>{};
}

}  // namespace qpidd::ha
