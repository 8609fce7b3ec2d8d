#include "broker/queue_grouped_exchange.h"

#include <tuple>

namespace qpidd::broker {

Status NotBound(const std::string& exchange, const std::string& queue, const std::string& key) {
  return Status::NotFound("queue '" + queue + "' is not bound to exchange '" + exchange +
                          "' with key '" + key + "'");
}

void SortBindings(std::vector<BindingInfo>& bindings) {
  std::sort(bindings.begin(), bindings.end(), [](const BindingInfo& a, const BindingInfo& b) {
    return std::tie(a.queue, a.key) < std::tie(b.queue, b.key);
  });
}

}  // namespace qpidd::broker
