#include "tools/qpid_config_format.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>
#include <proton/types.hpp>

#include "client/value_text.h"
#include "tools/qpid_config_options.h"

namespace qpidd::tools {
namespace {

using client::AttributeMap;

// The entity's declare arguments, by name.
std::map<std::string, proton::value> DeclaredArguments(const AttributeMap& row) {
  auto it = row.find("arguments");
  if (it == row.end() || it->second.type() != proton::MAP) return {};
  std::vector<std::pair<proton::value, proton::value>> pairs;
  proton::get(it->second, pairs);
  std::map<std::string, proton::value> arguments;
  for (const auto& [k, v] : pairs) arguments[client::ValueText(k)] = v;
  return arguments;
}

// Collects words separated by one space.
class Words {
 public:
  void Add(const std::string& word) { text_ += (text_.empty() ? "" : " ") + word; }
  void AddIf(bool condition, const std::string& word) {
    if (condition) Add(word);
  }
  // --name=VALUE when the attribute has a value.
  void AddOption(const std::string& option, const std::string& value) {
    AddIf(!value.empty(), "--" + option + "=" + value);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// The declare value as the option would take it: --limit-policy=ring-strict, not ring_strict.
std::string OptionValueText(const ArgumentOption& option, const proton::value& value) {
  std::string text = client::ValueText(value);
  if (option.kind == ArgumentKind::kLimitPolicy) std::replace(text.begin(), text.end(), '_', '-');
  return text;
}

// The identity an HA primary gives replicated objects: the broker's own, never declared.
constexpr std::string_view kHaUuidArgument = "qpid.ha-uuid";

// The arguments no option stands for, as --argument NAME=VALUE; `shown` lists the others.
void AddOtherArguments(const std::map<std::string, proton::value>& arguments,
                       const std::vector<std::string_view>& shown, Words& words) {
  for (const auto& [key, value] : arguments) {
    if (std::find(shown.begin(), shown.end(), key) != shown.end()) continue;
    if (key == kHaUuidArgument) continue;
    words.Add("--argument " + key + "=" + client::ValueText(value));
  }
}

// An attribute that is also a declare argument: the attribute, else (from a broker that does not
// report it) the argument.
std::string AttributeOrArgument(const AttributeMap& row,
                                const std::map<std::string, proton::value>& arguments,
                                const std::string& attribute, std::string_view argument) {
  std::string text = Text(row, attribute);
  if (!text.empty()) return text;
  auto it = arguments.find(std::string(argument));
  return it == arguments.end() ? std::string() : client::ValueText(it->second);
}

// The attributes queues and exchanges share, after their flags and options.
void AddCommon(const AttributeMap& row, const std::map<std::string, proton::value>& arguments,
               std::vector<std::string_view> shown, Words& words) {
  words.AddOption("alternate-exchange", AttributeOrArgument(row, arguments, "alternate-exchange",
                                                            kAlternateExchangeArgument));
  words.AddOption("replicate", AttributeOrArgument(row, arguments, "replicate", kReplicateArgument));
  shown.push_back(kAlternateExchangeArgument);
  shown.push_back(kReplicateArgument);
  AddOtherArguments(arguments, shown, words);
}

}  // namespace

std::string Text(const AttributeMap& row, const std::string& name) {
  auto it = row.find(name);
  return it == row.end() ? std::string() : client::ValueText(it->second);
}

bool Flag(const AttributeMap& row, const std::string& name) {
  auto it = row.find(name);
  return it != row.end() && it->second.type() == proton::BOOLEAN && proton::get<bool>(it->second);
}

std::string QueueAttributes(const AttributeMap& queue) {
  const auto arguments = DeclaredArguments(queue);
  Words words;
  words.AddIf(Flag(queue, "durable"), "--durable");
  words.AddIf(Flag(queue, "auto-delete"), "auto-del");
  words.AddIf(Flag(queue, "exclusive"), "excl");
  std::vector<std::string_view> shown;
  for (const ArgumentOption& option : kArgumentOptions) {
    auto it = arguments.find(std::string(option.argument));
    if (it == arguments.end()) continue;
    words.AddOption(std::string(option.option), OptionValueText(option, it->second));
    shown.push_back(option.argument);
  }
  AddCommon(queue, arguments, std::move(shown), words);
  return words.text();
}

std::string ExchangeAttributes(const AttributeMap& exchange) {
  Words words;
  words.AddIf(Flag(exchange, "durable"), "--durable");
  words.AddIf(Flag(exchange, "auto-delete"), "auto-del");
  AddCommon(exchange, DeclaredArguments(exchange), {}, words);
  return words.text();
}

}  // namespace qpidd::tools
