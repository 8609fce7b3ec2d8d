#include "broker/request_scope.h"

namespace qpidd::broker {
namespace {

thread_local const ConnectionInfo* current_requester = nullptr;

}  // namespace

RequestScope::RequestScope(const ConnectionInfo& requester) : outer_(current_requester) {
  current_requester = &requester;
}

RequestScope::~RequestScope() { current_requester = outer_; }

const ConnectionInfo* RequestScope::Current() { return current_requester; }

}  // namespace qpidd::broker
