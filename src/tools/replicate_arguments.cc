#include "tools/replicate_arguments.h"

#include "common/url.h"

namespace qpidd::tools {
namespace {

// Why `word` is not a broker URL; "" when it is one.
std::string UrlProblem(const std::string& word) {
  auto parsed = ParseBrokerUrl(word);
  if (!parsed.ok()) return parsed.status().message();
  if (parsed.value().empty()) return "no address";
  return "";
}

}  // namespace

Result<ReplicateArguments> ResolveReplicateArguments(
    const std::string& first, const std::string& second,
    const std::function<bool(const std::string&)>& is_local_queue) {
  const bool first_is_queue = is_local_queue(first);
  const bool second_is_queue = is_local_queue(second);
  const std::string both = "'" + first + "' and '" + second + "'";
  if (!first_is_queue && !second_is_queue) {
    return Status::InvalidArgument("neither '" + first + "' nor '" + second +
                                   "' is a queue of this broker: replicate makes an existing "
                                   "local queue a replica (create it first)");
  }
  if (first_is_queue && second_is_queue) {
    const bool first_url = UrlProblem(first).empty();
    const bool second_url = UrlProblem(second).empty();
    if (first_url && second_url) {
      return Status::InvalidArgument("ambiguous: " + both +
                                     " are both queues of this broker and either could be the "
                                     "source URL");
    }
    if (!first_url && !second_url) {
      return Status::InvalidArgument("neither of " + both + " is a broker URL for the source");
    }
    return first_url ? ReplicateArguments{first, second} : ReplicateArguments{second, first};
  }
  const std::string& source = first_is_queue ? second : first;
  const std::string& queue = first_is_queue ? first : second;
  if (const std::string why = UrlProblem(source); !why.empty()) {
    return Status::InvalidArgument("bad source URL '" + source + "': " + why);
  }
  return ReplicateArguments{source, queue};
}

}  // namespace qpidd::tools
