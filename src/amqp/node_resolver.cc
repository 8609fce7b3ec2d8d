#include "amqp/node_resolver.h"

#include "amqp/terminus.h"
#include "common/log.h"

namespace qpidd::amqp {

Result<ResolvedNode> ResolveNode(broker::Broker& broker, pn_terminus_t* remote_terminus,
                                 pn_terminus_t* local_terminus) {
  ResolvedNode resolved;
  if (pn_terminus_is_dynamic(remote_terminus)) {
    const std::string name = broker.NewTemporaryName("amq.dynamic.");
    broker::QueueSettings settings;
    settings.auto_delete = true;
    settings.exclusive = true;
    auto queue = broker.CreateQueue(name, std::move(settings), nullptr);
    if (!queue.ok()) return queue.status();
    pn_terminus_set_address(local_terminus, name.c_str());
    pn_terminus_set_dynamic(local_terminus, false);
    resolved.node = queue.value();
    resolved.temporary_queue = name;
    return resolved;
  }

  const std::string address = TerminusAddress(remote_terminus);
  resolved.node = broker.Resolve(address);
  if (!std::holds_alternative<std::monostate>(resolved.node)) return resolved;

  if (!HasCapability(remote_terminus, "create-on-demand")) {
    return Status::NotFound("node '" + address + "' not found (attach with the capability "
                            "create-on-demand to create it)");
  }
  if (HasCapability(remote_terminus, "topic")) {
    auto exchange = broker.CreateExchange(address, "topic", {}, nullptr);
    if (!exchange.ok()) return exchange.status();
    resolved.node = exchange.value();
  } else {
    broker::QueueSettings settings;
    settings.durable = pn_terminus_get_durability(remote_terminus) != PN_NONDURABLE;
    auto queue = broker.CreateQueue(address, std::move(settings), nullptr);
    if (!queue.ok()) return queue.status();
    resolved.node = queue.value();
  }
  return resolved;
}

}  // namespace qpidd::amqp
