#include "ha/records.h"

#include "ha/replication_policy.h"

namespace qpidd::ha {

ExchangeRecord MakeExchangeRecord(const broker::Exchange& exchange) {
  const auto& settings = exchange.settings();
  return ExchangeRecord{.name = exchange.name(),
                        .ha_uuid = UuidOf(settings.arguments),
                        .type = std::string(exchange.type()),
                        .durable = settings.durable,
                        .auto_delete = settings.auto_delete,
                        .arguments = settings.arguments};
}

QueueRecord MakeQueueRecord(const broker::Queue& queue) {
  const auto& settings = queue.settings();
  return QueueRecord{.name = queue.name(),
                     .ha_uuid = UuidOf(settings.arguments),
                     .durable = settings.durable,
                     .auto_delete = settings.auto_delete,
                     .exclusive = settings.exclusive,
                     .used = queue.used(),
                     .arguments = settings.arguments};
}

BindingRecord MakeBindingRecord(const broker::BindingInfo& binding) {
  return BindingRecord{.exchange = binding.exchange,
                       .queue = binding.queue,
                       .key = binding.key,
                       .arguments = binding.arguments};
}

}  // namespace qpidd::ha
