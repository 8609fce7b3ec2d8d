// Waking a link from other threads without flooding its connection's loop: a burst of wake-ups
// (a message arrives on every publisher's thread) becomes one posted call.
#pragma once

#include <atomic>
#include <memory>

#include "amqp/connection.h"

namespace qpidd::amqp {

// Posts `(self->*run)()` to `connection`'s loop unless a post of it is still pending; the flag
// `self->*pending` is cleared just before `run` runs, so a wake-up during `run` posts again.
// Nothing is posted once the connection or `self` is gone.
template <typename T>
void PostCoalesced(const std::weak_ptr<Connection>& connection, const std::shared_ptr<T>& self,
                   std::atomic<bool> T::*pending, void (T::*run)()) {
  if (((*self).*pending).exchange(true)) return;
  auto owner = connection.lock();
  if (!owner) return;
  owner->Post([weak = std::weak_ptr<T>(self), pending, run] {
    if (auto target = weak.lock()) {
      ((*target).*pending).store(false);
      ((*target).*run)();
    }
  });
}

}  // namespace qpidd::amqp
