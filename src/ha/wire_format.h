// The HA replication wire format (doc/ha-protocol.md): the names a backup and a primary agree on,
// the delivery tags of queue links, and the encoding of configuration events (section 6) and
// queue-link events (section 7.3) as complete AMQP 1.0 messages. Pure functions, no I/O.
#pragma once

#include <proton/codec.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/value.h"
#include "common/status.h"
#include "ha/id_ranges.h"

namespace qpidd::ha {

// Section 4.5: the protocol version this code speaks.
inline constexpr uint32_t kProtocolVersion = 1;

// Link names and source addresses (6.1, 7.2). A queue link's is the prefix + the exact queue name.
inline constexpr std::string_view kConfigAddress = "$ha.config";
inline constexpr std::string_view kQueueAddressPrefix = "$ha.queue:";
std::string QueueLinkAddress(std::string_view queue);
// The queue named by a queue link address; nullopt when `address` lacks the prefix.
std::optional<std::string> QueueFromLinkAddress(std::string_view address);

// Connection properties (symbol keys) of a backup's open and the broker's own (4.1-4.3).
inline constexpr std::string_view kBackupProperty = "qpid.ha-backup";        // boolean
inline constexpr std::string_view kProtocolProperty = "qpid.ha-protocol";    // uint
inline constexpr std::string_view kBrokerIdProperty = "qpid.ha-broker-id";   // string
inline constexpr std::string_view kAddressProperty = "qpid.ha-address";      // string
inline constexpr std::string_view kStatusProperty = "qpid.ha-status";        // string
inline constexpr std::string_view kEpochProperty = "qpid.ha-epoch";          // uint
inline constexpr std::string_view kReplicateProperty = "qpid.ha-replicate";  // string
inline constexpr std::string_view kAdminProperty = "qpid.ha-admin";          // boolean
// An administrator's connection that may change replicated objects on a backup (for repair).
inline constexpr std::string_view kOverrideProperty = "qpid.ha-override";    // boolean

// Attach properties of a queue link (7.2).
inline constexpr std::string_view kUuidAttachProperty = "qpid.ha-uuid";  // string
inline constexpr std::string_view kIdsAttachProperty = "qpid.ha-ids";    // array of ulong
inline constexpr std::string_view kTailAttachProperty = "qpid.ha-tail";  // ulong

// Error conditions of closes and detaches.
inline constexpr std::string_view kNotPrimaryError = "qpid-ha:not-primary";
inline constexpr std::string_view kProtocolMismatchError = "qpid-ha:protocol-mismatch";
inline constexpr std::string_view kConfigurationMismatchError = "qpid-ha:configuration-mismatch";
// A primary's orderly shutdown closes its backups' connections with it (not a lost primary).
inline constexpr std::string_view kShutdownError = "amqp:connection:forced";
inline constexpr std::string_view kReplicationFailedError = "qpid-ha:replication-failed";

// ---- Queue-link delivery tags (7.3) ----

// The tag of a queue-link event: one byte, a length no transfer's tag has.
inline constexpr char kEventTag = 0x45;  // 'E'

struct IdTag {
  uint64_t id = 0;
  uint64_t expires_at_ms = 0;  // ms since the Unix epoch; 0: never expires
  bool operator==(const IdTag&) const = default;
};

// 8 bytes: the id, big-endian; 16 when expires_at_ms != 0: then the expiry, big-endian.
std::string EncodeIdTag(uint64_t id, uint64_t expires_at_ms = 0);
// nullopt unless the tag has 8 or 16 bytes.
std::optional<IdTag> DecodeIdTag(std::string_view tag);
// Exactly the one byte kEventTag.
bool IsEventTag(std::string_view tag);

// ---- Configuration records (6.2) ----

struct ExchangeRecord {
  std::string name;
  std::string ha_uuid;
  std::string type;  // `exchange-type`
  bool durable = false;
  bool auto_delete = false;
  broker::Arguments arguments;
  bool operator==(const ExchangeRecord&) const = default;
};

struct QueueRecord {
  std::string name;
  std::string ha_uuid;
  bool durable = false;
  bool auto_delete = false;
  bool exclusive = false;
  bool used = false;  // it has had a consumer (for auto-delete)
  broker::Arguments arguments;
  bool operator==(const QueueRecord&) const = default;
};

struct BindingRecord {
  std::string exchange;
  std::string queue;
  std::string key;
  broker::Arguments arguments;
  bool operator==(const BindingRecord&) const = default;
};

struct MemberRecord {
  std::string broker_id;
  std::string address;  // "" when unknown
  std::string status;   // a BrokerStatusName
  bool operator==(const MemberRecord&) const = default;
};

struct HistoryEntry {
  uint32_t epoch = 0;
  std::string broker_id;
  bool operator==(const HistoryEntry&) const = default;
};

// ---- Configuration events (6.3) ----

// Event names: the message subject and the body's `event` field.
inline constexpr std::string_view kSnapshotBeginEvent = "snapshot-begin";
inline constexpr std::string_view kExchangesEvent = "exchanges";
inline constexpr std::string_view kQueuesEvent = "queues";
inline constexpr std::string_view kBindingsEvent = "bindings";
inline constexpr std::string_view kSnapshotEndEvent = "snapshot-end";
inline constexpr std::string_view kExchangeCreateEvent = "exchange-create";
inline constexpr std::string_view kExchangeDeleteEvent = "exchange-delete";
inline constexpr std::string_view kQueueCreateEvent = "queue-create";
inline constexpr std::string_view kQueueDeleteEvent = "queue-delete";
inline constexpr std::string_view kBindEvent = "bind";
inline constexpr std::string_view kUnbindEvent = "unbind";
inline constexpr std::string_view kQueueUsedEvent = "queue-used";
inline constexpr std::string_view kMembersEvent = "members";

// Most records in one `exchanges`, `queues` or `bindings` message.
inline constexpr size_t kMaxSnapshotBatch = 1000;

// One message of the configuration link. `event` says which fields are meaningful; the others
// stay empty. The named constructors leave `seq` 0: the sender numbers messages as it sends them.
struct ConfigEvent {
  std::string event;
  uint64_t seq = 0;

  // snapshot-begin (and `members` for the members event)
  uint32_t protocol = 0;
  std::string broker_id;
  uint32_t epoch = 0;
  std::vector<HistoryEntry> history;  // oldest first
  std::string replicate;
  std::vector<MemberRecord> members;

  // exchanges / queues / bindings: the snapshot batch (`objects`)
  std::vector<ExchangeRecord> exchanges;
  std::vector<QueueRecord> queues;
  std::vector<BindingRecord> bindings;

  // snapshot-end: the counts of records the snapshot sent
  uint64_t exchange_count = 0;
  uint64_t queue_count = 0;
  uint64_t binding_count = 0;

  // exchange-create / queue-create / bind; unbind uses binding's exchange, queue and key only
  std::optional<ExchangeRecord> exchange;
  std::optional<QueueRecord> queue;
  std::optional<BindingRecord> binding;

  // exchange-delete / queue-delete / queue-used
  std::string name;
  std::string ha_uuid;

  bool operator==(const ConfigEvent&) const = default;

  // `protocol` is kProtocolVersion.
  static ConfigEvent SnapshotBegin(std::string broker_id, uint32_t epoch,
                                   std::vector<HistoryEntry> history, std::string replicate,
                                   std::vector<MemberRecord> members);
  static ConfigEvent Exchanges(std::vector<ExchangeRecord> records);
  static ConfigEvent Queues(std::vector<QueueRecord> records);
  static ConfigEvent Bindings(std::vector<BindingRecord> records);
  static ConfigEvent SnapshotEnd(uint64_t exchanges, uint64_t queues, uint64_t bindings);
  static ConfigEvent ExchangeCreate(ExchangeRecord record);
  static ConfigEvent ExchangeDelete(std::string name, std::string ha_uuid);
  static ConfigEvent QueueCreate(QueueRecord record);
  static ConfigEvent QueueDelete(std::string name, std::string ha_uuid);
  static ConfigEvent Bind(BindingRecord record);
  static ConfigEvent Unbind(std::string exchange, std::string queue, std::string key);
  static ConfigEvent QueueUsed(std::string name, std::string ha_uuid);
  static ConfigEvent Members(std::vector<MemberRecord> members);
};

// The whole encoded AMQP message: subject = event, an amqp-value map body with `event`, `seq`
// and the event's fields (6.3). An event name not in 6.3 gets only `event` and `seq` (which the
// receiver refuses).
std::string EncodeConfigMessage(const ConfigEvent& event);

// The inverse. The message's section framing is checked first (Proton alone accepts some
// garbage). Errors (kInvalidArgument) name the event and the field, e.g.
// "queue-create: field 'queue.name' missing", "queues: field 'objects[2].durable' is string,
// expected boolean", "unknown event 'x'". Fields the event does not have are ignored (4.5).
// Argument values that are not scalars (lists, maps) decode as null: broker::Value has no others.
Result<ConfigEvent> DecodeConfigMessage(std::string_view bytes);

// ---- Queue-link events (7.3) ----

inline constexpr std::string_view kDequeueEvent = "dequeue";
inline constexpr std::string_view kCaughtUpEvent = "caught-up";

struct QueueEvent {
  std::string name;  // kDequeueEvent or kCaughtUpEvent
  IdRanges ids;      // dequeue
  uint64_t tail = 0;  // caught-up
};

// Whole encoded messages (send them with the 1-byte kEventTag, pre-settled).
std::string EncodeDequeueEvent(const IdRanges& ids);  // {ids: array of ulong, flattened}
std::string EncodeCaughtUpEvent(uint64_t tail);       // {tail: ulong}
// The event is named by the subject; other names are an error `unknown event 'x'`.
Result<QueueEvent> DecodeQueueEvent(std::string_view bytes);

// ---- Queue-link attach properties (7.2) ----

struct QueueAttachProperties {
  std::string uuid;             // qpid.ha-uuid
  IdRanges ids;                 // qpid.ha-ids; empty when absent
  std::optional<uint64_t> tail;  // qpid.ha-tail; the primary's answer only
};

// Replaces `properties` (as pn_link_properties gives them) with a map of symbol keys:
// qpid.ha-uuid, then qpid.ha-ids when `ids` is given (the backup) and qpid.ha-tail when `tail`
// is (the primary).
void WriteQueueAttachProperties(pn_data_t* properties, const std::string& uuid,
                                const IdRanges* ids, std::optional<uint64_t> tail);
// Reads them back (as pn_link_remote_properties gives them). qpid.ha-uuid is required; the
// others are optional; a wrong type or a malformed id list is an error naming the property.
// Leaves the codec rewound.
Result<QueueAttachProperties> ReadQueueAttachProperties(pn_data_t* properties);

}  // namespace qpidd::ha
