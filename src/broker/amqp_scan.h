// Finds the sections of an encoded AMQP 1.0 message by skipping over values, without decoding
// them. This is what lets the broker pass message bytes through untouched and decode only the
// header, properties and application-properties it routes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace qpidd::broker::amqp_scan {

// Section descriptor codes (AMQP 1.0 part 3.2).
inline constexpr uint64_t kHeader = 0x70;
inline constexpr uint64_t kDeliveryAnnotations = 0x71;
inline constexpr uint64_t kMessageAnnotations = 0x72;
inline constexpr uint64_t kProperties = 0x73;
inline constexpr uint64_t kApplicationProperties = 0x74;
inline constexpr uint64_t kData = 0x75;
inline constexpr uint64_t kAmqpSequence = 0x76;
inline constexpr uint64_t kAmqpValue = 0x77;
inline constexpr uint64_t kFooter = 0x78;

// Where one section lies in the message: [begin, end), descriptor included.
struct Section {
  uint64_t code = 0;
  size_t begin = 0;
  size_t end = 0;
};

// Skips the value starting at bytes[pos]; on success pos is just past it. A truncated value or an
// unknown constructor is an error naming the offset.
Status SkipValue(std::string_view bytes, size_t& pos);

// Reads the section starting at bytes[pos] and advances pos past it. A section must be a described
// value whose descriptor is a small ulong or ulong code (symbolic descriptors are read as 0).
Status NextSection(std::string_view bytes, size_t& pos, Section& section);

}  // namespace qpidd::broker::amqp_scan
