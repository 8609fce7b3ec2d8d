// A backup's replication connection to the primary (doc/ha-protocol.md 5-7, backup side): the
// configuration link, applied to the broker as it comes, and one queue link per level-all
// replica, whose transfers and dequeues are applied to the replica. Also used for the connection
// attempts of a round: an attempt that finds no primary (or itself) closes.
//
// Runs on the HA loop only.
#pragma once

#include <proton/link.h>
#include <proton/session.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "broker/broker.h"
#include "ha/client_connection.h"
#include "ha/ha_options.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

// What a session tells the backup that started it. On the HA loop.
class BackupSessionOwner {
 public:
  virtual ~BackupSessionOwner() = default;
  // The peer's open: returns true to keep this connection as the replication connection.
  virtual bool OnPeerOpened(ClientConnection& connection, const broker::Arguments& properties) = 0;
  virtual void OnSnapshotBegin(const ConfigEvent& event) = 0;
  virtual void OnMembers(const std::vector<MemberRecord>& members) = 0;
  // How many of the replicas' queue links have not yet said `caught-up`.
  virtual void OnCatchupQueues(size_t count) = 0;
  // The connection ended (an attempt that was not kept, or the replication connection).
  virtual void OnSessionClosed(ClientConnection& connection, const std::string& error,
                               bool peer_closed) = 0;
};

class BackupSession : public ClientHandler {
 public:
  BackupSession(broker::Broker& broker, const HaSettings& settings, BackupSessionOwner& owner);

  // ClientHandler
  void OnOpened(ClientConnection& c, const broker::Arguments& peer_properties) override;
  void OnEvent(ClientConnection& c, pn_event_t* event) override;
  void OnClosed(ClientConnection& c, const std::string& error, bool peer_closed) override;

 private:
  struct QueueLink {
    std::string queue;
    broker::QueuePtr replica;
    size_t largest = 0;  // largest message seen, for the ha-flow-bytes window
    bool caught_up = false;
  };
  void ReportCatchup();
  void OnDelivery(ClientConnection& c, pn_delivery_t* delivery);
  Status ApplyConfig(ClientConnection& c, const std::string& bytes);
  Status Apply(ClientConnection& c, const ConfigEvent& event);
  Status ApplyExchange(const ExchangeRecord& record);
  Status ApplyQueue(ClientConnection& c, const QueueRecord& record);
  Status ApplyBinding(const BindingRecord& record);
  void DeleteUnlisted();
  void AttachQueueLink(ClientConnection& c, const broker::QueuePtr& replica);
  Status ApplyQueueMessage(QueueLink& link, pn_delivery_t* delivery, const std::string& bytes);
  void Fail(ClientConnection& c, const std::string& why);
  // Credit window of a link: ha-flow-messages; on a queue link with ha-flow-bytes, also no more
  // messages than that many bytes hold (at least one).
  // `largest_message` nullopt: the configuration link.
  uint32_t Window(std::optional<size_t> largest_message) const;
  void TopUp(pn_link_t* link, std::optional<size_t> largest_message);

  broker::Broker& broker_;
  const HaSettings& settings_;
  BackupSessionOwner& owner_;
  bool primary_ = false;
  pn_session_t* config_session_ = nullptr;
  // Queue links, at most kLinksPerQueueSession per session: Proton finds the link an incoming
  // attach names by walking its session's links, so one session of 100,000 links would make
  // every attach (on both sides) cost 100,000 name comparisons.
  std::vector<pn_session_t*> queue_sessions_;
  size_t links_on_last_session_ = 0;
  pn_link_t* config_link_ = nullptr;
  uint64_t last_seq_ = 0;
  bool in_snapshot_ = false;
  std::set<std::string> listed_queues_;     // by the snapshot (uuid)
  std::set<std::string> listed_exchanges_;  // by the snapshot (uuid)
  std::set<std::tuple<std::string, std::string, std::string>> listed_bindings_;  // (x, q, key)
  std::map<pn_link_t*, QueueLink> queue_links_;
  size_t links_catching_up_ = 0;  // entries of queue_links_ not yet caught up (a count, so
                                  // reporting it stays cheap with 100,000 queues)
  std::map<std::string, pn_link_t*> links_by_queue_;
};

}  // namespace qpidd::ha
