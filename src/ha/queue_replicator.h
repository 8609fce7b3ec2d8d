// One stand-alone replica (doc/ha-protocol.md 17.4): keeps a local queue, in replica mode, a copy
// of a queue of another broker or cluster, over the cluster's queue link (section 7). While it
// has no link it starts a round every link-maintenance-interval: one connection to every address
// of the source URL at once (a cluster's backups drop it; its primary answers), the first that
// opens is kept and the others closed. It attaches `$ha.queue:<name>` with the ids it holds and
// the identity of the source queue it copied, so a reconnection sends only what it lacks, across
// a cluster's failovers too.
//
// Runs on the HA loop; View() from any thread.
#pragma once

#include <proton/event.h>
#include <proton/link.h>
#include <proton/session.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/queue.h"
#include "common/url.h"
#include "ha/client_connection.h"
#include "ha/ha_options.h"

namespace qpidd::ha {

// What management shows of a replica (`replicas` of ha-broker, qpid-ha replicas).
struct ReplicaView {
  std::string queue;
  std::string source;      // the source URL as given
  std::string status;      // connecting, catchup, replicating, stopped
  std::string connected;   // host:port of the source broker while the link is attached, else ""
  uint64_t messages = 0;   // what the replica holds now
  uint64_t received = 0;   // messages transferred from the source since replication started
  std::string last_error;  // why the last connection or link failed; "" when none yet
};

class QueueReplicator : public std::enable_shared_from_this<QueueReplicator> {
 public:
  QueueReplicator(boost::asio::io_context& loop, const HaSettings& settings, std::string broker_id,
                  std::string source_url, std::vector<BrokerAddress> source,
                  broker::QueuePtr replica);

  // Starts the first round. HA loop.
  void Start();
  // Closes the connection and stops for good; the replica's mode is the caller's. HA loop.
  void Stop();
  const broker::QueuePtr& replica() const { return replica_; }
  const std::string& source_url() const { return source_url_; }
  ReplicaView View() const;

  // From its connections (HA loop).
  void OnOpened(ClientConnection& c);
  void OnEvent(ClientConnection& c, pn_event_t* event);
  void OnClosed(ClientConnection& c, const std::string& error);

 private:
  void StartRound();
  void ScheduleRound();
  void AttachLink(ClientConnection& c);
  void OnLinkOpened(ClientConnection& c);
  void OnLinkClosed(ClientConnection& c);
  void OnDelivery(ClientConnection& c, pn_delivery_t* delivery);
  // Records why and closes the connection; a new round follows.
  void Fail(ClientConnection& c, const std::string& why);
  // Empties the replica: it copies a queue other than the one it holds ids of.
  void DropAll(const std::string& why);
  void SetState(const std::string& status, const std::string& connected);
  // Records the error; true when it differs from the last one (worth a warning).
  bool SetError(const std::string& error);

  boost::asio::io_context& loop_;
  const HaSettings settings_;
  const std::string broker_id_;
  const std::string source_url_;
  const std::vector<BrokerAddress> source_;
  const broker::QueuePtr replica_;
  boost::asio::steady_timer round_timer_;

  // HA loop only.
  std::vector<std::shared_ptr<ClientConnection>> attempts_;  // the current round's
  std::map<std::string, std::string> round_errors_;          // address -> why it failed
  std::shared_ptr<ClientConnection> connection_;             // kept: to the source broker
  pn_session_t* session_ = nullptr;                          // on connection_
  pn_link_t* link_ = nullptr;                                // on session_
  std::string identity_;  // the source queue's identity, once an attach told it
  size_t largest_ = 0;    // largest message seen, for the ha-flow-bytes window
  bool stopped_ = false;

  mutable std::mutex mutex_;
  // State below is protected by mutex_ (written on the HA loop, read by View()).
  std::string status_ = "connecting";
  std::string connected_;
  std::string last_error_;
  uint64_t received_ = 0;
};

}  // namespace qpidd::ha
