#include "management/binding_type.h"

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::management {
namespace {

struct BindingKey {
  std::string exchange;
  std::string queue;
  std::string key;
};

// Reads exchange, queue and key; exchange and queue are required.
Result<BindingKey> ReadKey(const Request& request) {
  const AttributeMap& a = request.attributes;
  BindingKey k;
  bool has_exchange = false, has_queue = false;
  if (Status s = ReadString(a, "exchange", k.exchange, &has_exchange); !s.ok()) return s;
  if (Status s = ReadString(a, "queue", k.queue, &has_queue); !s.ok()) return s;
  if (Status s = ReadString(a, "key", k.key); !s.ok()) return s;
  if (!has_exchange || !has_queue) {
    return Status::InvalidArgument(
        request.operation + " of a binding needs attribute '" +
        (has_exchange ? "queue" : "exchange") +
        "': a binding is named by its exchange, queue and key" +
        (request.has_name ? ", not by name" : ""));
  }
  return k;
}

std::string Describe(const BindingKey& k) {
  return "binding of queue '" + k.queue + "' to exchange '" + k.exchange + "' with key '" +
         k.key + "'";
}

}  // namespace

AttributeMap DescribeBinding(const broker::BindingInfo& binding) {
  std::string name = binding.exchange + "/" + binding.queue + "/" + binding.key;
  return AttributeMap{
      {"name", name},
      {"identity", name},
      {"type", std::string(kBindingType)},
      {"exchange", binding.exchange},
      {"queue", binding.queue},
      {"key", binding.key},
      {"arguments", ArgumentsToProton(binding.arguments)},
  };
}

std::string_view BindingType::name() const { return kBindingType; }

std::vector<std::string> BindingType::AttributeNames() const {
  return {"name", "identity", "type", "exchange", "queue", "key", "arguments"};
}

std::vector<std::string> BindingType::Operations() const {
  return {std::string(kCreate), std::string(kRead), std::string(kDelete)};
}

std::vector<AttributeMap> BindingType::List() const {
  std::vector<AttributeMap> rows;
  for (const auto& binding : broker_.Bindings()) rows.push_back(DescribeBinding(binding));
  return rows;
}

Result<Reply> BindingType::Handle(const Request& request, const broker::ConnectionInfo&) {
  if (request.operation == kCreate) return Create(request);
  if (request.operation == kRead) return Read(request);
  if (request.operation == kDelete) return Delete(request);
  return Unsupported(request);
}

Result<Reply> BindingType::Create(const Request& request) {
  if (Status s = CheckKnownAttributes(request.attributes,
                                      {"exchange", "queue", "key", "arguments"}, kBindingType,
                                      kCreate);
      !s.ok()) {
    return s;
  }
  auto key = ReadKey(request);
  if (!key.ok()) return key.status();
  broker::BindingInfo binding{key.value().exchange, key.value().queue, key.value().key, {}};
  if (Status s = ReadArguments(request.attributes, "arguments", binding.arguments); !s.ok()) {
    return s;
  }
  // Named here so the 404 says which of the two is missing.
  if (!broker_.FindExchange(binding.exchange)) {
    return Status::NotFound("exchange '" + binding.exchange + "' not found");
  }
  if (!broker_.FindQueue(binding.queue)) {
    return Status::NotFound("queue '" + binding.queue + "' not found");
  }
  if (Status s = broker_.Bind(binding.exchange, binding.queue, binding.key, binding.arguments);
      !s.ok()) {
    return s;
  }
  return SuccessReply(kCreated, DescribeBinding(binding));
}

Result<Reply> BindingType::Read(const Request& request) const {
  if (Status s = CheckKnownAttributes(request.attributes, {"exchange", "queue", "key"},
                                      kBindingType, kRead);
      !s.ok()) {
    return s;
  }
  auto key = ReadKey(request);
  if (!key.ok()) return key.status();
  const BindingKey& k = key.value();
  for (const auto& binding : broker_.Bindings()) {
    if (binding.exchange == k.exchange && binding.queue == k.queue && binding.key == k.key) {
      return SuccessReply(kOk, DescribeBinding(binding));
    }
  }
  return Status::NotFound(Describe(k) + " not found");
}

Result<Reply> BindingType::Delete(const Request& request) {
  if (Status s = CheckKnownAttributes(request.attributes, {"exchange", "queue", "key"},
                                      kBindingType, kDelete);
      !s.ok()) {
    return s;
  }
  auto key = ReadKey(request);
  if (!key.ok()) return key.status();
  const BindingKey& k = key.value();
  if (!broker_.FindExchange(k.exchange)) {
    return Status::NotFound("exchange '" + k.exchange + "' not found");
  }
  if (Status s = broker_.Unbind(k.exchange, k.queue, k.key); !s.ok()) {
    if (s.code() == StatusCode::kNotFound) return Status::NotFound(Describe(k) + " not found");
    return s;
  }
  return SuccessReply(kNoContent);
}

}  // namespace qpidd::management
