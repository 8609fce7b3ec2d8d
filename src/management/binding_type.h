// The "binding" entity. A binding has no name of its own: requests name it by the attributes
// `exchange`, `queue` and `key` (the key defaults to ""). Its reported name
// "exchange/queue/key" is for display only.
#pragma once

#include "broker/broker.h"
#include "management/entity_type.h"

namespace qpidd::management {

class BindingType : public EntityType {
 public:
  explicit BindingType(broker::Broker& broker) : broker_(broker) {}

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

AttributeMap DescribeBinding(const broker::BindingInfo& binding);

}  // namespace qpidd::management
