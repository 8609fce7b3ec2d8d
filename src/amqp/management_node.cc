#include "amqp/management_node.h"

#include <proton/message.hpp>

#include <vector>

#include "common/log.h"
#include "management/management_agent.h"

namespace qpidd::amqp {

Status ManagementNode::Handle(broker::Broker& broker, const broker::MessagePtr& request) {
  proton::message decoded;
  try {
    const std::string& bytes = request->bytes();
    decoded.decode(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("undecodable management request: ") + e.what());
  }
  const std::string reply_to = decoded.reply_to();
  if (reply_to.empty()) {
    return Status::InvalidArgument("management request has no reply-to address");
  }
  proton::message reply = agent_.Handle(decoded, requester_);
  reply.to(reply_to);
  std::vector<char> encoded;
  reply.encode(encoded);
  auto message = broker::Message::Decode(std::string(encoded.begin(), encoded.end()));
  if (!message.ok()) return Status::Internal("could not encode management reply: " + message.status().message());

  broker::Node node = broker.Resolve(reply_to);
  if (const auto* queue = std::get_if<broker::QueuePtr>(&node)) {
    return (*queue)->Enqueue(message.value(), nullptr);
  }
  if (const auto* exchange = std::get_if<broker::ExchangePtr>(&node)) {
    broker.Route(**exchange, message.value(), nullptr);
    return Status::Ok();
  }
  QPIDD_LOG(kInfo, kManagement, "management reply to '" << reply_to << "' dropped: no such node");
  return Status::NotFound("reply-to node '" + reply_to + "' not found");
}

}  // namespace qpidd::amqp
