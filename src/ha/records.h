// Configuration records (doc/ha-protocol.md 6.2) made from the broker's objects.
#pragma once

#include "broker/exchange.h"
#include "broker/queue.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

ExchangeRecord MakeExchangeRecord(const broker::Exchange& exchange);
QueueRecord MakeQueueRecord(const broker::Queue& queue);
BindingRecord MakeBindingRecord(const broker::BindingInfo& binding);

}  // namespace qpidd::ha
