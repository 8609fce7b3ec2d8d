// `qpid-ha replicate SOURCE QUEUE` takes its two words in either order, as the classic
// documentation shows both (doc/ha-protocol.md 17.5): the source is the word that is a broker
// URL and not the name of a queue of the local broker.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace qpidd::tools {

struct ReplicateArguments {
  std::string source;  // URL of the broker or cluster holding the original queue
  std::string queue;   // the local queue to make a replica
};

// Which of `first` and `second` is the source URL and which the local queue. `is_local_queue`
// says whether the local broker has a queue of that name. Refused (InvalidArgument), naming
// both words: neither is a local queue; both are local queues and either could be the URL.
// Refused naming the bad word and why: the only candidate for the URL does not parse.
Result<ReplicateArguments> ResolveReplicateArguments(
    const std::string& first, const std::string& second,
    const std::function<bool(const std::string&)>& is_local_queue);

}  // namespace qpidd::tools
