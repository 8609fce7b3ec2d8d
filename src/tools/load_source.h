// Where qpid-send's messages come from: one body repeated (--content-string/--content-size,
// encoded once) or one body per line of a stream (--content-stdin, encoded per line).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "tools/load_message.h"

namespace qpidd::tools {

class MessageSource {
 public:
  virtual ~MessageSource() = default;
  virtual bool HasNext() = 0;
  // The next message stamped with SEQUENCE and NOW_NANOS; valid until the next call. Only after
  // HasNext() returned true.
  virtual std::string_view Next(uint64_t sequence, int64_t now_nanos) = 0;
  // Set when the source stopped early (a body that could not be encoded).
  virtual const Status& error() const = 0;
  // The message SEQUENCE again, exactly as first sent (its stamp included), for a resend after
  // a reconnection; only between its Next() and its Settled().
  virtual std::string_view Resend(uint64_t sequence, int64_t sent_nanos) = 0;
  // The broker settled SEQUENCE: it will not be resent.
  virtual void Settled(uint64_t sequence) = 0;
};

// LIMIT copies of one template; LIMIT 0 = no end.
class RepeatedSource : public MessageSource {
 public:
  RepeatedSource(MessageTemplate message, uint64_t limit)
      : message_(std::move(message)), limit_(limit) {}
  bool HasNext() override { return limit_ == 0 || produced_ < limit_; }
  std::string_view Next(uint64_t sequence, int64_t now_nanos) override;
  const Status& error() const override { return error_; }
  std::string_view Resend(uint64_t sequence, int64_t sent_nanos) override {
    return message_.Stamp(sequence, sent_nanos);
  }
  void Settled(uint64_t) override {}

 private:
  MessageTemplate message_;
  uint64_t limit_;
  uint64_t produced_ = 0;
  Status error_;
};

// One message per line of INPUT (without its newline) until end of input, or LIMIT lines
// when LIMIT is not 0.
class LineSource : public MessageSource {
 public:
  LineSource(const MessageSpec& spec, std::istream& input, uint64_t limit)
      : encoder_(spec), input_(input), limit_(limit) {}
  bool HasNext() override;
  std::string_view Next(uint64_t sequence, int64_t now_nanos) override;
  const Status& error() const override { return error_; }
  std::string_view Resend(uint64_t sequence, int64_t sent_nanos) override;
  void Settled(uint64_t sequence) override { unsettled_.erase(sequence); }

 private:
  MessageEncoder encoder_;
  std::istream& input_;
  uint64_t limit_;
  uint64_t produced_ = 0;
  std::optional<MessageTemplate> ahead_;  // the next line, encoded
  // Each line differs, so a line stays here from Next() until Settled(), in case it is resent.
  std::unordered_map<uint64_t, MessageTemplate> unsettled_;
  Status error_;
};

}  // namespace qpidd::tools
