// The "connection" entity: AMQP connections as the broker's ConnectionRegistry sees them. Named
// by the broker's connection id (a decimal string). READ only: closing a connection from
// management is not implemented yet (501).
#pragma once

#include "broker/broker.h"
#include "management/entity_type.h"

namespace qpidd::management {

class ConnectionType : public EntityType {
 public:
  explicit ConnectionType(broker::Broker& broker) : broker_(broker) {}

  std::string_view name() const override;
  std::vector<std::string> AttributeNames() const override;
  std::vector<std::string> Operations() const override;
  std::vector<AttributeMap> List() const override;
  Result<Reply> Handle(const Request& request, const broker::ConnectionInfo& requester) override;

 private:
  broker::Broker& broker_;
};

AttributeMap DescribeConnection(const broker::ConnectionSnapshot& connection);

}  // namespace qpidd::management
