// The "exchange" entity: CREATE, READ and DELETE. The built-in amq.* exchanges can be read but
// not deleted.
#pragma once

#include "broker/broker.h"
#include "management/entity_type.h"

namespace qpidd::management {

class ExchangeType : public EntityType {
 public:
  explicit ExchangeType(broker::Broker& broker) : broker_(broker) {}

  std::string_view name() const override;
  std::vector<std::string> AttributeNames() const override;
  std::vector<std::string> Operations() const override;
  std::vector<AttributeMap> List() const override;
  Result<Reply> Handle(const Request& request, const broker::ConnectionInfo& requester) override;

 private:
  Result<Reply> Create(const Request& request);
  Result<Reply> Read(const Request& request) const;
  Result<Reply> Delete(const Request& request);

  broker::Broker& broker_;
};

AttributeMap DescribeExchange(const broker::Exchange& exchange);

}  // namespace qpidd::management
