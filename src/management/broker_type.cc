#include "management/broker_type.h"

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::management {

std::string_view BrokerType::name() const { return kBrokerType; }

std::vector<std::string> BrokerType::AttributeNames() const {
  return {"name",       "identity",     "type",          "version",
          "queueCount", "exchangeCount", "bindingCount", "connectionCount"};
}

std::vector<std::string> BrokerType::Operations() const { return {std::string(kRead)}; }

std::string BrokerType::Identity() const {
  return broker_.config().id.empty() ? std::string(kBrokerType) : broker_.config().id;
}

AttributeMap BrokerType::Describe() const {
  std::string id = Identity();
  return AttributeMap{
      {"name", id},
      {"identity", id},
      {"type", std::string(kBrokerType)},
      {"version", std::string(broker::Broker::Version())},
      {"queueCount", uint64_t{broker_.Queues().size()}},
      {"exchangeCount", uint64_t{broker_.Exchanges().size()}},
      {"bindingCount", uint64_t{broker_.Bindings().size()}},
      {"connectionCount", uint64_t{broker_.connections().size()}},
  };
}

std::vector<AttributeMap> BrokerType::List() const { return {Describe()}; }

Result<Reply> BrokerType::Handle(const Request& request, const broker::ConnectionInfo&) {
  if (request.operation != kRead) return Unsupported(request);
  if (Status s = CheckKnownAttributes(request.attributes, {}, kBrokerType, kRead); !s.ok()) {
    return s;
  }
  if (request.has_name && request.name != Identity()) {
    return Status::NotFound("broker '" + request.name + "' not found: this broker is '" +
                            Identity() + "'");
  }
  return SuccessReply(kOk, Describe());
}

}  // namespace qpidd::management
