#include "client/value_text.h"

#include <charconv>
#include <sstream>
#include <vector>

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

namespace qpidd::client {

proton::value ParseTypedValue(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return proton::value(std::string(text.substr(1, text.size() - 2)));
  }
  if (text == "true") return proton::value(true);
  if (text == "false") return proton::value(false);
  int64_t n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (!text.empty() && error == std::errc() && end == text.data() + text.size()) {
    return proton::value(n);
  }
  return proton::value(std::string(text));
}

Result<std::pair<std::string, proton::value>> ParseKeyValue(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not NAME=VALUE");
  }
  return std::pair<std::string, proton::value>(std::string(text.substr(0, eq)),
                                               ParseTypedValue(text.substr(eq + 1)));
}

std::string ValueText(const proton::value& v) {
  switch (v.type()) {
    case proton::NULL_TYPE: return "";
    case proton::STRING: return proton::get<std::string>(v);
    case proton::SYMBOL: return proton::get<proton::symbol>(v);
    case proton::BOOLEAN: return proton::get<bool>(v) ? "true" : "false";
    case proton::MAP: {
      std::vector<std::pair<proton::value, proton::value>> pairs;
      proton::get(v, pairs);
      std::string out = "{";
      for (const auto& [key, value] : pairs) {
        if (out.size() > 1) out += ", ";
        out += ValueText(key) + "=" + ValueText(value);
      }
      return out + "}";
    }
    case proton::LIST:
    case proton::ARRAY: {
      std::vector<proton::value> items;
      proton::get(v, items);
      std::string out = "[";
      for (const auto& item : items) {
        if (out.size() > 1) out += ", ";
        out += ValueText(item);
      }
      return out + "]";
    }
    default: {
      std::ostringstream s;
      s << v;
      return s.str();
    }
  }
}

}  // namespace qpidd::client
