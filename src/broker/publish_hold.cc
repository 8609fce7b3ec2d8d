#include "broker/publish_hold.h"

namespace qpidd::broker {

PublishHold::~PublishHold() {
  if (on_settle_) on_settle_(status_);
}

void PublishHold::Fail(Status status) {
  std::lock_guard lock(mutex_);
  if (status_.ok()) status_ = std::move(status);
}

std::shared_ptr<PublishHold> PublishContext::Hold() {
  if (auto existing = weak_hold_.lock()) return existing;
  // A hold taken and already dropped has settled the publisher: a later one settles nothing.
  if (hold_taken_) return std::make_shared<PublishHold>(PublishHold::SettleFn());
  hold_taken_ = true;
  auto hold = std::make_shared<PublishHold>(target_ ? target_->MakeSettleFn(delivery_id_)
                                                    : PublishHold::SettleFn());
  weak_hold_ = hold;
  return hold;
}

}  // namespace qpidd::broker
