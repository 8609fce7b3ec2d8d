#include "ha/wire_format.h"

#include <proton/error.h>
#include <proton/message.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <numeric>
#include <type_traits>
#include <utility>
#include <variant>

#include "broker/amqp_scan.h"
#include "broker/pn_value.h"

namespace qpidd::ha {
namespace {

// Keys of the body maps and records (6.2, 6.3, 7.3).
namespace field {
constexpr std::string_view kEvent = "event";
constexpr std::string_view kSeq = "seq";
constexpr std::string_view kProtocol = "protocol";
constexpr std::string_view kBrokerId = "broker-id";
constexpr std::string_view kEpoch = "epoch";
constexpr std::string_view kHistory = "history";
constexpr std::string_view kReplicate = "replicate";
constexpr std::string_view kMembers = "members";
constexpr std::string_view kObjects = "objects";
constexpr std::string_view kExchanges = "exchanges";
constexpr std::string_view kQueues = "queues";
constexpr std::string_view kBindings = "bindings";
constexpr std::string_view kExchange = "exchange";
constexpr std::string_view kQueue = "queue";
constexpr std::string_view kBinding = "binding";
constexpr std::string_view kKey = "key";
constexpr std::string_view kName = "name";
constexpr std::string_view kHaUuid = "ha-uuid";
constexpr std::string_view kExchangeType = "exchange-type";
constexpr std::string_view kDurable = "durable";
constexpr std::string_view kAutoDelete = "auto-delete";
constexpr std::string_view kExclusive = "exclusive";
constexpr std::string_view kUsed = "used";
constexpr std::string_view kArguments = "arguments";
constexpr std::string_view kAddress = "address";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kIds = "ids";
constexpr std::string_view kTail = "tail";
}  // namespace field

struct MessageDeleter {
  void operator()(pn_message_t* message) const { pn_message_free(message); }
};
using MessagePtr = std::unique_ptr<pn_message_t, MessageDeleter>;

// ---------------------------------------------------------------- writing

void PutString(pn_data_t* data, std::string_view text) {
  pn_data_put_string(data, pn_bytes(text.size(), text.data()));
}

void PutSymbol(pn_data_t* data, std::string_view text) {
  pn_data_put_symbol(data, pn_bytes(text.size(), text.data()));
}

// Writes one map: the constructor opens it, the destructor closes it.
class MapWriter {
 public:
  enum class Keys { kString, kSymbol };

  explicit MapWriter(pn_data_t* data, Keys keys = Keys::kString) : data_(data), keys_(keys) {
    pn_data_put_map(data_);
    pn_data_enter(data_);
  }
  ~MapWriter() { pn_data_exit(data_); }
  MapWriter(const MapWriter&) = delete;
  MapWriter& operator=(const MapWriter&) = delete;

  void String(std::string_view key, std::string_view value) { PutString(Key(key), value); }
  void Ulong(std::string_view key, uint64_t value) { pn_data_put_ulong(Key(key), value); }
  void Uint(std::string_view key, uint32_t value) { pn_data_put_uint(Key(key), value); }
  void Bool(std::string_view key, bool value) { pn_data_put_bool(Key(key), value); }

  void Arguments(std::string_view key, const broker::Arguments& arguments) {
    MapWriter map(Key(key));
    for (const auto& [name, value] : arguments) broker::PnPutValue(map.Key(name), value);
  }

  // An AMQP array of ulong: the ranges flattened.
  void Ids(std::string_view key, const IdRanges& ids) {
    pn_data_put_array(Key(key), false, PN_ULONG);
    pn_data_enter(data_);
    for (uint64_t bound : ids.Flatten()) pn_data_put_ulong(data_, bound);
    pn_data_exit(data_);
  }

  template <typename T>
  void Record(std::string_view key, const T& record, void (*write)(pn_data_t*, const T&)) {
    write(Key(key), record);
  }

  template <typename T>
  void List(std::string_view key, const std::vector<T>& records,
            void (*write)(pn_data_t*, const T&)) {
    pn_data_put_list(Key(key));
    pn_data_enter(data_);
    for (const T& record : records) write(data_, record);
    pn_data_exit(data_);
  }

 private:
  // Puts the key; the caller puts the value next.
  pn_data_t* Key(std::string_view key) {
    if (keys_ == Keys::kSymbol) PutSymbol(data_, key);
    else PutString(data_, key);
    return data_;
  }

  pn_data_t* data_;
  Keys keys_;
};

void WriteExchange(pn_data_t* data, const ExchangeRecord& record) {
  MapWriter map(data);
  map.String(field::kName, record.name);
  map.String(field::kHaUuid, record.ha_uuid);
  map.String(field::kExchangeType, record.type);
  map.Bool(field::kDurable, record.durable);
  map.Bool(field::kAutoDelete, record.auto_delete);
  map.Arguments(field::kArguments, record.arguments);
}

void WriteQueue(pn_data_t* data, const QueueRecord& record) {
  MapWriter map(data);
  map.String(field::kName, record.name);
  map.String(field::kHaUuid, record.ha_uuid);
  map.Bool(field::kDurable, record.durable);
  map.Bool(field::kAutoDelete, record.auto_delete);
  map.Bool(field::kExclusive, record.exclusive);
  map.Bool(field::kUsed, record.used);
  map.Arguments(field::kArguments, record.arguments);
}

void WriteBinding(pn_data_t* data, const BindingRecord& record) {
  MapWriter map(data);
  map.String(field::kExchange, record.exchange);
  map.String(field::kQueue, record.queue);
  map.String(field::kKey, record.key);
  map.Arguments(field::kArguments, record.arguments);
}

void WriteMember(pn_data_t* data, const MemberRecord& record) {
  MapWriter map(data);
  map.String(field::kBrokerId, record.broker_id);
  map.String(field::kAddress, record.address);
  map.String(field::kStatus, record.status);
}

void WriteHistoryEntry(pn_data_t* data, const HistoryEntry& entry) {
  MapWriter map(data);
  map.Uint(field::kEpoch, entry.epoch);
  map.String(field::kBrokerId, entry.broker_id);
}

// The encoded message; empty only if Proton fails, which well-formed data never makes it do.
std::string EncodeMessage(pn_message_t* message) {
  const ssize_t body_size = pn_data_encoded_size(pn_message_body(message));
  std::string bytes(static_cast<size_t>(std::max<ssize_t>(body_size, 0)) + 256, '\0');
  while (true) {
    size_t size = bytes.size();
    const int rc = pn_message_encode(message, bytes.data(), &size);
    if (rc == PN_OVERFLOW) {
      bytes.resize(2 * bytes.size());
      continue;
    }
    if (rc != 0) return {};
    bytes.resize(size);
    return bytes;
  }
}

// A message with `subject` and an amqp-value map body the caller fills through `fill`.
template <typename Fill>
std::string EncodeMapMessage(std::string_view subject, Fill fill) {
  MessagePtr message(pn_message());
  pn_message_set_inferred(message.get(), false);
  const std::string subject_text(subject);
  pn_message_set_subject(message.get(), subject_text.c_str());
  {
    MapWriter body(pn_message_body(message.get()));
    fill(body);
  }
  return EncodeMessage(message.get());
}

// ---------------------------------------------------------------- reading

// A decoded AMQP value: scalars in `scalar`; a map's entries in `keys`/`children` (entries
// whose key is not a string or symbol are dropped); a list's or array's items in `children`.
struct Node {
  pn_type_t type = PN_NULL;
  broker::Value scalar;
  std::vector<std::string> keys;
  std::vector<Node> children;

  const Node* Find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &children[i];
    }
    return nullptr;
  }
};

Node ReadNode(pn_data_t* data);

void ReadMapEntries(pn_data_t* data, Node& map) {
  pn_data_enter(data);
  while (pn_data_next(data)) {
    const pn_type_t key_type = pn_data_type(data);
    std::string key = broker::PnStringAt(data);
    if (!pn_data_next(data)) break;
    if (key_type != PN_STRING && key_type != PN_SYMBOL) continue;
    map.keys.push_back(std::move(key));
    map.children.push_back(ReadNode(data));
  }
  pn_data_exit(data);
}

void ReadItems(pn_data_t* data, Node& list) {
  const bool described = list.type == PN_ARRAY && pn_data_is_array_described(data);
  pn_data_enter(data);
  if (described) pn_data_next(data);  // the array's descriptor comes first
  while (pn_data_next(data)) list.children.push_back(ReadNode(data));
  pn_data_exit(data);
}

// The value at the codec's current position.
Node ReadNode(pn_data_t* data) {
  Node node;
  node.type = pn_data_type(data);
  if (node.type == PN_MAP) ReadMapEntries(data, node);
  else if (node.type == PN_LIST || node.type == PN_ARRAY) ReadItems(data, node);
  else node.scalar = broker::PnScalarAt(data);
  return node;
}

// "string", "ulong", "boolean", ...: the AMQP names, for error messages.
std::string TypeName(pn_type_t type) {
  if (type == PN_BOOL) return "boolean";
  std::string name = pn_type_name(type);
  if (name.starts_with("PN_")) name.erase(0, 3);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool IsUnsignedInteger(pn_type_t type) {
  return type == PN_UBYTE || type == PN_USHORT || type == PN_UINT || type == PN_ULONG;
}

// The first failure of one decode, prefixed with its context (the event's name). Later failures
// are consequences of the first and are dropped.
class DecodeErrors {
 public:
  explicit DecodeErrors(std::string context) : context_(std::move(context)) {}
  void set_context(std::string context) { context_ = std::move(context); }
  void Fail(const std::string& message) {
    if (first_.empty()) first_ = context_ + ": " + message;
  }
  bool failed() const { return !first_.empty(); }
  Status status() const { return Status::InvalidArgument(first_); }

 private:
  std::string context_;
  std::string first_;
};

// Typed reads of the fields of one map. A missing or ill-typed field is recorded in `errors` and
// read as a default, so a decoder reads every field then checks `errors` once. A reader with no
// map (an enclosing field failed) reads defaults without adding errors.
class MapReader {
 public:
  MapReader(const Node* map, std::string path, DecodeErrors* errors)
      : map_(map), path_(std::move(path)), errors_(errors) {}

  bool Has(std::string_view key) const { return map_ && map_->Find(key); }

  std::string String(std::string_view key) const {
    const Node* node = Field(key, {PN_STRING, PN_SYMBOL}, "string");
    return node ? std::get<std::string>(node->scalar) : std::string();
  }

  bool Bool(std::string_view key) const {
    const Node* node = Field(key, {PN_BOOL}, "boolean");
    return node && std::get<bool>(node->scalar);
  }

  uint64_t Ulong(std::string_view key) const {
    const Node* node = Field(key, {PN_UBYTE, PN_USHORT, PN_UINT, PN_ULONG}, "ulong");
    return node ? std::get<uint64_t>(node->scalar) : 0;
  }

  uint32_t Uint(std::string_view key) const {
    const Node* node = Field(key, {PN_UBYTE, PN_USHORT, PN_UINT, PN_ULONG}, "uint");
    if (!node) return 0;
    const uint64_t value = std::get<uint64_t>(node->scalar);
    if (value > std::numeric_limits<uint32_t>::max()) {
      errors_->Fail("field '" + PathOf(key) + "' is " + std::to_string(value) +
                    ", out of range for uint");
      return 0;
    }
    return static_cast<uint32_t>(value);
  }

  broker::Arguments Arguments(std::string_view key) const {
    broker::Arguments arguments;
    const Node* node = Field(key, {PN_MAP}, "map");
    if (!node) return arguments;
    for (size_t i = 0; i < node->keys.size(); ++i) {
      arguments.emplace(node->keys[i], node->children[i].scalar);
    }
    return arguments;
  }

  // An array (or list) of unsigned integers: ranges flattened.
  IdRanges Ids(std::string_view key) const {
    const Node* node = Field(key, {PN_ARRAY, PN_LIST}, "array of ulong");
    if (!node) return {};
    std::vector<uint64_t> flattened;
    for (size_t i = 0; i < node->children.size(); ++i) {
      const Node& bound = node->children[i];
      if (!IsUnsignedInteger(bound.type)) {
        errors_->Fail("field '" + ItemPath(key, i) + "' is " + TypeName(bound.type) +
                      ", expected ulong");
        return {};
      }
      flattened.push_back(std::get<uint64_t>(bound.scalar));
    }
    Result<IdRanges> ids = IdRanges::FromFlattened(flattened);
    if (!ids.ok()) {
      errors_->Fail("field '" + PathOf(key) + "' is malformed: " + ids.status().message());
      return {};
    }
    return std::move(ids).value();
  }

  MapReader Map(std::string_view key) const {
    return MapReader(Field(key, {PN_MAP}, "map"), PathOf(key), errors_);
  }

  // A list (or array) of maps, each read by `read`.
  template <typename T>
  std::vector<T> List(std::string_view key, T (*read)(const MapReader&)) const {
    std::vector<T> records;
    const Node* list = Field(key, {PN_LIST, PN_ARRAY}, "list");
    if (!list) return records;
    records.reserve(list->children.size());
    for (size_t i = 0; i < list->children.size(); ++i) {
      const Node& item = list->children[i];
      const std::string path = ItemPath(key, i);
      if (item.type != PN_MAP) {
        errors_->Fail("field '" + path + "' is " + TypeName(item.type) + ", expected map");
        return records;
      }
      records.push_back(read(MapReader(&item, path, errors_)));
    }
    return records;
  }

 private:
  std::string PathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  std::string ItemPath(std::string_view key, size_t index) const {
    return PathOf(key) + "[" + std::to_string(index) + "]";
  }

  // The field when present with one of `types`; else records why and returns nullptr.
  const Node* Field(std::string_view key, std::initializer_list<pn_type_t> types,
                    std::string_view expected) const {
    if (!map_) return nullptr;
    const Node* node = map_->Find(key);
    if (!node) {
      errors_->Fail("field '" + PathOf(key) + "' missing");
      return nullptr;
    }
    if (std::find(types.begin(), types.end(), node->type) == types.end()) {
      errors_->Fail("field '" + PathOf(key) + "' is " + TypeName(node->type) + ", expected " +
                    std::string(expected));
      return nullptr;
    }
    return node;
  }

  const Node* map_;
  std::string path_;
  DecodeErrors* errors_;
};

ExchangeRecord ReadExchange(const MapReader& map) {
  ExchangeRecord record;
  record.name = map.String(field::kName);
  record.ha_uuid = map.String(field::kHaUuid);
  record.type = map.String(field::kExchangeType);
  record.durable = map.Bool(field::kDurable);
  record.auto_delete = map.Bool(field::kAutoDelete);
  record.arguments = map.Arguments(field::kArguments);
  return record;
}

QueueRecord ReadQueue(const MapReader& map) {
  QueueRecord record;
  record.name = map.String(field::kName);
  record.ha_uuid = map.String(field::kHaUuid);
  record.durable = map.Bool(field::kDurable);
  record.auto_delete = map.Bool(field::kAutoDelete);
  record.exclusive = map.Bool(field::kExclusive);
  record.used = map.Bool(field::kUsed);
  record.arguments = map.Arguments(field::kArguments);
  return record;
}

BindingRecord ReadBinding(const MapReader& map) {
  BindingRecord record;
  record.exchange = map.String(field::kExchange);
  record.queue = map.String(field::kQueue);
  record.key = map.String(field::kKey);
  record.arguments = map.Arguments(field::kArguments);
  return record;
}

MemberRecord ReadMember(const MapReader& map) {
  MemberRecord record;
  record.broker_id = map.String(field::kBrokerId);
  record.address = map.String(field::kAddress);
  record.status = map.String(field::kStatus);
  return record;
}

HistoryEntry ReadHistoryEntry(const MapReader& map) {
  HistoryEntry entry;
  entry.epoch = map.Uint(field::kEpoch);
  entry.broker_id = map.String(field::kBrokerId);
  return entry;
}

struct DecodedMessage {
  std::string subject;
  Node body;  // a map
};

// Proton's pn_message_decode accepts some garbage (it stops at what it does not recognise), and
// asserts on zero bytes: the broker's own scanner checks the sections' framing first.
Status CheckSections(std::string_view bytes) {
  if (bytes.empty()) return Status::InvalidArgument("cannot decode message: no bytes");
  size_t position = 0;
  while (position < bytes.size()) {
    broker::amqp_scan::Section section;
    if (Status s = broker::amqp_scan::NextSection(bytes, position, section); !s.ok()) {
      return Status::InvalidArgument("cannot decode message: " + s.message());
    }
  }
  return Status::Ok();
}

// Decodes a whole message whose body must be an amqp-value map.
Result<DecodedMessage> DecodeMapMessage(std::string_view bytes) {
  if (Status framing = CheckSections(bytes); !framing.ok()) return framing;
  MessagePtr message(pn_message());
  const int rc = pn_message_decode(message.get(), bytes.data(), bytes.size());
  if (rc != 0) {
    const char* text = pn_error_text(pn_message_error(message.get()));
    return Status::InvalidArgument("cannot decode message: " +
                                   std::string(text && *text ? text : pn_code(rc)));
  }
  pn_data_t* body = pn_message_body(message.get());
  pn_data_rewind(body);
  if (!pn_data_next(body)) return Status::InvalidArgument("message has no body, expected a map");
  if (pn_data_type(body) != PN_MAP) {
    return Status::InvalidArgument("message body is " + TypeName(pn_data_type(body)) +
                                   ", expected map");
  }
  DecodedMessage decoded;
  const char* subject = pn_message_get_subject(message.get());
  if (subject) decoded.subject = subject;
  decoded.body = ReadNode(body);
  return decoded;
}

// ---------------------------------------------------------------- configuration events

// How each event of 6.3 writes and reads its fields (besides `event` and `seq`).
struct EventCodec {
  std::string_view name;
  void (*write)(MapWriter&, const ConfigEvent&);
  void (*read)(const MapReader&, ConfigEvent&);
};

void WriteNameAndUuid(MapWriter& map, const ConfigEvent& event) {
  map.String(field::kName, event.name);
  map.String(field::kHaUuid, event.ha_uuid);
}

void ReadNameAndUuid(const MapReader& map, ConfigEvent& event) {
  event.name = map.String(field::kName);
  event.ha_uuid = map.String(field::kHaUuid);
}

const EventCodec kEventCodecs[] = {
    {kSnapshotBeginEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.Uint(field::kProtocol, event.protocol);
       map.String(field::kBrokerId, event.broker_id);
       map.Uint(field::kEpoch, event.epoch);
       map.List(field::kHistory, event.history, WriteHistoryEntry);
       map.String(field::kReplicate, event.replicate);
       map.List(field::kMembers, event.members, WriteMember);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.protocol = map.Uint(field::kProtocol);
       event.broker_id = map.String(field::kBrokerId);
       event.epoch = map.Uint(field::kEpoch);
       event.history = map.List(field::kHistory, ReadHistoryEntry);
       event.replicate = map.String(field::kReplicate);
       event.members = map.List(field::kMembers, ReadMember);
     }},
    {kExchangesEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.List(field::kObjects, event.exchanges, WriteExchange);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.exchanges = map.List(field::kObjects, ReadExchange);
     }},
    {kQueuesEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.List(field::kObjects, event.queues, WriteQueue);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.queues = map.List(field::kObjects, ReadQueue);
     }},
    {kBindingsEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.List(field::kObjects, event.bindings, WriteBinding);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.bindings = map.List(field::kObjects, ReadBinding);
     }},
    {kSnapshotEndEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.Ulong(field::kExchanges, event.exchange_count);
       map.Ulong(field::kQueues, event.queue_count);
       map.Ulong(field::kBindings, event.binding_count);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.exchange_count = map.Ulong(field::kExchanges);
       event.queue_count = map.Ulong(field::kQueues);
       event.binding_count = map.Ulong(field::kBindings);
     }},
    {kExchangeCreateEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.Record(field::kExchange, event.exchange.value_or(ExchangeRecord()), WriteExchange);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.exchange = ReadExchange(map.Map(field::kExchange));
     }},
    {kExchangeDeleteEvent, WriteNameAndUuid, ReadNameAndUuid},
    {kQueueCreateEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.Record(field::kQueue, event.queue.value_or(QueueRecord()), WriteQueue);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.queue = ReadQueue(map.Map(field::kQueue));
     }},
    {kQueueDeleteEvent, WriteNameAndUuid, ReadNameAndUuid},
    {kBindEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.Record(field::kBinding, event.binding.value_or(BindingRecord()), WriteBinding);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.binding = ReadBinding(map.Map(field::kBinding));
     }},
    {kUnbindEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       const BindingRecord binding = event.binding.value_or(BindingRecord());
       map.String(field::kExchange, binding.exchange);
       map.String(field::kQueue, binding.queue);
       map.String(field::kKey, binding.key);
     },
     [](const MapReader& map, ConfigEvent& event) {
       BindingRecord binding;
       binding.exchange = map.String(field::kExchange);
       binding.queue = map.String(field::kQueue);
       binding.key = map.String(field::kKey);
       event.binding = std::move(binding);
     }},
    {kQueueUsedEvent, WriteNameAndUuid, ReadNameAndUuid},
    {kMembersEvent,
     [](MapWriter& map, const ConfigEvent& event) {
       map.List(field::kMembers, event.members, WriteMember);
     },
     [](const MapReader& map, ConfigEvent& event) {
       event.members = map.List(field::kMembers, ReadMember);
     }},
};

const EventCodec* FindEventCodec(std::string_view name) {
  const auto* codec = std::find_if(std::begin(kEventCodecs), std::end(kEventCodecs),
                                   [name](const EventCodec& c) { return c.name == name; });
  return codec == std::end(kEventCodecs) ? nullptr : codec;
}

ConfigEvent Named(std::string_view name) {
  ConfigEvent event;
  event.event = name;
  return event;
}

}  // namespace

// ---------------------------------------------------------------- addresses and tags

std::string QueueLinkAddress(std::string_view queue) {
  return std::string(kQueueAddressPrefix) + std::string(queue);
}

std::optional<std::string> QueueFromLinkAddress(std::string_view address) {
  if (!address.starts_with(kQueueAddressPrefix)) return std::nullopt;
  return std::string(address.substr(kQueueAddressPrefix.size()));
}

namespace {

void AppendBigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian(std::string_view bytes) {
  return std::accumulate(bytes.begin(), bytes.end(), uint64_t{0}, [](uint64_t value, char byte) {
    return (value << 8) | static_cast<uint8_t>(byte);
  });
}

}  // namespace

std::string EncodeIdTag(uint64_t id, uint64_t expires_at_ms) {
  std::string tag;
  tag.reserve(16);
  AppendBigEndian(tag, id);
  if (expires_at_ms != 0) AppendBigEndian(tag, expires_at_ms);
  return tag;
}

std::optional<IdTag> DecodeIdTag(std::string_view tag) {
  if (tag.size() != 8 && tag.size() != 16) return std::nullopt;
  IdTag decoded;
  decoded.id = ReadBigEndian(tag.substr(0, 8));
  if (tag.size() == 16) decoded.expires_at_ms = ReadBigEndian(tag.substr(8));
  return decoded;
}

bool IsEventTag(std::string_view tag) { return tag.size() == 1 && tag[0] == kEventTag; }

// ---------------------------------------------------------------- configuration events

ConfigEvent ConfigEvent::SnapshotBegin(std::string broker_id, uint32_t epoch,
                                       std::vector<HistoryEntry> history, std::string replicate,
                                       std::vector<MemberRecord> members) {
  ConfigEvent event = Named(kSnapshotBeginEvent);
  event.protocol = kProtocolVersion;
  event.broker_id = std::move(broker_id);
  event.epoch = epoch;
  event.history = std::move(history);
  event.replicate = std::move(replicate);
  event.members = std::move(members);
  return event;
}

ConfigEvent ConfigEvent::Exchanges(std::vector<ExchangeRecord> records) {
  ConfigEvent event = Named(kExchangesEvent);
  event.exchanges = std::move(records);
  return event;
}

ConfigEvent ConfigEvent::Queues(std::vector<QueueRecord> records) {
  ConfigEvent event = Named(kQueuesEvent);
  event.queues = std::move(records);
  return event;
}

ConfigEvent ConfigEvent::Bindings(std::vector<BindingRecord> records) {
  ConfigEvent event = Named(kBindingsEvent);
  event.bindings = std::move(records);
  return event;
}

ConfigEvent ConfigEvent::SnapshotEnd(uint64_t exchanges, uint64_t queues, uint64_t bindings) {
  ConfigEvent event = Named(kSnapshotEndEvent);
  event.exchange_count = exchanges;
  event.queue_count = queues;
  event.binding_count = bindings;
  return event;
}

ConfigEvent ConfigEvent::ExchangeCreate(ExchangeRecord record) {
  ConfigEvent event = Named(kExchangeCreateEvent);
  event.exchange = std::move(record);
  return event;
}

ConfigEvent ConfigEvent::ExchangeDelete(std::string name, std::string ha_uuid) {
  ConfigEvent event = Named(kExchangeDeleteEvent);
  event.name = std::move(name);
  event.ha_uuid = std::move(ha_uuid);
  return event;
}

ConfigEvent ConfigEvent::QueueCreate(QueueRecord record) {
  ConfigEvent event = Named(kQueueCreateEvent);
  event.queue = std::move(record);
  return event;
}

ConfigEvent ConfigEvent::QueueDelete(std::string name, std::string ha_uuid) {
  ConfigEvent event = Named(kQueueDeleteEvent);
  event.name = std::move(name);
  event.ha_uuid = std::move(ha_uuid);
  return event;
}

ConfigEvent ConfigEvent::Bind(BindingRecord record) {
  ConfigEvent event = Named(kBindEvent);
  event.binding = std::move(record);
  return event;
}

ConfigEvent ConfigEvent::Unbind(std::string exchange, std::string queue, std::string key) {
  ConfigEvent event = Named(kUnbindEvent);
  event.binding = BindingRecord{std::move(exchange), std::move(queue), std::move(key), {}};
  return event;
}

ConfigEvent ConfigEvent::QueueUsed(std::string name, std::string ha_uuid) {
  ConfigEvent event = Named(kQueueUsedEvent);
  event.name = std::move(name);
  event.ha_uuid = std::move(ha_uuid);
  return event;
}

ConfigEvent ConfigEvent::Members(std::vector<MemberRecord> members) {
  ConfigEvent event = Named(kMembersEvent);
  event.members = std::move(members);
  return event;
}

std::string EncodeConfigMessage(const ConfigEvent& event) {
  return EncodeMapMessage(event.event, [&event](MapWriter& body) {
    body.String(field::kEvent, event.event);
    body.Ulong(field::kSeq, event.seq);
    if (const EventCodec* codec = FindEventCodec(event.event)) codec->write(body, event);
  });
}

Result<ConfigEvent> DecodeConfigMessage(std::string_view bytes) {
  Result<DecodedMessage> message = DecodeMapMessage(bytes);
  if (!message.ok()) return message.status();
  DecodeErrors errors("config message");
  const MapReader body(&message.value().body, "", &errors);
  ConfigEvent event;
  event.event = body.String(field::kEvent);
  if (errors.failed()) return errors.status();
  const EventCodec* codec = FindEventCodec(event.event);
  if (!codec) return Status::InvalidArgument("unknown event '" + event.event + "'");
  errors.set_context(event.event);
  event.seq = body.Ulong(field::kSeq);
  codec->read(body, event);
  if (errors.failed()) return errors.status();
  return event;
}

// ---------------------------------------------------------------- queue-link events

std::string EncodeDequeueEvent(const IdRanges& ids) {
  return EncodeMapMessage(kDequeueEvent, [&ids](MapWriter& body) { body.Ids(field::kIds, ids); });
}

std::string EncodeCaughtUpEvent(uint64_t tail) {
  return EncodeMapMessage(kCaughtUpEvent,
                          [tail](MapWriter& body) { body.Ulong(field::kTail, tail); });
}

Result<QueueEvent> DecodeQueueEvent(std::string_view bytes) {
  Result<DecodedMessage> message = DecodeMapMessage(bytes);
  if (!message.ok()) return message.status();
  QueueEvent event;
  event.name = message.value().subject;
  DecodeErrors errors(event.name);
  const MapReader body(&message.value().body, "", &errors);
  if (event.name == kDequeueEvent) {
    event.ids = body.Ids(field::kIds);
  } else if (event.name == kCaughtUpEvent) {
    event.tail = body.Ulong(field::kTail);
  } else {
    return Status::InvalidArgument("unknown event '" + event.name + "'");
  }
  if (errors.failed()) return errors.status();
  return event;
}

// ---------------------------------------------------------------- attach properties

void WriteQueueAttachProperties(pn_data_t* properties, const std::string& uuid,
                                const IdRanges* ids, std::optional<uint64_t> tail) {
  pn_data_clear(properties);
  MapWriter map(properties, MapWriter::Keys::kSymbol);
  map.String(kUuidAttachProperty, uuid);
  if (ids) map.Ids(kIdsAttachProperty, *ids);
  if (tail) map.Ulong(kTailAttachProperty, *tail);
}

Result<QueueAttachProperties> ReadQueueAttachProperties(pn_data_t* properties) {
  pn_data_rewind(properties);
  Node map;  // absent properties read as an empty map
  map.type = PN_MAP;
  if (pn_data_next(properties)) {
    if (pn_data_type(properties) != PN_MAP) {
      const pn_type_t type = pn_data_type(properties);
      pn_data_rewind(properties);
      return Status::InvalidArgument("attach properties are " + TypeName(type) +
                                     ", expected map");
    }
    map = ReadNode(properties);
  }
  pn_data_rewind(properties);  // leave the codec as we found it for other readers
  DecodeErrors errors("attach properties");
  const MapReader reader(&map, "", &errors);
  QueueAttachProperties result;
  result.uuid = reader.String(kUuidAttachProperty);
  if (reader.Has(kIdsAttachProperty)) result.ids = reader.Ids(kIdsAttachProperty);
  if (reader.Has(kTailAttachProperty)) result.tail = reader.Ulong(kTailAttachProperty);
  if (errors.failed()) return errors.status();
  return result;
}

}  // namespace qpidd::ha
