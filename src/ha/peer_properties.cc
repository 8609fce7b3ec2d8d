#include "ha/peer_properties.h"

#include <variant>

namespace qpidd::ha {

std::string TextProperty(const broker::Arguments& properties, std::string_view key) {
  auto it = properties.find(std::string(key));
  if (it == properties.end()) return {};
  const auto* text = std::get_if<std::string>(&it->second);
  return text ? *text : std::string();
}

uint64_t NumberProperty(const broker::Arguments& properties, std::string_view key) {
  auto it = properties.find(std::string(key));
  if (it == properties.end()) return 0;
  if (const auto* u = std::get_if<uint64_t>(&it->second)) return *u;
  if (const auto* i = std::get_if<int64_t>(&it->second)) return *i < 0 ? 0 : static_cast<uint64_t>(*i);
  return 0;
}

}  // namespace qpidd::ha
