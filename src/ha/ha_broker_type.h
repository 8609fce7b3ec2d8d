// The management type `ha-broker` (doc/ha-protocol.md 12.1): one entity showing the module's
// state, with the operation PROMOTE that the cluster manager (through qpid-ha) calls.
#pragma once

#include <memory>

#include "ha/ha_module.h"
#include "management/entity_type.h"

namespace qpidd::ha {

class HaBrokerType : public management::EntityType {
 public:
  explicit HaBrokerType(std::shared_ptr<HaModule> module) : module_(std::move(module)) {}

  std::string_view name() const override;
  std::vector<std::string> AttributeNames() const override;
  std::vector<std::string> Operations() const override;
  std::vector<management::AttributeMap> List() const override;
  Result<management::Reply> Handle(const management::Request& request,
                                   const broker::ConnectionInfo& requester) override;

 private:
  management::AttributeMap Describe() const;

  std::shared_ptr<HaModule> module_;
};

}  // namespace qpidd::ha
