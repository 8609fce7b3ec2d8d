#include "management/management_agent.h"

#include <exception>

#include <proton/error.hpp>

#include "broker/request_scope.h"
#include "common/log.h"
#include "management/binding_type.h"
#include "management/broker_type.h"
#include "management/connection_type.h"
#include "management/exchange_type.h"
#include "management/node_operations.h"
#include "management/protocol.h"
#include "management/query.h"
#include "management/queue_type.h"

namespace qpidd::management {
namespace {

bool IsStandardOperation(std::string_view op) {
  return op == kCreate || op == kRead || op == kUpdate || op == kDelete || op == kQuery;
}

std::string Who(const broker::ConnectionInfo& requester) {
  return (requester.user.empty() ? std::string("anonymous") : requester.user) + "@" +
         requester.remote_address;
}

}  // namespace

ManagementAgent::ManagementAgent(broker::Broker& broker) {
  types_.push_back(std::make_unique<QueueType>(broker));
  types_.push_back(std::make_unique<ExchangeType>(broker));
  types_.push_back(std::make_unique<BindingType>(broker));
  types_.push_back(std::make_unique<ConnectionType>(broker));
  types_.push_back(std::make_unique<BrokerType>(broker));
}

ManagementAgent::~ManagementAgent() = default;

void ManagementAgent::AddType(std::unique_ptr<EntityType> type) {
  for (auto& existing : types_) {
    if (existing->name() == type->name()) {
      existing = std::move(type);
      return;
    }
  }
  types_.push_back(std::move(type));
}

proton::message ManagementAgent::Handle(const proton::message& request,
                                        const broker::ConnectionInfo& requester) {
  Reply reply;
  try {
    Result<Reply> result = Process(request, requester);
    reply = result.ok() ? std::move(result).value() : ErrorReply(result.status());
  } catch (const proton::error& e) {
    // Proton throws when a section does not decode as the type we asked for: the request's
    // fault, not ours.
    reply = ErrorReply(Status::InvalidArgument(std::string("malformed request: ") + e.what()));
  } catch (const std::exception& e) {
    QPIDD_LOG(kError, kManagement, "request from " << Who(requester) << " failed: " << e.what());
    reply = ErrorReply(Status::Internal(std::string("internal error: ") + e.what()));
  }
  if (!IsSuccess(reply.code)) {
    QPIDD_LOG(kInfo, kManagement, "request from " << Who(requester) << " refused: " << reply.code
                                                  << " " << reply.description);
  }
  try {
    return ReplyMessage(reply, request);
  } catch (const std::exception& e) {
    // Only the request's reply-to or ids can fail to decode here; answer uncorrelated rather
    // than not at all.
    proton::message bare;
    bare.properties().put(std::string(kStatusCode), kBadRequest);
    bare.properties().put(std::string(kStatusDescription),
                          std::string("malformed request: ") + e.what());
    return bare;
  }
}

Result<Reply> ManagementAgent::Process(const proton::message& message,
                                       const broker::ConnectionInfo& requester) {
  auto request = ParseRequest(message);
  if (!request.ok()) return request.status();
  const Request& r = request.value();
  Result<Reply> reply = Dispatch(r, requester);
  if (reply.ok()) {
    QPIDD_LOG(kDebug, kManagement, r.operation << " " << r.type << " '" << r.name << "' from "
                                               << Who(requester) << ": " << reply.value().code);
  }
  return reply;
}

Result<Reply> ManagementAgent::Dispatch(const Request& request,
                                        const broker::ConnectionInfo& requester) {
  // Hooks that judge configuration changes see who asked (broker::RequestScope).
  broker::RequestScope scope(requester);
  const std::string& op = request.operation;
  if (op == kQuery || IsNodeOperation(op)) {
    auto types = TypesFor(request);
    if (!types.ok()) return types.status();
    return op == kQuery ? RunQuery(request, types.value())
                        : RunNodeOperation(request, types.value());
  }
  if (request.type.empty()) {
    return Status::InvalidArgument("missing application-property 'type' (one of " + TypeNames() +
                                   ")");
  }
  EntityType* type = FindType(request.type);
  if (type == nullptr) {
    return Status::NotFound("unknown type '" + request.type + "' (known types: " + TypeNames() +
                            ")");
  }
  if (!IsStandardOperation(op)) {
    bool known = false;
    for (const auto& t : types_) {
      for (const auto& o : t->Operations()) known = known || o == op;
    }
    if (!known) return Status::NotImplemented("unknown operation '" + op + "'");
  }
  return type->Handle(request, requester);
}

Result<std::vector<const EntityType*>> ManagementAgent::TypesFor(const Request& request) const {
  std::vector<const EntityType*> types;
  if (request.type.empty()) {
    for (const auto& t : types_) types.push_back(t.get());
    return types;
  }
  const EntityType* type = FindType(request.type);
  if (type == nullptr) {
    return Status::NotFound("unknown type '" + request.type + "' (known types: " + TypeNames() +
                            ")");
  }
  types.push_back(type);
  return types;
}

EntityType* ManagementAgent::FindType(std::string_view name) const {
  for (const auto& t : types_) {
    if (t->name() == name) return t.get();
  }
  return nullptr;
}

std::string ManagementAgent::TypeNames() const {
  std::string names;
  for (const auto& t : types_) names += (names.empty() ? "" : ", ") + std::string(t->name());
  return names;
}

}  // namespace qpidd::management
