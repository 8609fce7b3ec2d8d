#include "broker/amqp_scan.h"

#include <string>

namespace qpidd::broker::amqp_scan {
namespace {

Status Truncated(size_t pos) {
  return Status::InvalidArgument("truncated AMQP value at offset " + std::to_string(pos));
}

// Reads an n-byte big-endian size at bytes[pos].
bool ReadSize(std::string_view bytes, size_t pos, int width, size_t& out) {
  if (pos + width > bytes.size()) return false;
  out = 0;
  for (int i = 0; i < width; ++i) out = (out << 8) | static_cast<uint8_t>(bytes[pos + i]);
  return true;
}

}  // namespace

Status SkipValue(std::string_view bytes, size_t& pos) {
  // Iterative, not recursive: a described value is a descriptor then a value, and descriptors
  // may themselves be described, so hostile input could nest without bound.
  size_t values_left = 1;
  while (values_left > 0) {
    if (pos >= bytes.size()) return Truncated(pos);
    const auto constructor = static_cast<uint8_t>(bytes[pos]);
    if (constructor == 0x00) {  // one value becomes two: its descriptor and the value itself
      ++pos;
      ++values_left;
      continue;
    }
    // The high nibble of a primitive constructor says how its size is encoded (part 1.2).
    size_t fixed = 0;
    int size_width = 0;
    switch (constructor >> 4) {
      case 0x4: fixed = 0; break;
      case 0x5: fixed = 1; break;
      case 0x6: fixed = 2; break;
      case 0x7: fixed = 4; break;
      case 0x8: fixed = 8; break;
      case 0x9: fixed = 16; break;
      case 0xa: case 0xc: case 0xe: size_width = 1; break;
      case 0xb: case 0xd: case 0xf: size_width = 4; break;
      default:
        return Status::InvalidArgument("invalid AMQP type constructor 0x" +
                                       std::to_string(constructor) + " at offset " +
                                       std::to_string(pos));
    }
    ++pos;
    if (size_width == 0) {
      if (pos + fixed > bytes.size()) return Truncated(pos);
      pos += fixed;
    } else {
      size_t size = 0;
      if (!ReadSize(bytes, pos, size_width, size)) return Truncated(pos);
      pos += size_width;
      if (size > bytes.size() - pos) return Truncated(pos);
      pos += size;
    }
    --values_left;
  }
  return Status::Ok();
}

Status NextSection(std::string_view bytes, size_t& pos, Section& section) {
  section.begin = pos;
  if (pos >= bytes.size()) return Truncated(pos);
  if (static_cast<uint8_t>(bytes[pos]) != 0x00) {
    return Status::InvalidArgument("message section at offset " + std::to_string(pos) +
                                   " is not a described value");
  }
  ++pos;
  if (pos >= bytes.size()) return Truncated(pos);
  const auto code_type = static_cast<uint8_t>(bytes[pos]);
  section.code = 0;
  if (code_type == 0x53 && pos + 1 < bytes.size()) {  // smallulong
    section.code = static_cast<uint8_t>(bytes[pos + 1]);
    pos += 2;
  } else if (code_type == 0x80 && pos + 8 < bytes.size()) {  // ulong
    size_t code = 0;
    ReadSize(bytes, pos + 1, 8, code);
    section.code = code;
    pos += 9;
  } else if (Status s = SkipValue(bytes, pos); !s.ok()) {  // symbolic descriptor: not ours
    return s;
  }
  if (Status s = SkipValue(bytes, pos); !s.ok()) return s;
  section.end = pos;
  return Status::Ok();
}

}  // namespace qpidd::broker::amqp_scan
