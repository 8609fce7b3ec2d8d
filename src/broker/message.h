// A message as it travels through the broker: the encoded AMQP 1.0 bytes exactly as the publisher
// sent them, plus the few fields routing and queueing need, found by scanning the sections without
// decoding the body. Immutable once made, so one Message is shared by every queue it is routed to.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/value.h"
#include "common/status.h"

namespace qpidd::broker {

class Message;
using MessagePtr = std::shared_ptr<const Message>;

class Message {
 public:
  // Scans `bytes` (a whole encoded message: header, annotations, properties,
  // application-properties, body, footer). Malformed sections are an error naming what is wrong.
  static Result<MessagePtr> Decode(std::string bytes);

  const std::string& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

  // From the header section (AMQP defaults when absent).
  bool durable() const { return durable_; }
  uint8_t priority() const { return priority_; }
  std::optional<uint32_t> ttl_ms() const { return ttl_ms_; }
  uint32_t delivery_count() const { return delivery_count_; }

  // From the properties section; empty when absent.
  const std::string& subject() const { return subject_; }
  const std::string& to() const { return to_; }
  const std::string& reply_to() const { return reply_to_; }
  std::optional<uint64_t> absolute_expiry_ms() const { return absolute_expiry_ms_; }

  // From the application-properties section (string keys; non-scalar values are kept as null).
  const std::vector<std::pair<std::string, Value>>& application_properties() const {
    return application_properties_;
  }
  const Value* ApplicationProperty(std::string_view key) const;

  // The bytes to send to a consumer for whom this is delivery number `delivery_count` (0: first):
  // the original bytes when unchanged, else a new header section followed by the rest.
  std::string EncodeForDelivery(uint32_t delivery_count) const;

  // The same message that never expires on a queue: an expired message sent to an alternate
  // exchange must stay readable there. The bytes (and the ttl a consumer reads) are unchanged.
  MessagePtr WithoutExpiry() const;

 private:
  // Only Decode makes messages; the tag lets it use make_shared (one allocation, not two).
  struct PrivateTag {};

 public:
  explicit Message(PrivateTag) {}

 private:

  std::string bytes_;
  size_t header_end_ = 0;  // offset of the first byte after the header section (0: no header)
  bool durable_ = false;
  uint8_t priority_ = 4;
  std::optional<uint32_t> ttl_ms_;
  uint32_t delivery_count_ = 0;
  std::string subject_;
  std::string to_;
  std::string reply_to_;
  std::optional<uint64_t> absolute_expiry_ms_;
  std::vector<std::pair<std::string, Value>> application_properties_;
};

}  // namespace qpidd::broker
