#include "management/value_codec.h"

#include <utility>
#include <vector>

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

namespace qpidd::management {
namespace {

using Pairs = std::vector<std::pair<proton::value, proton::value>>;

bool IsStringLike(const proton::value& v) {
  return v.type() == proton::STRING || v.type() == proton::SYMBOL;
}

std::string StringOf(const proton::value& v) {
  if (v.type() == proton::SYMBOL) return proton::get<proton::symbol>(v);
  return proton::get<std::string>(v);
}

// Decodes a map's entries in wire order, checking that every key is a string.
Result<Pairs> MapEntries(const proton::value& v, std::string_view what) {
  if (v.type() != proton::MAP) {
    return Status::InvalidArgument(std::string(what) + " must be a map, not " + TypeName(v));
  }
  Pairs pairs;
  proton::get(v, pairs);
  for (const auto& [key, value] : pairs) {
    if (!IsStringLike(key)) {
      return Status::InvalidArgument(std::string(what) + " has a key of type " + TypeName(key) +
                                     ": keys must be strings");
    }
  }
  return pairs;
}

}  // namespace

std::string TypeName(const proton::value& v) { return proton::type_name(v.type()); }

Result<broker::Value> ValueFromProton(const proton::value& v, std::string_view what) {
  switch (v.type()) {
    case proton::NULL_TYPE: return broker::Value{};
    case proton::BOOLEAN: return broker::Value{proton::get<bool>(v)};
    case proton::BYTE: return broker::Value{int64_t{proton::get<int8_t>(v)}};
    case proton::SHORT: return broker::Value{int64_t{proton::get<int16_t>(v)}};
    case proton::INT: return broker::Value{int64_t{proton::get<int32_t>(v)}};
    case proton::LONG: return broker::Value{int64_t{proton::get<int64_t>(v)}};
    case proton::UBYTE: return broker::Value{uint64_t{proton::get<uint8_t>(v)}};
    case proton::USHORT: return broker::Value{uint64_t{proton::get<uint16_t>(v)}};
    case proton::UINT: return broker::Value{uint64_t{proton::get<uint32_t>(v)}};
    case proton::ULONG: return broker::Value{uint64_t{proton::get<uint64_t>(v)}};
    case proton::FLOAT: return broker::Value{double{proton::get<float>(v)}};
    case proton::DOUBLE: return broker::Value{proton::get<double>(v)};
    case proton::STRING:
    case proton::SYMBOL: return broker::Value{StringOf(v)};
    case proton::MAP:
    case proton::LIST:
    case proton::ARRAY:
      return Status::InvalidArgument(std::string(what) + " must be a scalar, not a " +
                                     TypeName(v) + " (nested values are not supported)");
    default:
      return Status::InvalidArgument(std::string(what) + " has unsupported type " + TypeName(v) +
                                     ": use a boolean, number, string or null");
  }
}

proton::value ValueToProton(const broker::Value& v) {
  struct Visitor {
    proton::value operator()(std::monostate) const { return proton::value(); }
    proton::value operator()(bool b) const { return proton::value(b); }
    proton::value operator()(int64_t i) const { return proton::value(i); }
    proton::value operator()(uint64_t u) const { return proton::value(u); }
    proton::value operator()(double d) const { return proton::value(d); }
    proton::value operator()(const std::string& s) const { return proton::value(s); }
  };
  return std::visit(Visitor{}, v);
}

Result<broker::Arguments> ArgumentsFromProton(const proton::value& v, std::string_view what) {
  if (v.type() == proton::NULL_TYPE) return broker::Arguments{};
  auto pairs = MapEntries(v, what);
  if (!pairs.ok()) return pairs.status();
  broker::Arguments arguments;
  for (const auto& [key, value] : pairs.value()) {
    std::string name = StringOf(key);
    auto converted = ValueFromProton(value, "argument '" + name + "'");
    if (!converted.ok()) return converted.status();
    arguments[name] = std::move(converted).value();
  }
  return arguments;
}

proton::value ArgumentsToProton(const broker::Arguments& arguments) {
  AttributeMap map;
  for (const auto& [key, value] : arguments) map[key] = ValueToProton(value);
  return AttributeMapToProton(map);
}

Result<AttributeMap> AttributeMapFromProton(const proton::value& v, std::string_view what) {
  if (v.type() == proton::NULL_TYPE) return AttributeMap{};
  auto pairs = MapEntries(v, what);
  if (!pairs.ok()) return pairs.status();
  AttributeMap map;
  for (auto& [key, value] : pairs.value()) map[StringOf(key)] = std::move(value);
  return map;
}

proton::value AttributeMapToProton(const AttributeMap& attributes) {
  proton::value v;
  v = attributes;
  return v;
}

}  // namespace qpidd::management
