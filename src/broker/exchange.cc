#include "broker/exchange.h"

#include "broker/direct_exchange.h"
#include "broker/fanout_exchange.h"
#include "broker/headers_exchange.h"
#include "broker/topic_exchange.h"

namespace qpidd::broker {
namespace {

template <typename T>
ExchangePtr Make(std::string name, ExchangeSettings settings, bool builtin) {
  return std::make_shared<T>(std::move(name), std::move(settings), builtin);
}

}  // namespace

Status ApplyExchangeArguments(ExchangeSettings& settings) {
  if (Status s = ReadReplicateArgument(settings.arguments, settings.replicate); !s.ok()) return s;
  return ReadAlternateExchangeArgument(settings.arguments, settings.alternate_exchange);
}

Result<ExchangePtr> MakeExchange(std::string_view type, std::string name, ExchangeSettings settings,
                                 bool builtin) {
  if (type == "direct") return Make<DirectExchange>(std::move(name), std::move(settings), builtin);
  if (type == "topic") return Make<TopicExchange>(std::move(name), std::move(settings), builtin);
  if (type == "fanout") return Make<FanoutExchange>(std::move(name), std::move(settings), builtin);
  if (type == "headers") {
    return Make<HeadersExchange>(std::move(name), std::move(settings), builtin);
  }
  return Status::InvalidArgument("cannot create exchange '" + name + "': unknown type '" +
                                 std::string(type) +
                                 "', expected direct, topic, fanout or headers");
}

}  // namespace qpidd::broker
