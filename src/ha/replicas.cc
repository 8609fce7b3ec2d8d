#include "ha/replicas.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <future>

#include "common/log.h"
#include "common/url.h"

namespace qpidd::ha {
namespace {

Status Refused(std::string why) {
  return Status::Error(StatusCode::kPreconditionFailed, std::move(why));
}

}  // namespace

Replicas::Replicas(boost::asio::io_context& loop, broker::Broker& broker, HaSettings settings)
    : loop_(loop), broker_(broker), settings_(std::move(settings)) {}

Result<ReplicaView> Replicas::Replicate(const std::string& source_url, const std::string& queue) {
  return OnLoop([this, source_url, queue] { return ReplicateOnLoop(source_url, queue); });
}

Result<ReplicaView> Replicas::Stop(const std::string& queue) {
  return OnLoop([this, queue] { return StopOnLoop(queue); });
}

std::vector<ReplicaView> Replicas::Views() const {
  std::lock_guard lock(mutex_);
  std::vector<ReplicaView> views;
  for (const auto& [name, replicator] : replicators_) views.push_back(replicator->View());
  return views;
}

void Replicas::StopAll() {
  std::map<std::string, std::shared_ptr<QueueReplicator>> stopping;
  {
    std::lock_guard lock(mutex_);
    stopping.swap(replicators_);
  }
  for (const auto& [name, replicator] : stopping) replicator->Stop();
}

void Replicas::OnQueueDeleted(const broker::QueuePtr& queue) {
  boost::asio::post(loop_, [weak = weak_from_this(), queue] {
    if (auto self = weak.lock()) self->ForgetDeleted(queue);
  });
}

Result<ReplicaView> Replicas::OnLoop(std::function<Result<ReplicaView>()> work) {
  // Shared with the posted step: if the module stops first, that step never runs, and the
  // request must still get an answer.
  auto done = std::make_shared<std::promise<Result<ReplicaView>>>();
  auto result = done->get_future();
  boost::asio::post(loop_, [done, work = std::move(work)] { done->set_value(work()); });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::Internal("the HA module did not answer: it is stopping");
  }
  return result.get();
}

Result<ReplicaView> Replicas::ReplicateOnLoop(const std::string& source_url,
                                              const std::string& name) {
  if (!settings_.queue_replication) {
    return Refused("queue replication is not enabled on this broker: start it with "
                   "--ha-queue-replication yes");
  }
  if (settings_.cluster) {
    // A cluster's queues are the cluster's: its own replication decides what they hold.
    return Refused("this broker is an HA cluster member (--ha-cluster yes): a stand-alone "
                   "replica lives on a broker outside any cluster");
  }
  auto source = ParseBrokerUrl(source_url);
  if (!source.ok() || source.value().empty()) {
    return Status::InvalidArgument("bad source URL '" + source_url + "': " +
                                   (source.ok() ? "no address" : source.status().message()));
  }
  for (const auto& address : source.value()) {
    if (address.tls) {
      return Status::NotImplemented("source URL '" + source_url +
                                    "': TLS is not available for replication links");
    }
  }
  broker::QueuePtr queue = broker_.FindQueue(name);
  if (!queue) {
    return Status::NotFound("no queue '" + name +
                            "' on this broker: a replica is made from an existing, empty queue");
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = replicators_.find(name); it != replicators_.end()) {
      return Refused("queue '" + name + "' is already a replica of '" +
                     it->second->source_url() + "'");
    }
  }
  if (queue->replica()) return Refused("queue '" + name + "' is a replica already");
  auto holding = [&] {
    return Refused("queue '" + name + "' holds " + std::to_string(queue->Stats().depth) +
                   " messages: a replica starts empty so that it holds exactly what the "
                   "original holds");
  };
  if (queue->Stats().depth > 0) return holding();
  // Local publishers and consumers lose their hold on it from here (browse only).
  queue->SetReplica(true);
  if (queue->Stats().depth > 0) {  // a message slipped in meanwhile
    queue->SetReplica(false);
    return holding();
  }
  auto replicator = std::make_shared<QueueReplicator>(loop_, settings_, broker_.config().id,
                                                      source_url, std::move(source).value(), queue);
  {
    std::lock_guard lock(mutex_);
    replicators_[name] = replicator;
  }
  replicator->Start();
  QPIDD_LOG(kNotice, kHa, "queue " << name << " is now a replica of queue " << name << " at "
                                   << source_url);
  return replicator->View();
}

Result<ReplicaView> Replicas::StopOnLoop(const std::string& name) {
  std::shared_ptr<QueueReplicator> replicator;
  {
    std::lock_guard lock(mutex_);
    auto it = replicators_.find(name);
    if (it == replicators_.end()) {
      return Status::NotFound("queue '" + name + "' is not a replica: nothing to stop");
    }
    replicator = std::move(it->second);
    replicators_.erase(it);
  }
  replicator->Stop();
  replicator->replica()->SetReplica(false);
  ReplicaView view = replicator->View();
  QPIDD_LOG(kNotice, kHa, "queue " << name << " is no longer a replica of " << view.source
                                   << ": it keeps its " << view.messages << " messages");
  return view;
}

void Replicas::ForgetDeleted(const broker::QueuePtr& queue) {
  std::shared_ptr<QueueReplicator> replicator;
  {
    std::lock_guard lock(mutex_);
    auto it = replicators_.find(queue->name());
    if (it == replicators_.end() || it->second->replica() != queue) return;
    replicator = std::move(it->second);
    replicators_.erase(it);
  }
  replicator->Stop();
  QPIDD_LOG(kNotice, kHa, "replica " << queue->name() << " was deleted: it no longer replicates "
                                     << replicator->source_url());
}

}  // namespace qpidd::ha
