// One kind of manageable entity (queue, exchange...): what it reports and what can be done to it.
// The agent finds the type named by a request and hands it the request; QUERY is answered by the
// agent from List(), so a type only describes its entities.
//
// THREAD SAFE: Handle() and List() are called concurrently from every connection thread; types
// hold no state of their own beyond a reference to the broker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/broker_observer.h"
#include "common/status.h"
#include "management/reply.h"
#include "management/request.h"
#include "management/value_codec.h"

namespace qpidd::management {

class EntityType {
 public:
  virtual ~EntityType() = default;

  // The type name requests use ("queue").
  virtual std::string_view name() const = 0;
  // Every attribute an entity of this type reports, in the order QUERY returns them by default.
  virtual std::vector<std::string> AttributeNames() const = 0;
  // The operations Handle() accepts (QUERY is added by the agent for every type).
  virtual std::vector<std::string> Operations() const = 0;
  // Every entity of this type, each with all of AttributeNames().
  virtual std::vector<AttributeMap> List() const = 0;
  // CREATE, READ, UPDATE, DELETE or a named operation on one entity. An operation the type does
  // not support is 501, naming the operation and the type.
  virtual Result<Reply> Handle(const Request& request,
                               const broker::ConnectionInfo& requester) = 0;

 protected:
  // The 501 error for an operation this type does not support.
  Status Unsupported(const Request& request) const;
  // The 400 error for a request that must name an entity and does not.
  Status RequireName(const Request& request) const;
};

}  // namespace qpidd::management
