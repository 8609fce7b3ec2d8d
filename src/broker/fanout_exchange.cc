#include "broker/fanout_exchange.h"

namespace qpidd::broker {

Status FanoutExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  return AddBinding(queue, key, args, FanoutMatcher{});
}

}  // namespace qpidd::broker
