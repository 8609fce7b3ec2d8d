#include "ha/probe.h"

#include <future>
#include <memory>

#include "ha/client_connection.h"
#include "ha/peer_properties.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

class ProbeHandler : public ClientHandler {
 public:
  ProbeHandler(std::string own_id, std::promise<std::optional<PeerStatus>> result)
      : own_id_(std::move(own_id)), result_(std::move(result)) {}

  void OnOpened(ClientConnection& c, const broker::Arguments& properties) override {
    auto status = ParseBrokerStatus(TextProperty(properties, kStatusProperty));
    if (status.ok() && TextProperty(properties, kBrokerIdProperty) != own_id_) {
      Answer(PeerStatus{TextProperty(properties, kBrokerIdProperty) + "@" + c.address(),
                        status.value()});
    } else {
      Answer(std::nullopt);
    }
    c.Close();
  }
  void OnEvent(ClientConnection&, pn_event_t*) override {}
  void OnClosed(ClientConnection&, const std::string&, bool) override { Answer(std::nullopt); }

 private:
  void Answer(std::optional<PeerStatus> answer) {
    if (answered_) return;
    answered_ = true;
    result_.set_value(std::move(answer));
  }
  const std::string own_id_;
  std::promise<std::optional<PeerStatus>> result_;
  bool answered_ = false;
};

}  // namespace

std::vector<PeerStatus> ProbeMembers(boost::asio::io_context& loop,
                                     const std::vector<BrokerAddress>& addresses,
                                     const HaSettings& settings, const std::string& own_broker_id,
                                     std::chrono::milliseconds timeout) {
  std::vector<std::future<std::optional<PeerStatus>>> answers;
  std::vector<std::shared_ptr<ClientConnection>> connections;
  for (const auto& address : addresses) {
    std::promise<std::optional<PeerStatus>> promise;
    answers.push_back(promise.get_future());
    ClientConnectionOptions options;
    options.host = address.host;
    options.port = address.port;
    options.user = address.user.empty() ? settings.username : address.user;
    options.password = address.user.empty() ? settings.password : address.password;
    options.mechanism = settings.mechanism;
    options.container_id = "qpidd-ha-probe-" + own_broker_id;
    options.open_properties[std::string(kAdminProperty)] = true;
    options.open_properties[std::string(kBrokerIdProperty)] = own_broker_id;
    options.connect_timeout = timeout;
    connections.push_back(ClientConnection::Start(
        loop, options, std::make_shared<ProbeHandler>(own_broker_id, std::move(promise))));
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
