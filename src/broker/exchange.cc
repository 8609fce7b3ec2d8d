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
  const Arguments& arguments = settings.arguments;
  if (auto it = arguments.find("qpid.replicate"); it != arguments.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    auto level = ParseReplicationLevel(text ? *text : ToString(it->second));
    if (!level.ok()) return Status::InvalidArgument("qpid.replicate: " + level.status().message());
    settings.replicate = level.value();
  }
  if (auto it = arguments.find("alternate-exchange"); it != arguments.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    if (text == nullptr || text->empty()) {
      return Status::InvalidArgument("invalid value " + ToString(it->second) +
                                     " for alternate-exchange: expected an exchange name");
    }
    settings.alternate_exchange = *text;
  }
  return Status::Ok();
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
