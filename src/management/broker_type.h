// The "broker" entity: the one broker this agent belongs to. READ (with or without a name; a
// name must be the broker's id) and QUERY.
#pragma once

#include "broker/broker.h"
#include "management/entity_type.h"

namespace qpidd::management {

class BrokerType : public EntityType {
 public:
  explicit BrokerType(broker::Broker& broker) : broker_(broker) {}

  std::string_view name() const override;
  std::vector<std::string> AttributeNames() const override;
  std::vector<std::string> Operations() const override;
  std::vector<AttributeMap> List() const override;
  Result<Reply> Handle(const Request& request, const broker::ConnectionInfo& requester) override;

 private:
  // The broker's id, or "broker" when it was configured without one.
  std::string Identity() const;
  AttributeMap Describe() const;

  broker::Broker& broker_;
};

}  // namespace qpidd::management
