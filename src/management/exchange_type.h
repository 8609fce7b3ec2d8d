// The "exchange" entity: CREATE, READ and DELETE. The built-in amq.* exchanges can be read but
// not deleted, nor can an exchange some queue or exchange uses as its alternate.
#pragma once

#include <string>

#include <proton/value.hpp>

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

// The `alternate-exchange` attribute of queues and exchanges. On CREATE it is copied into
// `arguments` under the same key (the declare argument the broker reads); giving both is allowed
// only when they agree. The broker checks that the exchange exists.
Status MergeAlternateExchangeAttribute(const AttributeMap& attributes,
                                       broker::Arguments& arguments);

// As reported: the alternate exchange's name, or null when there is none.
proton::value AlternateExchangeValue(const std::string& name);

}  // namespace qpidd::management
