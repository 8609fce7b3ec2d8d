// Who asked for the configuration change being made on this thread, for the hooks that judge
// it (ConfigurationObserver::Prepare*): management requests run inside a RequestScope naming the
// requesting connection; changes made by the broker itself (auto-delete, a module's own work)
// run outside any, and Current() is null for them.
#pragma once

#include "broker/broker_observer.h"

namespace qpidd::broker {

class RequestScope {
 public:
  explicit RequestScope(const ConnectionInfo& requester);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  // The requester of the innermost scope open on this thread; null when none.
  static const ConnectionInfo* Current();

 private:
  const ConnectionInfo* outer_;
};

}  // namespace qpidd::broker
