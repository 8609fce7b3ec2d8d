#include "management/attributes.h"

#include <algorithm>

#include <proton/codec/vector.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

namespace qpidd::management {
namespace {

const proton::value* Find(const AttributeMap& attributes, std::string_view key) {
  auto it = attributes.find(std::string(key));
  if (it == attributes.end() || it->second.type() == proton::NULL_TYPE) return nullptr;
  return &it->second;
}

Status WrongType(std::string_view key, std::string_view expected, const proton::value& got) {
  return Status::InvalidArgument("attribute '" + std::string(key) + "' must be " +
                                 std::string(expected) + ", not " + TypeName(got));
}

}  // namespace

Status ReadBool(const AttributeMap& attributes, std::string_view key, bool& out) {
  const proton::value* v = Find(attributes, key);
  if (v == nullptr) return Status::Ok();
  if (v->type() != proton::BOOLEAN) return WrongType(key, "a boolean", *v);
  out = proton::get<bool>(*v);
  return Status::Ok();
}

Status ReadString(const AttributeMap& attributes, std::string_view key, std::string& out,
                  bool* present) {
  if (present) *present = false;
  const proton::value* v = Find(attributes, key);
  if (v == nullptr) return Status::Ok();
  if (v->type() == proton::STRING) {
    out = proton::get<std::string>(*v);
  } else if (v->type() == proton::SYMBOL) {
    out = proton::get<proton::symbol>(*v);
  } else {
    return WrongType(key, "a string", *v);
  }
  if (present) *present = true;
  return Status::Ok();
}

Status ReadArguments(const AttributeMap& attributes, std::string_view key,
                     broker::Arguments& out) {
  const proton::value* v = Find(attributes, key);
  if (v == nullptr) return Status::Ok();
  auto arguments = ArgumentsFromProton(*v, "attribute '" + std::string(key) + "'");
  if (!arguments.ok()) return arguments.status();
  out = std::move(arguments).value();
  return Status::Ok();
}

Status ReadStringList(const AttributeMap& attributes, std::string_view key,
                      std::vector<std::string>& out) {
  const proton::value* v = Find(attributes, key);
  if (v == nullptr) return Status::Ok();
  if (v->type() != proton::LIST && v->type() != proton::ARRAY) {
    return WrongType(key, "a list of strings", *v);
  }
  std::vector<proton::value> items;
  proton::get(*v, items);
  std::vector<std::string> strings;
  for (const auto& item : items) {
    if (item.type() == proton::STRING) {
      strings.push_back(proton::get<std::string>(item));
    } else if (item.type() == proton::SYMBOL) {
      strings.push_back(proton::get<proton::symbol>(item));
    } else {
      return Status::InvalidArgument("attribute '" + std::string(key) +
                                     "' must be a list of strings, but holds a " +
                                     TypeName(item));
    }
  }
  out = std::move(strings);
  return Status::Ok();
}

Status CheckKnownAttributes(const AttributeMap& attributes,
                            std::initializer_list<std::string_view> known, std::string_view type,
                            std::string_view operation) {
  for (const auto& [name, value] : attributes) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Status::InvalidArgument("unknown attribute '" + name + "' for " +
                                     std::string(operation) + " of a " + std::string(type) +
                                     (list.empty() ? " (it takes none)"
                                                   : " (it takes " + list + ")"));
    }
  }
  return Status::Ok();
}

}  // namespace qpidd::management
