// What the primary's replication links (one configuration sender and one queue sender per queue
// for each backup) need from the primary that owns them. Any thread.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "broker/queue.h"
#include "ha/queue_guard.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

class ReplicationHub {
 public:
  virtual ~ReplicationHub() = default;
  // The guard of a level-all queue; null when the queue is not (or no longer) replicated.
  virtual std::shared_ptr<QueueGuard> GuardFor(const broker::Queue& queue) = 0;
  // The snapshot-begin this primary sends now (identity, epoch, history, members).
  virtual ConfigEvent SnapshotBegin() = 0;
  // `backup` applied the snapshot; `queues` are the level-all queues it listed.
  virtual void OnSnapshotApplied(const std::string& backup, std::set<std::string> queues) = 0;
  // `backup` holds everything of `queue` up to the tail it was told at attach.
  virtual void OnQueueCaughtUp(const std::string& backup, const std::string& queue) = 0;
  // `backup`'s configuration link `link` is gone: its connection closed or failed.
  virtual void OnBackupGone(const std::string& backup, const void* link) = 0;
};

}  // namespace qpidd::ha
