// How qpid-config shows the queues and exchanges management reports: attribute values as text,
// and each entity's configuration the classic way, as the options that would declare it.
#pragma once

#include <string>

#include "client/management_client.h"

namespace qpidd::tools {

// An attribute as text ("" when absent or null).
std::string Text(const client::AttributeMap& row, const std::string& name);
// True when the attribute is the boolean true.
bool Flag(const client::AttributeMap& row, const std::string& name);

// A queue's configuration as classic qpid-config lists it, e.g.
//   --durable auto-del excl --max-queue-count=10 --limit-policy=ring --lvq-key=k
//   --priorities=3 --alternate-exchange=dead --replicate=all --argument x-note=hi
// from its attributes (durable, auto-delete, exclusive, alternate-exchange, replicate) and its
// declare arguments: those with an option of their own are shown as that option, the others as
// --argument NAME=VALUE.
std::string QueueAttributes(const client::AttributeMap& queue);

// An exchange's, the same way: --durable auto-del --alternate-exchange=dead --replicate=all ...
std::string ExchangeAttributes(const client::AttributeMap& exchange);

}  // namespace qpidd::tools
