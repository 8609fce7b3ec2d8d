// The "queue" entity: CREATE, READ, DELETE and PURGE, with the queue's statistics as attributes.
#pragma once

#include "broker/broker.h"
#include "management/entity_type.h"

namespace qpidd::management {

class QueueType : public EntityType {
 public:
  explicit QueueType(broker::Broker& broker) : broker_(broker) {}

  std::string_view name() const override;
  std::vector<std::string> AttributeNames() const override;
  std::vector<std::string> Operations() const override;
  std::vector<AttributeMap> List() const override;
  Result<Reply> Handle(const Request& request, const broker::ConnectionInfo& requester) override;

 private:
  Result<Reply> Create(const Request& request);
  Result<Reply> Read(const Request& request) const;
  Result<Reply> Delete(const Request& request);
  Result<Reply> Purge(const Request& request);
  Result<broker::QueuePtr> Find(const std::string& name) const;

  broker::Broker& broker_;
};

// A queue's attributes as management reports them; `binding_count` is counted by the caller
// (once for all queues when listing).
AttributeMap DescribeQueue(const broker::Queue& queue, uint64_t binding_count);

}  // namespace qpidd::management
