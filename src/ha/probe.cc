#include "ha/probe.h"

#include <future>

#include "ha/link_options.h"
#include "ha/peer_properties.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

class ProbeHandler : public ClientHandler {
 public:
  ProbeHandler(std::string own_id, ProbeDone done)
      : own_id_(std::move(own_id)), done_(std::move(done)) {}

  void OnOpened(ClientConnection& c, const broker::Arguments& properties) override {
    auto status = ParseBrokerStatus(TextProperty(properties, kStatusProperty));
    const std::string id = TextProperty(properties, kBrokerIdProperty);
    if (status.ok() && id != own_id_) {
      Answer(PeerStatus{id + "@" + c.address(), status.value(), id,
                        static_cast<uint32_t>(NumberProperty(properties, kEpochProperty))});
    } else {
      Answer(std::nullopt);
    }
    c.Close();
  }
  void OnEvent(ClientConnection&, pn_event_t*) override {}
  void OnClosed(ClientConnection&, const std::string&, bool) override { Answer(std::nullopt); }

 private:
  void Answer(std::optional<PeerStatus> answer) {
    if (!done_) return;
    ProbeDone done = std::move(done_);
    done_ = nullptr;
    done(std::move(answer));
  }
  const std::string own_id_;
  ProbeDone done_;
};

}  // namespace

std::shared_ptr<ClientConnection> StartProbe(boost::asio::io_context& loop,
                                             const BrokerAddress& address,
                                             const HaSettings& settings,
                                             const std::string& own_broker_id,
                                             std::chrono::milliseconds timeout, ProbeDone done) {
  ClientConnectionOptions options =
      LinkOptions(address, settings, "qpidd-ha-probe-" + own_broker_id);
  options.open_properties[std::string(kAdminProperty)] = true;
  options.open_properties[std::string(kBrokerIdProperty)] = own_broker_id;
  options.connect_timeout = timeout;
  return ClientConnection::Start(loop, options,
                                 std::make_shared<ProbeHandler>(own_broker_id, std::move(done)));
}

std::vector<PeerStatus> ProbeMembers(boost::asio::io_context& loop,
                                     const std::vector<BrokerAddress>& addresses,
                                     const HaSettings& settings, const std::string& own_broker_id,
                                     std::chrono::milliseconds timeout) {
  std::vector<std::future<std::optional<PeerStatus>>> answers;
  std::vector<std::shared_ptr<ClientConnection>> connections;
  for (const auto& address : addresses) {
    auto promise = std::make_shared<std::promise<std::optional<PeerStatus>>>();
    answers.push_back(promise->get_future());
    connections.push_back(StartProbe(
        loop, address, settings, own_broker_id, timeout,
        [promise](std::optional<PeerStatus> answer) { promise->set_value(std::move(answer)); }));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<PeerStatus> statuses;
  for (auto& answer : answers) {
    if (answer.wait_until(deadline) != std::future_status::ready) continue;
    if (auto status = answer.get()) statuses.push_back(std::move(*status));
  }
  for (const auto& c : connections) c->Abort();
  return statuses;
}

}  // namespace qpidd::ha
