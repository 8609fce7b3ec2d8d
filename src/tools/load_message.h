// Messages as the load clients see them: encoded once by the sender and patched per send, and
// read back by the receiver without a full decode.
//
// Every message qpid-send writes carries two application properties of fixed width (ulong,
// 8 bytes big-endian): "sn", its sequence number from 0, and "ts", CLOCK_MONOTONIC nanoseconds
// at the moment it was handed to Proton. Both tools on one host share that clock, so the
// receiver computes end-to-end latency as now - ts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

struct pn_message_t;

namespace qpidd::tools {

inline constexpr std::string_view kSequenceKey = "sn";
inline constexpr std::string_view kTimestampKey = "ts";

// What every message of one run has in common.
struct MessageSpec {
  bool durable = false;
  std::string subject;                                          // empty: none
  std::string reply_to;                                         // empty: none
  std::optional<uint8_t> priority;                              // header priority, 0-9
  std::optional<uint32_t> ttl_ms;                               // header ttl
  std::vector<std::pair<std::string, std::string>> properties;  // string application properties
};

// One encoded message whose "sn" and "ts" values can be rewritten in place.
class MessageTemplate {
 public:
  MessageTemplate(std::vector<char> bytes, size_t sequence_offset, size_t timestamp_offset)
      : bytes_(std::move(bytes)),
        sequence_offset_(sequence_offset),
        timestamp_offset_(timestamp_offset) {}

  // Writes SEQUENCE and SEND_NANOS into the bytes and returns them (valid until the next call).
  std::string_view Stamp(uint64_t sequence, int64_t send_nanos);
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<char> bytes_;
  size_t sequence_offset_;   // first byte of the 8-byte "sn" value
  size_t timestamp_offset_;  // first byte of the 8-byte "ts" value
};

// Encodes bodies (an AMQP string value) with the spec's header, properties and stamp fields.
class MessageEncoder {
 public:
  explicit MessageEncoder(const MessageSpec& spec);
  Result<MessageTemplate> Encode(std::string_view body);

 private:
  struct Deleter {
    void operator()(pn_message_t* message) const;
  };
  std::unique_ptr<pn_message_t, Deleter> message_;
  MessageSpec spec_;
  std::vector<char> buffer_;
};

// What the receiver reads from a message's bytes by walking its sections.
struct MessageFields {
  bool has_sequence = false;
  bool has_timestamp = false;
  uint64_t sequence = 0;
  int64_t timestamp_nanos = 0;
  // The body's bytes when it is one string/binary amqp-value or one data section; otherwise
  // body_is_simple is false and FormatBody() must decode it.
  bool body_is_simple = false;
  std::string_view body;
};

// False when the bytes are not a well-formed sequence of message sections.
bool ScanMessage(std::string_view bytes, MessageFields* fields);

// The body as text by a full decode (any AMQP type, printed as Proton formats it).
std::string FormatBody(std::string_view bytes);

}  // namespace qpidd::tools
