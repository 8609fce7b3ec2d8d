#include "broker/connection_registry.h"

namespace qpidd::broker {

void ConnectionRegistry::Add(std::shared_ptr<ConnectionRecord> record) {
  std::lock_guard lock(mutex_);
  records_[record->info.id] = std::move(record);
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  records_.erase(id);
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

std::vector<ConnectionSnapshot> ConnectionRegistry::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<ConnectionSnapshot> out;
  out.reserve(records_.size());
  for (const auto& [id, r] : records_) {
    out.push_back({r->info, r->messages_in.load(), r->messages_out.load(), r->senders.load(),
                   r->receivers.load()});
  }
  return out;
}

}  // namespace qpidd::broker
