#include "broker/headers_exchange.h"

#include <algorithm>

namespace qpidd::broker {
namespace {

constexpr std::string_view kMatchArgument = "x-match";

bool PropertyMatches(const Message& message, const std::string& name, const Value& expected) {
  const Value* actual = message.ApplicationProperty(name);
  if (actual == nullptr) return false;
  return std::holds_alternative<std::monostate>(expected) || ValuesEqual(*actual, expected);
}

}  // namespace

bool HeadersMatcher::Matches(const Message& message, std::string_view /*routing_key*/) const {
  auto property_matches = [&](const std::pair<std::string, Value>& m) {
    return PropertyMatches(message, m.first, m.second);
  };
  // As in qpidd: `all` with nothing to match takes every message, `any` takes none.
  return match_any ? std::any_of(match.begin(), match.end(), property_matches)
                   : std::all_of(match.begin(), match.end(), property_matches);
}

Status HeadersExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  HeadersMatcher matcher;
  for (const auto& [arg, value] : args) {
    if (arg == kMatchArgument) {
      const auto* mode = std::get_if<std::string>(&value);
      if (mode != nullptr && *mode == "any") {
        matcher.match_any = true;
      } else if (mode == nullptr || *mode != "all") {
        return Status::InvalidArgument("cannot bind queue '" + queue->name() + "' to exchange '" +
                                       name() + "': invalid value " + ToString(value) +
                                       " for x-match: expected all or any");
      }
    } else if (!arg.starts_with("x-")) {
      matcher.match.emplace_back(arg, value);
    }
  }
  // A second bind of (queue, key) is a no-op even with other arguments, as Exchange::Bind
  // promises; qpidd 0-10 replaced the arguments instead.
  return AddBinding(queue, key, args, std::move(matcher));
}

}  // namespace qpidd::broker
