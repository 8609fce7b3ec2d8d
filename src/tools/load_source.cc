#include "tools/load_source.h"

namespace qpidd::tools {

std::string_view RepeatedSource::Next(uint64_t sequence, int64_t now_nanos) {
  ++produced_;
  return message_.Stamp(sequence, now_nanos);
}

bool LineSource::HasNext() {
  if (ahead_) return true;
  if (!error_.ok() || (limit_ != 0 && produced_ >= limit_)) return false;
  std::string line;
  if (!std::getline(input_, line)) return false;
  Result<MessageTemplate> encoded = encoder_.Encode(line);
  if (!encoded.ok()) {
    error_ = encoded.status();
    return false;
  }
  ahead_.emplace(std::move(encoded).value());
  return true;
}

std::string_view LineSource::Next(uint64_t sequence, int64_t now_nanos) {
  auto [entry, inserted] = unsettled_.insert_or_assign(sequence, std::move(*ahead_));
  ahead_.reset();
  ++produced_;
  return entry->second.Stamp(sequence, now_nanos);
}

std::string_view LineSource::Resend(uint64_t sequence, int64_t sent_nanos) {
  return unsettled_.at(sequence).Stamp(sequence, sent_nanos);
}

}  // namespace qpidd::tools
