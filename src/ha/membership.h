// The primary's view of the cluster (doc/ha-protocol.md 9 and 10): itself, each connected
// backup with its catch-up progress, and the expected backups a new primary waits for.
// Not thread-safe: the primary guards it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ha/ha_state.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

class Membership {
 public:
  Membership(std::string own_id, std::string own_address)
      : own_id_(std::move(own_id)), own_address_(std::move(own_address)) {}

  void SetOwnStatus(BrokerStatus status) { own_status_ = status; }
  void SetOwnAddress(std::string address) { own_address_ = std::move(address); }
  // Backups a new primary waits for: they were ready under the old primary.
  void SetExpected(const std::vector<MemberRecord>& expected);

  // A backup connected: catchup, unless it is expected and says it is ready.
  void Connected(const std::string& id, const std::string& address, BrokerStatus announced);
  void Gone(const std::string& id);
  // An expected backup that has not come back is given up.
  std::vector<std::string> GiveUpExpected();
  void SnapshotApplied(const std::string& id, std::set<std::string> queues);
  void QueueCaughtUp(const std::string& id, const std::string& queue);
  void QueueDeleted(const std::string& queue);

  bool ExpectedOutstanding() const;
  std::vector<MemberRecord> Records() const;
  std::vector<std::string> ExpectedIds() const;
  // Whether anything changed since the last call (membership must be sent again).
  bool TakeChanged();

 private:
  struct Backup {
    std::string address;
    BrokerStatus status = BrokerStatus::kCatchup;
    bool connected = false;
    bool expected = false;
    bool snapshot_applied = false;
    std::set<std::string> catching_up;  // level-all queues not yet caught up
    std::set<std::string> caught_up;    // reported before the snapshot was applied
  };
  void CheckReady(Backup& backup);

  const std::string own_id_;
  std::string own_address_;
  BrokerStatus own_status_ = BrokerStatus::kRecovering;
  std::map<std::string, Backup> backups_;
  bool changed_ = true;
};

}  // namespace qpidd::ha
