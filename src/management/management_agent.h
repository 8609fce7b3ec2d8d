// The broker's `$management` node: answers AMQP Management requests (doc/management.md) about
// queues, exchanges, bindings, connections and the broker itself.
//
// THREAD SAFE: the AMQP layer calls Handle() on each connection's own thread, concurrently; the
// agent keeps no state between requests, and the broker it reads and changes is thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <proton/message.hpp>

#include "broker/broker.h"
#include "broker/broker_observer.h"
#include "common/status.h"
#include "management/entity_type.h"
#include "management/reply.h"
#include "management/request.h"

namespace qpidd::management {

class ManagementAgent {
 public:
  explicit ManagementAgent(broker::Broker& broker);
  ~ManagementAgent();
  ManagementAgent(const ManagementAgent&) = delete;
  ManagementAgent& operator=(const ManagementAgent&) = delete;

  // Answers one request. Never throws: a bad request gets a 4xx/501 reply naming what is wrong,
  // an unexpected failure a 500. The reply is addressed to the request's reply-to (empty when the
  // request had none: the caller then drops it) and correlated as the draft says.
  proton::message Handle(const proton::message& request, const broker::ConnectionInfo& requester);

  // Adds an entity type (the HA module's, later), replacing one of the same name. Call before the
  // broker serves connections: types are not guarded by a lock.
  void AddType(std::unique_ptr<EntityType> type);

 private:
  Result<Reply> Process(const proton::message& message, const broker::ConnectionInfo& requester);
  Result<Reply> Dispatch(const Request& request, const broker::ConnectionInfo& requester);
  // The types a QUERY or GET-* request covers: the one it names, or all when it names none.
  Result<std::vector<const EntityType*>> TypesFor(const Request& request) const;
  EntityType* FindType(std::string_view name) const;
  std::string TypeNames() const;

  std::vector<std::unique_ptr<EntityType>> types_;
};

}  // namespace qpidd::management
