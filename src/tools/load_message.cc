#include "tools/load_message.h"

#include <proton/codec.h>
#include <proton/error.h>
#include <proton/message.h>

#include <cstring>

namespace qpidd::tools {
namespace {

// Placeholders large enough that Proton must use the 8-byte ulong encoding (0x80), and unlikely
// to occur anywhere else in the message, so their offsets can be found by search.
constexpr uint64_t kSequencePlaceholder = 0x5eadbeef5eadbe01ull;
constexpr uint64_t kTimestampPlaceholder = 0x5eadbeef5eadbe02ull;

// AMQP 1.0 type codes and section descriptors used below.
constexpr uint8_t kDescribed = 0x00;
constexpr uint8_t kSmallUlong = 0x53;
constexpr uint8_t kUlong = 0x80;
constexpr uint64_t kApplicationProperties = 0x74;
constexpr uint64_t kDataSection = 0x75;
constexpr uint64_t kSequenceSection = 0x76;
constexpr uint64_t kValueSection = 0x77;

void PutBigEndian64(char* at, uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    at[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

uint64_t ReadBigEndian(const uint8_t* at, int width) {
  uint64_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | at[i];
  return value;
}

// Finds the only occurrence of the ulong PLACEHOLDER; returns the offset of its 8 value bytes.
Result<size_t> FindPlaceholder(const std::vector<char>& bytes, uint64_t placeholder) {
  char pattern[9];
  pattern[0] = static_cast<char>(kUlong);
  PutBigEndian64(pattern + 1, placeholder);
  size_t found = std::string_view::npos;
  std::string_view haystack(bytes.data(), bytes.size());
  for (size_t at = haystack.find(std::string_view(pattern, 9)); at != std::string_view::npos;
       at = haystack.find(std::string_view(pattern, 9), at + 1)) {
    if (found != std::string_view::npos) return Status::Internal("stamp placeholder seen twice");
    found = at;
  }
  if (found == std::string_view::npos) return Status::Internal("stamp placeholder not encoded");
  return found + 1;
}

// Returns the end of the AMQP value starting at P, or nullptr when it runs past END.
const uint8_t* SkipValue(const uint8_t* p, const uint8_t* end, int depth = 0) {
  if (p >= end || depth > 16) return nullptr;
  uint8_t code = *p++;
  if (code == kDescribed) {
    p = SkipValue(p, end, depth + 1);  // the descriptor
    return p ? SkipValue(p, end, depth + 1) : nullptr;
  }
  size_t width = 0;
  // The high nibble of a type code gives the width of its encoding (AMQP 1.0 part 1, 1.2).
  switch (code >> 4) {
    case 0x4:
      width = 0;
      break;
    case 0x5:
      width = 1;
      break;
    case 0x6:
      width = 2;
      break;
    case 0x7:
      width = 4;
      break;
    case 0x8:
      width = 8;
      break;
    case 0x9:
      width = 16;
      break;
    case 0xa:
    case 0xc:
    case 0xe:
      if (end - p < 1) return nullptr;
      width = 1 + static_cast<size_t>(*p);
      break;
    case 0xb:
    case 0xd:
    case 0xf:
      if (end - p < 4) return nullptr;
      width = 4 + static_cast<size_t>(ReadBigEndian(p, 4));
      break;
    default:
      return nullptr;
  }
  if (static_cast<size_t>(end - p) < width) return nullptr;
  return p + width;
}

// The bytes of a string, symbol or binary value at P (nullopt-like: false when it is not one).
bool ReadBytes(const uint8_t* p, const uint8_t* end, std::string_view* out) {
  if (p >= end) return false;
  uint8_t code = *p;
  size_t length = 0;
  const uint8_t* start = nullptr;
  if (code == 0xa0 || code == 0xa1 || code == 0xa3) {
    if (end - p < 2) return false;
    length = p[1];
    start = p + 2;
  } else if (code == 0xb0 || code == 0xb1 || code == 0xb3) {
    if (end - p < 5) return false;
    length = static_cast<size_t>(ReadBigEndian(p + 1, 4));
    start = p + 5;
  } else {
    return false;
  }
  if (static_cast<size_t>(end - start) < length) return false;
  *out = std::string_view(reinterpret_cast<const char*>(start), length);
  return true;
}

// An unsigned or non-negative signed integer value at P.
bool ReadInteger(const uint8_t* p, const uint8_t* end, uint64_t* out) {
  if (p >= end) return false;
  int width = 0;
  switch (*p) {
    case 0x43:
    case 0x44:
      *out = 0;
      return true;  // uint0, ulong0
    case 0x50:
    case 0x52:
    case 0x53:
      width = 1;
      break;  // ubyte, smalluint, smallulong
    case 0x60:
      width = 2;
      break;  // ushort
    case 0x70:
      width = 4;
      break;  // uint
    case 0x80:
    case 0x81:
      width = 8;
      break;  // ulong, long
    default:
      return false;
  }
  if (end - p < 1 + width) return false;
  *out = ReadBigEndian(p + 1, width);
  return true;
}

// Picks "sn" and "ts" out of the application-properties map at P.
bool ScanApplicationProperties(const uint8_t* p, const uint8_t* end, MessageFields* fields) {
  if (p >= end) return false;
  uint64_t count = 0;
  if (*p == 0xc1 && end - p >= 3) {
    count = p[2];
    p += 3;
  } else if (*p == 0xd1 && end - p >= 9) {
    count = ReadBigEndian(p + 5, 4);
    p += 9;
  } else {
    return *p == 0x40;  // null: no properties
  }
  for (uint64_t i = 0; i + 1 < count; i += 2) {  // count: keys + values
    std::string_view key;
    const uint8_t* value = SkipValue(p, end);
    if (!value) return false;
    const uint8_t* next = SkipValue(value, end);
    if (!next) return false;
    if (ReadBytes(p, end, &key)) {
      uint64_t number = 0;
      if (key == kSequenceKey && ReadInteger(value, next, &number)) {
        fields->has_sequence = true;
        fields->sequence = number;
      } else if (key == kTimestampKey && ReadInteger(value, next, &number)) {
        fields->has_timestamp = true;
        fields->timestamp_nanos = static_cast<int64_t>(number);
      }
    }
    p = next;
  }
  return true;
}

}  // namespace

std::string_view MessageTemplate::Stamp(uint64_t sequence, int64_t send_nanos) {
  PutBigEndian64(bytes_.data() + sequence_offset_, sequence);
  PutBigEndian64(bytes_.data() + timestamp_offset_, static_cast<uint64_t>(send_nanos));
  return std::string_view(bytes_.data(), bytes_.size());
}

void MessageEncoder::Deleter::operator()(pn_message_t* message) const { pn_message_free(message); }

MessageEncoder::MessageEncoder(const MessageSpec& spec)
    : message_(pn_message()), spec_(spec), buffer_(4096) {
  pn_message_t* m = message_.get();
  pn_message_set_durable(m, spec_.durable);
  if (!spec_.subject.empty()) pn_message_set_subject(m, spec_.subject.c_str());
  if (!spec_.reply_to.empty()) pn_message_set_reply_to(m, spec_.reply_to.c_str());
  if (spec_.priority) pn_message_set_priority(m, *spec_.priority);
  if (spec_.ttl_ms) pn_message_set_ttl(m, *spec_.ttl_ms);
  pn_data_t* properties = pn_message_properties(m);
  pn_data_put_map(properties);
  pn_data_enter(properties);
  for (const auto& [name, value] : spec_.properties) {
    pn_data_put_string(properties, pn_bytes(name.size(), name.data()));
    pn_data_put_string(properties, pn_bytes(value.size(), value.data()));
  }
  pn_data_put_string(properties, pn_bytes(kSequenceKey.size(), kSequenceKey.data()));
  pn_data_put_ulong(properties, kSequencePlaceholder);
  pn_data_put_string(properties, pn_bytes(kTimestampKey.size(), kTimestampKey.data()));
  pn_data_put_ulong(properties, kTimestampPlaceholder);
  pn_data_exit(properties);
  pn_message_set_inferred(m, false);  // the body is one amqp-value section
}

Result<MessageTemplate> MessageEncoder::Encode(std::string_view body) {
  pn_message_t* m = message_.get();
  pn_data_t* data = pn_message_body(m);
  pn_data_clear(data);
  pn_data_put_string(data, pn_bytes(body.size(), body.data()));
  while (true) {
    size_t size = buffer_.size();
    int rc = pn_message_encode(m, buffer_.data(), &size);
    if (rc == PN_OVERFLOW) {
      buffer_.resize(buffer_.size() * 2);
      continue;
    }
    if (rc != 0) return Status::Internal("cannot encode message: " + std::string(pn_code(rc)));
    std::vector<char> bytes(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(size));
    Result<size_t> sequence = FindPlaceholder(bytes, kSequencePlaceholder);
    if (!sequence.ok()) return sequence.status();
    Result<size_t> timestamp = FindPlaceholder(bytes, kTimestampPlaceholder);
    if (!timestamp.ok()) return timestamp.status();
    return MessageTemplate(std::move(bytes), sequence.value(), timestamp.value());
  }
}

bool ScanMessage(std::string_view bytes, MessageFields* fields) {
  *fields = MessageFields();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  int body_sections = 0;
  bool body_is_bytes = false;
  while (p < end) {
    if (*p != kDescribed) return false;
    const uint8_t* descriptor = p + 1;
    const uint8_t* value = SkipValue(descriptor, end);
    if (!value) return false;
    uint64_t code = UINT64_MAX;  // symbolic descriptors: a section we do not read
    if (*descriptor == kSmallUlong || *descriptor == kUlong) ReadInteger(descriptor, value, &code);
    const uint8_t* next = SkipValue(value, end);
    if (!next) return false;
    if (code == kApplicationProperties) {
      if (!ScanApplicationProperties(value, next, fields)) return false;
    } else if (code == kDataSection || code == kValueSection || code == kSequenceSection) {
      ++body_sections;
      body_is_bytes = code != kSequenceSection && ReadBytes(value, next, &fields->body);
    }
    p = next;
  }
  fields->body_is_simple = body_sections == 1 && body_is_bytes;
  if (body_sections == 0) fields->body_is_simple = true;  // no body: prints as an empty line
  return true;
}

std::string FormatBody(std::string_view bytes) {
  std::unique_ptr<pn_message_t, void (*)(pn_message_t*)> message(pn_message(), pn_message_free);
  if (pn_message_decode(message.get(), bytes.data(), bytes.size()) != 0) {
    return "<undecodable message>";
  }
  pn_data_t* body = pn_message_body(message.get());
  pn_data_rewind(body);
  if (pn_data_next(body)) {
    pn_type_t type = pn_data_type(body);
    if (type == PN_STRING)
      return std::string(pn_data_get_string(body).start, pn_data_get_string(body).size);
    if (type == PN_BINARY)
      return std::string(pn_data_get_binary(body).start, pn_data_get_binary(body).size);
  }
  pn_data_rewind(body);
  std::string text(256, '\0');
  while (true) {
    size_t size = text.size();
    int rc = pn_data_format(body, text.data(), &size);
    if (rc == PN_OVERFLOW) {
      text.resize(text.size() * 2);
      continue;
    }
    if (rc != 0) return "<unprintable body>";
    text.resize(size);
    return text;
  }
}

}  // namespace qpidd::tools
