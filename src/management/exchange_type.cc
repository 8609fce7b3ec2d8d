#include "management/exchange_type.h"

#include <string_view>

#include "management/attributes.h"
#include "management/protocol.h"
#include "management/replicate_attribute.h"

namespace qpidd::management {
namespace {
constexpr std::string_view kAlternateExchange = "alternate-exchange";
}  // namespace

Status MergeAlternateExchangeAttribute(const AttributeMap& attributes,
                                       broker::Arguments& arguments) {
  std::string name;
  bool present = false;
  if (Status s = ReadString(attributes, kAlternateExchange, name, &present); !s.ok() || !present) {
    return s;
  }
  const std::string key(kAlternateExchange);
  auto it = arguments.find(key);
  if (it != arguments.end() && !broker::ValuesEqual(it->second, broker::Value{name})) {
    return Status::InvalidArgument("attribute 'alternate-exchange' is '" + name +
                                   "' but argument alternate-exchange is " +
                                   broker::ToString(it->second));
  }
  arguments[key] = name;
  return Status::Ok();
}

proton::value AlternateExchangeValue(const std::string& name) {
  return name.empty() ? proton::value() : proton::value(name);
}

AttributeMap DescribeExchange(const broker::Exchange& exchange) {
  const broker::ExchangeSettings& settings = exchange.settings();
  return AttributeMap{
      {"name", exchange.name()},
      {"identity", exchange.name()},
      {"type", std::string(kExchangeType)},
      {"exchange-type", std::string(exchange.type())},
      {"durable", settings.durable},
      {"auto-delete", settings.auto_delete},
      {"replicate", ReplicateAttributeValue(settings.replicate)},
      {"alternate-exchange", AlternateExchangeValue(settings.alternate_exchange)},
      {"arguments", ArgumentsToProton(settings.arguments)},
      {"builtin", exchange.builtin()},
      {"bindingCount", uint64_t{exchange.Bindings().size()}},
  };
}

std::string_view ExchangeType::name() const { return kExchangeType; }

std::vector<std::string> ExchangeType::AttributeNames() const {
  return {"name",      "identity",           "type",      "exchange-type",
          "durable",   "auto-delete",        "replicate", "alternate-exchange",
          "arguments", "builtin",            "bindingCount"};
}

std::vector<std::string> ExchangeType::Operations() const {
  return {std::string(kCreate), std::string(kRead), std::string(kDelete)};
}

std::vector<AttributeMap> ExchangeType::List() const {
  std::vector<AttributeMap> rows;
  for (const auto& exchange : broker_.Exchanges()) rows.push_back(DescribeExchange(*exchange));
  return rows;
}

Result<Reply> ExchangeType::Handle(const Request& request, const broker::ConnectionInfo&) {
  if (request.operation == kCreate) return Create(request);
  if (request.operation == kRead) return Read(request);
  if (request.operation == kDelete) return Delete(request);
  return Unsupported(request);
}

Result<Reply> ExchangeType::Create(const Request& request) {
  if (Status s = RequireName(request); !s.ok()) return s;
  const AttributeMap& a = request.attributes;
  if (Status s = CheckKnownAttributes(
          a,
          {"exchange-type", "durable", "auto-delete", "replicate", "alternate-exchange",
           "arguments"},
          kExchangeType, kCreate);
      !s.ok()) {
    return s;
  }
  std::string type;
  bool has_type = false;
  if (Status s = ReadString(a, "exchange-type", type, &has_type); !s.ok()) return s;
  if (!has_type) {
    return Status::InvalidArgument(
        "CREATE of an exchange needs attribute 'exchange-type' (direct, topic, fanout or "
        "headers)");
  }
  broker::ExchangeSettings settings;
  if (Status s = ReadBool(a, "durable", settings.durable); !s.ok()) return s;
  if (Status s = ReadBool(a, "auto-delete", settings.auto_delete); !s.ok()) return s;
  if (Status s = ReadArguments(a, "arguments", settings.arguments); !s.ok()) return s;
  if (Status s = MergeReplicateAttribute(a, settings.arguments); !s.ok()) return s;
  if (Status s = MergeAlternateExchangeAttribute(a, settings.arguments); !s.ok()) return s;

  bool created = false;
  auto exchange = broker_.CreateExchange(request.name, type, std::move(settings), &created);
  if (!exchange.ok()) return exchange.status();
  if (!created) return Status::AlreadyExists("exchange '" + request.name + "' already exists");
  return SuccessReply(kCreated, DescribeExchange(*exchange.value()));
}

Result<Reply> ExchangeType::Read(const Request& request) const {
  if (Status s = RequireName(request); !s.ok()) return s;
  if (Status s = CheckKnownAttributes(request.attributes, {}, kExchangeType, kRead); !s.ok()) {
    return s;
  }
  broker::ExchangePtr exchange = broker_.FindExchange(request.name);
  if (!exchange) return Status::NotFound("exchange '" + request.name + "' not found");
  return SuccessReply(kOk, DescribeExchange(*exchange));
}

Result<Reply> ExchangeType::Delete(const Request& request) {
  if (Status s = RequireName(request); !s.ok()) return s;
  const AttributeMap& a = request.attributes;
  if (Status s = CheckKnownAttributes(a, {"if-unused"}, kExchangeType, kDelete); !s.ok()) {
    return s;
  }
  bool if_unused = false;
  if (Status s = ReadBool(a, "if-unused", if_unused); !s.ok()) return s;
  broker::ExchangePtr exchange = broker_.FindExchange(request.name);
  if (!exchange) return Status::NotFound("exchange '" + request.name + "' not found");
  if (exchange->builtin()) {
    return Reply{kForbidden,
                 "exchange '" + request.name + "' is built in and cannot be deleted",
                 AttributeMapToProton({})};
  }
  if (size_t bound = exchange->Bindings().size(); if_unused && bound > 0) {
    return Status::Error(StatusCode::kPreconditionFailed,
                         "exchange '" + request.name + "' is in use (" + std::to_string(bound) +
                             " bindings) and if-unused was set");
  }
  if (Status s = broker_.DeleteExchange(request.name); !s.ok()) return s;
  return SuccessReply(kNoContent);
}

}  // namespace qpidd::management
