#include "common/uuid.h"

#include <iomanip>
#include <random>
#include <sstream>

namespace qpidd {

std::string NewUuid() {
  // One generator per thread, seeded once: std::random_device may be slow or blocking.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::ostringstream out;
  out << std::hex << std::setfill('0');
  for (int i = 0; i < 16; ++i) {
    unsigned byte = static_cast<unsigned>(generator() & 0xff);
    if (i == 6) byte = (byte & 0x0f) | 0x40;  // version 4
    if (i == 8) byte = (byte & 0x3f) | 0x80;  // RFC 4122 variant
    if (i == 4 || i == 6 || i == 8 || i == 10) out << '-';
    out << std::setw(2) << byte;
  }
  return out.str();
}

}  // namespace qpidd
