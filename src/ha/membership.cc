#include "ha/membership.h"

namespace qpidd::ha {

void Membership::SetExpected(const std::vector<MemberRecord>& expected) {
  for (const auto& m : expected) {
    if (m.broker_id == own_id_) continue;
    Backup& b = backups_[m.broker_id];
    b.address = m.address;
    b.status = BrokerStatus::kReady;
    b.expected = true;
  }
  changed_ = true;
}

void Membership::Connected(const std::string& id, const std::string& address,
                           BrokerStatus announced) {
  Backup& b = backups_[id];
  b.address = address;
  b.connected = true;
  b.snapshot_applied = false;
  b.catching_up.clear();
  b.caught_up.clear();
  // An expected backup that is still ready kept its guards since the promotion.
  b.status = b.expected && announced == BrokerStatus::kReady ? BrokerStatus::kReady
                                                              : BrokerStatus::kCatchup;
  if (b.status == BrokerStatus::kCatchup) b.expected = false;
  // Another broker id from an expected backup's address: it restarted empty.
  for (auto& [other_id, other] : backups_) {
    if (other_id != id && other.expected && !other.connected && other.address == address &&
        !address.empty()) {
      other.expected = false;
    }
  }
  std::erase_if(backups_, [](const auto& e) { return !e.second.connected && !e.second.expected; });
  changed_ = true;
}

void Membership::Gone(const std::string& id) {
  if (backups_.erase(id) > 0) changed_ = true;
}

std::vector<std::string> Membership::GiveUpExpected() {
  std::vector<std::string> given_up;
  for (auto it = backups_.begin(); it != backups_.end();) {
    if (it->second.expected && !it->second.connected) {
      given_up.push_back(it->first + "@" + it->second.address);
      it = backups_.erase(it);
      changed_ = true;
    } else {
      ++it;
    }
  }
  return given_up;
}

void Membership::SnapshotApplied(const std::string& id, std::set<std::string> queues) {
  auto it = backups_.find(id);
  if (it == backups_.end()) return;
  Backup& b = it->second;
  b.snapshot_applied = true;
  for (const auto& q : b.caught_up) queues.erase(q);
  b.catching_up = std::move(queues);
  b.caught_up.clear();
  CheckReady(b);
}

void Membership::QueueCaughtUp(const std::string& id, const std::string& queue) {
  auto it = backups_.find(id);
  if (it == backups_.end()) return;
  Backup& b = it->second;
  if (b.snapshot_applied) b.catching_up.erase(queue);
  else b.caught_up.insert(queue);
  CheckReady(b);
}

void Membership::QueueDeleted(const std::string& queue) {
  for (auto& [id, b] : backups_) {
    b.catching_up.erase(queue);
    CheckReady(b);
  }
}

void Membership::CheckReady(Backup& b) {
  if (!b.connected || !b.snapshot_applied || !b.catching_up.empty()) return;
  if (b.status != BrokerStatus::kReady || b.expected) {
    b.status = BrokerStatus::kReady;
    b.expected = false;  // back and caught up: no longer outstanding
    changed_ = true;
  }
}

bool Membership::ExpectedOutstanding() const {
  for (const auto& [id, b] : backups_) {
    if (b.expected) return true;
  }
  return false;
}

std::vector<std::string> Membership::ExpectedIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, b] : backups_) {
    if (b.expected) ids.push_back(id + "@" + b.address);
  }
  return ids;
}

std::vector<MemberRecord> Membership::Records() const {
  std::vector<MemberRecord> records;
  records.push_back({own_id_, own_address_, std::string(BrokerStatusName(own_status_))});
  for (const auto& [id, b] : backups_) {
    records.push_back({id, b.address, std::string(BrokerStatusName(b.status))});
  }
  return records;
}

bool Membership::TakeChanged() {
  const bool changed = changed_;
  changed_ = false;
  return changed;
}

}  // namespace qpidd::ha
