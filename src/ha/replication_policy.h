// What the primary replicates (doc/ha-protocol.md 6.4): the level of each queue, exchange and
// binding, decided once when the object is made and written into its arguments, so every
// member agrees on it for the object's life.
#pragma once

#include <string>
#include <string_view>

#include "broker/exchange.h"
#include "broker/queue_settings.h"
#include "common/status.h"

namespace qpidd::ha {

// Arguments the module writes on replicated objects. A client may give qpid.replicate, never
// qpid.ha-uuid.
inline constexpr const char* kReplicateArgument = "qpid.replicate";
inline constexpr const char* kUuidArgument = "qpid.ha-uuid";

// The level of a queue about to be made with these settings (its arguments not yet applied):
// qpid.replicate if given, else none for a temporary queue (exclusive and auto-delete with no
// qpid.auto_delete_timeout: dynamic nodes, private subscription queues), else `default_level`.
// A bad qpid.replicate is an error naming it.
Result<broker::ReplicationLevel> QueueLevel(const broker::QueueSettings& settings,
                                            broker::ReplicationLevel default_level);
// For an exchange: qpid.replicate if given, else `default_level`; `all` means `configuration`.
Result<broker::ReplicationLevel> ExchangeLevel(const broker::Arguments& arguments,
                                               broker::ReplicationLevel default_level);

// The level an existing queue or exchange was given (its qpid.replicate argument; none when
// absent). Built-in exchanges are never replicated.
broker::ReplicationLevel LevelOf(const broker::Queue& queue);
broker::ReplicationLevel LevelOf(const broker::Exchange& exchange);
// The object's qpid.ha-uuid, empty when it has none.
std::string UuidOf(const broker::Arguments& arguments);

// Whether a binding is replicated, given the levels of its two ends.
bool BindingReplicated(const broker::BindingInfo& binding, broker::ReplicationLevel exchange_level,
                       broker::ReplicationLevel queue_level);

// Prepares the arguments of a queue or exchange the primary is about to make at `level`:
// qpid.replicate and a fresh qpid.ha-uuid. Refuses an alternate exchange that is neither
// replicated nor built in (`alternate_level` none), and a client-given qpid.ha-uuid.
Status CheckReservedArguments(std::string_view kind, const std::string& name,
                              const broker::Arguments& arguments);
Status CheckAlternate(std::string_view kind, const std::string& name, const std::string& alternate,
                      const broker::ExchangePtr& alternate_exchange);
void MarkReplicated(broker::Arguments& arguments, broker::ReplicationLevel level);

}  // namespace qpidd::ha
