#include "ha/wire_format.h"

#include <gtest/gtest.h>
#include <proton/codec.h>
#include <proton/message.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "broker/message.h"

namespace qpidd::ha {
namespace {

struct PnMessageDeleter {
  void operator()(pn_message_t* m) const { pn_message_free(m); }
};
using PnMessagePtr = std::unique_ptr<pn_message_t, PnMessageDeleter>;

struct PnDataDeleter {
  void operator()(pn_data_t* d) const { pn_data_free(d); }
};
using PnDataPtr = std::unique_ptr<pn_data_t, PnDataDeleter>;

void PutString(pn_data_t* data, const std::string& text) {
  pn_data_put_string(data, pn_bytes(text.size(), text.data()));
}

// A message made with Proton directly, as a peer with other code (or a bug) might send it:
// `subject` and an amqp-value body that `fill_body` puts.
std::string EncodeRaw(const std::string& subject, const std::function<void(pn_data_t*)>& fill_body) {
  PnMessagePtr message(pn_message());
  pn_message_set_inferred(message.get(), false);
  pn_message_set_subject(message.get(), subject.c_str());
  fill_body(pn_message_body(message.get()));
  std::string bytes(1 << 16, '\0');
  size_t size = bytes.size();
  EXPECT_EQ(0, pn_message_encode(message.get(), bytes.data(), &size));
  bytes.resize(size);
  return bytes;
}

// The amqp-value body of an encoded message, for checking AMQP types.
PnMessagePtr DecodeRaw(const std::string& bytes) {
  PnMessagePtr message(pn_message());
  EXPECT_EQ(0, pn_message_decode(message.get(), bytes.data(), bytes.size()));
  return message;
}

// The AMQP type of the value under `key` in the map at the codec's current position.
pn_type_t TypeOfEntry(pn_data_t* data, const std::string& key) {
  pn_type_t found = PN_INVALID;
  pn_data_enter(data);
  while (pn_data_next(data)) {
    pn_bytes_t k = pn_data_type(data) == PN_SYMBOL ? pn_data_get_symbol(data)
                                                   : pn_data_get_string(data);
    pn_data_next(data);
    if (std::string(k.start, k.size) == key) found = pn_data_type(data);
  }
  pn_data_exit(data);
  return found;
}

broker::Arguments SampleArguments() {
  return {{"qpid.replicate", std::string("all")},
          {"qpid.ha-uuid", std::string("0b6e2d9a-7c1f-4d52-9a3e-5b6f7c8d9e0f")},
          {"qpid.max_count", int64_t{10000}},
          {"qpid.max_size", uint64_t{1} << 40},
          {"negative", int64_t{-7}},
          {"ratio", 0.25},
          {"exclusive-ish", true},
          {"nothing", std::monostate{}},
          {"alternate-exchange", std::string("dead")}};
}

ExchangeRecord SampleExchange(const std::string& name) {
  return {name, "uuid-" + name, "topic", true, false, SampleArguments()};
}

QueueRecord SampleQueue(const std::string& name) {
  return {name, "uuid-" + name, true, false, false, true, SampleArguments()};
}

BindingRecord SampleBinding() {
  return {"ex", "orders", "a.*.b", {{"x-match", std::string("all")}, {"n", int64_t{3}}}};
}

std::vector<MemberRecord> SampleMembers() {
  return {{"b1", "host1:5672", "active"}, {"b2", "", "catchup"}};
}

ConfigEvent RoundTrip(const ConfigEvent& event) {
  const std::string bytes = EncodeConfigMessage(event);
  EXPECT_FALSE(bytes.empty());
  Result<ConfigEvent> decoded = DecodeConfigMessage(bytes);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? decoded.value() : ConfigEvent();
}

std::string DecodeError(const std::string& bytes) {
  Result<ConfigEvent> decoded = DecodeConfigMessage(bytes);
  EXPECT_FALSE(decoded.ok());
  if (decoded.ok()) return "";
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  return decoded.status().message();
}

// ---------------------------------------------------------------- tags and addresses

TEST(WireFormatTest, IdTagIsEightBytesBigEndian) {
  const std::string tag = EncodeIdTag(0x0102030405060708);
  EXPECT_EQ(tag, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  std::optional<IdTag> decoded = DecodeIdTag(tag);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->id, 0x0102030405060708u);
  EXPECT_EQ(decoded->expires_at_ms, 0u);
}

TEST(WireFormatTest, IdTagWithExpiryIsSixteenBytes) {
  const uint64_t id = (uint64_t{3} << 48) | 42;
  const uint64_t expiry = 1700000000123;
  const std::string tag = EncodeIdTag(id, expiry);
  ASSERT_EQ(tag.size(), 16u);
  EXPECT_EQ(tag.substr(0, 8), EncodeIdTag(id));
  EXPECT_EQ(DecodeIdTag(tag), (IdTag{id, expiry}));
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(DecodeIdTag(EncodeIdTag(max, max)), (IdTag{max, max}));
}

TEST(WireFormatTest, TagsOfOtherLengthsAreNotIds) {
  for (size_t length : {0, 1, 7, 9, 15, 17, 32}) {
    EXPECT_FALSE(DecodeIdTag(std::string(length, '\x01'))) << length;
  }
}

TEST(WireFormatTest, EventTag) {
  EXPECT_TRUE(IsEventTag(std::string(1, kEventTag)));
  EXPECT_TRUE(IsEventTag("E"));
  EXPECT_FALSE(IsEventTag(""));
  EXPECT_FALSE(IsEventTag("F"));
  EXPECT_FALSE(IsEventTag("EE"));
  EXPECT_FALSE(IsEventTag(EncodeIdTag(0x45)));
}

TEST(WireFormatTest, QueueLinkAddresses) {
  EXPECT_EQ(QueueLinkAddress("orders"), "$ha.queue:orders");
  EXPECT_EQ(QueueFromLinkAddress("$ha.queue:a:b"), "a:b");
  EXPECT_EQ(QueueFromLinkAddress("$ha.queue:"), "");
  EXPECT_FALSE(QueueFromLinkAddress("$ha.config"));
  EXPECT_FALSE(QueueFromLinkAddress("orders"));
}

// ---------------------------------------------------------------- configuration events

TEST(WireFormatTest, SnapshotBeginRoundTrip) {
  ConfigEvent event = ConfigEvent::SnapshotBegin("b1", 3, {{1, "b0"}, {2, "b2"}, {3, "b1"}},
                                                 "configuration", SampleMembers());
  event.seq = 1;
  EXPECT_EQ(event.protocol, kProtocolVersion);
  EXPECT_EQ(RoundTrip(event), event);
}

TEST(WireFormatTest, SnapshotBatchesRoundTrip) {
  ConfigEvent exchanges = ConfigEvent::Exchanges({SampleExchange("dead"), SampleExchange("ex")});
  exchanges.seq = 2;
  EXPECT_EQ(RoundTrip(exchanges), exchanges);
  ConfigEvent queues = ConfigEvent::Queues({SampleQueue("a"), SampleQueue("b"), {}});
  queues.seq = 3;
  EXPECT_EQ(RoundTrip(queues), queues);
  ConfigEvent bindings = ConfigEvent::Bindings({SampleBinding(), {"ex", "q", "", {}}});
  bindings.seq = 4;
  EXPECT_EQ(RoundTrip(bindings), bindings);
  ConfigEvent empty = ConfigEvent::Queues({});
  EXPECT_EQ(RoundTrip(empty), empty);
}

TEST(WireFormatTest, LargeSnapshotBatchRoundTrip) {
  std::vector<QueueRecord> queues;
  for (size_t i = 0; i < kMaxSnapshotBatch; ++i) queues.push_back(SampleQueue(std::to_string(i)));
  ConfigEvent event = ConfigEvent::Queues(std::move(queues));
  event.seq = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(RoundTrip(event), event);
}

TEST(WireFormatTest, SnapshotEndRoundTrip) {
  ConfigEvent event = ConfigEvent::SnapshotEnd(5, 100000, 7);
  event.seq = 9;
  EXPECT_EQ(RoundTrip(event), event);
}

TEST(WireFormatTest, CreateDeleteAndBindingEventsRoundTrip) {
  const ConfigEvent events[] = {
      ConfigEvent::ExchangeCreate(SampleExchange("ex")),
      ConfigEvent::ExchangeDelete("ex", "uuid-ex"),
      ConfigEvent::QueueCreate(SampleQueue("orders")),
      ConfigEvent::QueueDelete("orders", "uuid-orders"),
      ConfigEvent::Bind(SampleBinding()),
      ConfigEvent::Unbind("ex", "orders", "a.*.b"),
      ConfigEvent::QueueUsed("orders", "uuid-orders"),
      ConfigEvent::Members(SampleMembers()),
      ConfigEvent::Members({}),
  };
  uint64_t seq = 10;
  for (ConfigEvent event : events) {
    event.seq = seq++;
    EXPECT_EQ(RoundTrip(event), event) << event.event;
  }
}

TEST(WireFormatTest, ArgumentValuesKeepTheirKind) {
  ConfigEvent decoded = RoundTrip(ConfigEvent::QueueCreate(SampleQueue("q")));
  ASSERT_TRUE(decoded.queue);
  const broker::Arguments& arguments = decoded.queue->arguments;
  EXPECT_EQ(std::get<std::string>(arguments.at("qpid.replicate")), "all");
  EXPECT_EQ(std::get<int64_t>(arguments.at("qpid.max_count")), 10000);
  EXPECT_EQ(std::get<uint64_t>(arguments.at("qpid.max_size")), uint64_t{1} << 40);
  EXPECT_EQ(std::get<int64_t>(arguments.at("negative")), -7);
  EXPECT_EQ(std::get<double>(arguments.at("ratio")), 0.25);
  EXPECT_TRUE(std::get<bool>(arguments.at("exclusive-ish")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(arguments.at("nothing")));
}

TEST(WireFormatTest, MessageHasTheSubjectAndTypesOfTheProtocol) {
  ConfigEvent event = ConfigEvent::SnapshotBegin("b1", 2, {{2, "b1"}}, "all", {});
  event.seq = 1;
  const std::string bytes = EncodeConfigMessage(event);

  // The broker's own decoder sees an ordinary message.
  Result<broker::MessagePtr> message = broker::Message::Decode(bytes);
  ASSERT_TRUE(message.ok()) << message.status().message();
  EXPECT_EQ(message.value()->subject(), "snapshot-begin");

  PnMessagePtr raw = DecodeRaw(bytes);
  pn_data_t* body = pn_message_body(raw.get());
  pn_data_rewind(body);
  ASSERT_TRUE(pn_data_next(body));
  ASSERT_EQ(pn_data_type(body), PN_MAP);
  EXPECT_EQ(TypeOfEntry(body, "event"), PN_STRING);
  EXPECT_EQ(TypeOfEntry(body, "seq"), PN_ULONG);
  EXPECT_EQ(TypeOfEntry(body, "protocol"), PN_UINT);
  EXPECT_EQ(TypeOfEntry(body, "epoch"), PN_UINT);
  EXPECT_EQ(TypeOfEntry(body, "history"), PN_LIST);
  EXPECT_EQ(TypeOfEntry(body, "members"), PN_LIST);

  PnMessagePtr end = DecodeRaw(EncodeConfigMessage(ConfigEvent::SnapshotEnd(1, 2, 3)));
  pn_data_t* end_body = pn_message_body(end.get());
  pn_data_rewind(end_body);
  ASSERT_TRUE(pn_data_next(end_body));
  EXPECT_EQ(TypeOfEntry(end_body, "queues"), PN_ULONG);
}

TEST(WireFormatTest, UnknownFieldsAreIgnored) {
  const std::string bytes = EncodeRaw("queue-delete", [](pn_data_t* d) {
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "event");
    PutString(d, "queue-delete");
    PutString(d, "future-field");
    pn_data_put_list(d);
    PutString(d, "seq");
    pn_data_put_uint(d, 12);  // any unsigned width is accepted
    PutString(d, "name");
    PutString(d, "q");
    pn_data_put_symbol(d, pn_bytes(7, "ha-uuid"));  // symbol keys too
    pn_data_put_symbol(d, pn_bytes(1, "u"));
    pn_data_exit(d);
  });
  Result<ConfigEvent> decoded = DecodeConfigMessage(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded.value().seq, 12u);
  EXPECT_EQ(decoded.value().name, "q");
  EXPECT_EQ(decoded.value().ha_uuid, "u");
}

TEST(WireFormatTest, NestedArgumentValuesDecodeAsNull) {
  // broker::Value holds scalars only: a nested map or list is kept as null, not refused.
  const std::string bytes = EncodeRaw("bind", [](pn_data_t* d) {
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "event");
    PutString(d, "bind");
    PutString(d, "seq");
    pn_data_put_ulong(d, 5);
    PutString(d, "binding");
    pn_data_put_map(d);
    pn_data_enter(d);
    for (const char* key : {"exchange", "queue", "key"}) {
      PutString(d, key);
      PutString(d, "x");
    }
    PutString(d, "arguments");
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "nested");
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "inner");
    pn_data_put_int(d, 1);
    pn_data_exit(d);
    PutString(d, "plain");
    pn_data_put_int(d, -2);
    pn_data_exit(d);
    pn_data_exit(d);
    pn_data_exit(d);
  });
  Result<ConfigEvent> decoded = DecodeConfigMessage(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_TRUE(decoded.value().binding);
  const broker::Arguments& arguments = decoded.value().binding->arguments;
  EXPECT_TRUE(std::holds_alternative<std::monostate>(arguments.at("nested")));
  EXPECT_EQ(std::get<int64_t>(arguments.at("plain")), -2);
}

// ---------------------------------------------------------------- configuration decode errors

// A body map with `event` and `seq`, then what `rest` puts.
std::string EncodeEvent(const std::string& event, const std::function<void(pn_data_t*)>& rest) {
  return EncodeRaw(event, [&](pn_data_t* d) {
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "event");
    PutString(d, event);
    PutString(d, "seq");
    pn_data_put_ulong(d, 1);
    rest(d);
    pn_data_exit(d);
  });
}

TEST(WireFormatTest, MissingFieldIsNamed) {
  const std::string bytes = EncodeEvent("queue-create", [](pn_data_t* d) {
    PutString(d, "queue");
    pn_data_put_map(d);
    pn_data_enter(d);
    PutString(d, "ha-uuid");
    PutString(d, "u");
    pn_data_exit(d);
  });
  EXPECT_EQ(DecodeError(bytes), "queue-create: field 'queue.name' missing");

  EXPECT_EQ(DecodeError(EncodeEvent("queue-create", [](pn_data_t*) {})),
            "queue-create: field 'queue' missing");
  EXPECT_EQ(DecodeError(EncodeEvent("snapshot-end", [](pn_data_t* d) {
              PutString(d, "exchanges");
              pn_data_put_ulong(d, 1);
            })),
            "snapshot-end: field 'queues' missing");
}

TEST(WireFormatTest, MissingEventOrSeq) {
  EXPECT_EQ(DecodeError(EncodeRaw("x",
                                  [](pn_data_t* d) {
                                    pn_data_put_map(d);
                                    pn_data_enter(d);
                                    PutString(d, "seq");
                                    pn_data_put_ulong(d, 1);
                                    pn_data_exit(d);
                                  })),
            "config message: field 'event' missing");
  EXPECT_EQ(DecodeError(EncodeRaw("members",
                                  [](pn_data_t* d) {
                                    pn_data_put_map(d);
                                    pn_data_enter(d);
                                    PutString(d, "event");
                                    PutString(d, "members");
                                    PutString(d, "members");
                                    pn_data_put_list(d);
                                    pn_data_exit(d);
                                  })),
            "members: field 'seq' missing");
}

TEST(WireFormatTest, WrongTypeIsNamed) {
  EXPECT_EQ(DecodeError(EncodeRaw("queue-used",
                                  [](pn_data_t* d) {
                                    pn_data_put_map(d);
                                    pn_data_enter(d);
                                    PutString(d, "event");
                                    PutString(d, "queue-used");
                                    PutString(d, "seq");
                                    PutString(d, "1");
                                    pn_data_exit(d);
                                  })),
            "queue-used: field 'seq' is string, expected ulong");
  EXPECT_EQ(DecodeError(EncodeEvent("snapshot-end",
                                    [](pn_data_t* d) {
                                      PutString(d, "exchanges");
                                      pn_data_put_long(d, 1);  // signed: not a count
                                    })),
            "snapshot-end: field 'exchanges' is long, expected ulong");
}

TEST(WireFormatTest, WrongTypeInsideAListIsNamed) {
  // The same batch with the second record's `durable` a string.
  const std::string bytes = EncodeEvent("queues", [](pn_data_t* d) {
    PutString(d, "objects");
    pn_data_put_list(d);
    pn_data_enter(d);
    for (const char* durable : {"true-as-bool", "yes"}) {
      pn_data_put_map(d);
      pn_data_enter(d);
      for (const char* key : {"name", "ha-uuid"}) {
        PutString(d, key);
        PutString(d, "x");
      }
      PutString(d, "durable");
      if (std::string(durable) == "true-as-bool") pn_data_put_bool(d, true);
      else PutString(d, durable);
      for (const char* key : {"auto-delete", "exclusive", "used"}) {
        PutString(d, key);
        pn_data_put_bool(d, false);
      }
      PutString(d, "arguments");
      pn_data_put_map(d);
      pn_data_exit(d);
    }
    pn_data_exit(d);
  });
  EXPECT_EQ(DecodeError(bytes), "queues: field 'objects[1].durable' is string, expected boolean");

  EXPECT_EQ(DecodeError(EncodeEvent("members",
                                    [](pn_data_t* d) {
                                      PutString(d, "members");
                                      pn_data_put_list(d);
                                      pn_data_enter(d);
                                      PutString(d, "b1");
                                      pn_data_exit(d);
                                    })),
            "members: field 'members[0]' is string, expected map");
  EXPECT_EQ(DecodeError(EncodeEvent("bind",
                                    [](pn_data_t* d) {
                                      PutString(d, "binding");
                                      pn_data_put_list(d);
                                    })),
            "bind: field 'binding' is list, expected map");
}

TEST(WireFormatTest, UintOutOfRange) {
  const std::string bytes = EncodeEvent("snapshot-begin", [](pn_data_t* d) {
    PutString(d, "protocol");
    pn_data_put_ulong(d, uint64_t{1} << 32);
  });
  EXPECT_EQ(DecodeError(bytes),
            "snapshot-begin: field 'protocol' is 4294967296, out of range for uint");
}

TEST(WireFormatTest, UnknownEvent) {
  EXPECT_EQ(DecodeError(EncodeEvent("queue-rename", [](pn_data_t*) {})),
            "unknown event 'queue-rename'");
  ConfigEvent unknown;
  unknown.event = "x";
  EXPECT_EQ(DecodeError(EncodeConfigMessage(unknown)), "unknown event 'x'");
}

TEST(WireFormatTest, GarbageAndNonMapBodies) {
  const std::string garbage = DecodeError(std::string("\x00\x53\x77\xff\xff garbage", 13));
  EXPECT_EQ(garbage.rfind("cannot decode message: ", 0), 0u) << garbage;
  EXPECT_FALSE(DecodeConfigMessage(std::string(3, '\xff')).ok());
  EXPECT_EQ(DecodeError(""), "cannot decode message: no bytes");  // Proton asserts on 0 bytes
  EXPECT_EQ(DecodeQueueEvent("").status().message(), "cannot decode message: no bytes");
  EXPECT_EQ(DecodeError(EncodeRaw("members", [](pn_data_t* d) { PutString(d, "members"); })),
            "message body is string, expected map");
  EXPECT_EQ(DecodeError(EncodeRaw("members", [](pn_data_t*) {})),
            "message has no body, expected a map");
  // A truncated message, and one with bytes after its last section.
  const std::string bytes = EncodeConfigMessage(ConfigEvent::Members(SampleMembers()));
  const std::string truncated = DecodeError(bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(truncated.rfind("cannot decode message: ", 0), 0u) << truncated;
  const std::string trailing = DecodeError(bytes + "junk");
  EXPECT_EQ(trailing.rfind("cannot decode message: ", 0), 0u) << trailing;
}

// ---------------------------------------------------------------- queue-link events

TEST(WireFormatTest, DequeueEventRoundTrip) {
  IdRanges ids;
  ids.AddRange(1, 5);
  ids.Add(9);
  ids.AddRange((uint64_t{2} << 48) + 1, (uint64_t{2} << 48) + 100);
  const std::string bytes = EncodeDequeueEvent(ids);
  Result<QueueEvent> decoded = DecodeQueueEvent(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded.value().name, kDequeueEvent);
  EXPECT_EQ(decoded.value().ids, ids);

  PnMessagePtr raw = DecodeRaw(bytes);
  EXPECT_STREQ(pn_message_get_subject(raw.get()), "dequeue");
  pn_data_t* body = pn_message_body(raw.get());
  pn_data_rewind(body);
  ASSERT_TRUE(pn_data_next(body));
  EXPECT_EQ(TypeOfEntry(body, "ids"), PN_ARRAY);

  Result<QueueEvent> empty = DecodeQueueEvent(EncodeDequeueEvent(IdRanges()));
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty.value().ids.empty());
}

TEST(WireFormatTest, CaughtUpEventRoundTrip) {
  Result<QueueEvent> decoded = DecodeQueueEvent(EncodeCaughtUpEvent((uint64_t{1} << 48) + 77));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded.value().name, kCaughtUpEvent);
  EXPECT_EQ(decoded.value().tail, (uint64_t{1} << 48) + 77);
}

TEST(WireFormatTest, QueueEventErrors) {
  auto error = [](const std::string& bytes) {
    Result<QueueEvent> decoded = DecodeQueueEvent(bytes);
    EXPECT_FALSE(decoded.ok());
    return decoded.ok() ? std::string() : decoded.status().message();
  };
  auto map_with = [](const std::string& subject, const std::function<void(pn_data_t*)>& put) {
    return EncodeRaw(subject, [&](pn_data_t* d) {
      pn_data_put_map(d);
      pn_data_enter(d);
      put(d);
      pn_data_exit(d);
    });
  };
  EXPECT_EQ(error(map_with("enqueue", [](pn_data_t*) {})), "unknown event 'enqueue'");
  EXPECT_EQ(error(map_with("caught-up", [](pn_data_t*) {})), "caught-up: field 'tail' missing");
  EXPECT_EQ(error(map_with("dequeue",
                           [](pn_data_t* d) {
                             PutString(d, "ids");
                             pn_data_put_array(d, false, PN_ULONG);
                             pn_data_enter(d);
                             for (uint64_t bound : {1, 2, 3}) pn_data_put_ulong(d, bound);
                             pn_data_exit(d);
                           })),
            "dequeue: field 'ids' is malformed: odd number of range bounds (3)");
  EXPECT_EQ(error(map_with("dequeue",
                           [](pn_data_t* d) {
                             PutString(d, "ids");
                             pn_data_put_array(d, false, PN_LONG);
                             pn_data_enter(d);
                             pn_data_put_long(d, 1);
                             pn_data_put_long(d, 2);
                             pn_data_exit(d);
                           })),
            "dequeue: field 'ids[0]' is long, expected ulong");
  EXPECT_EQ(error(map_with("dequeue",
                           [](pn_data_t* d) {
                             PutString(d, "ids");
                             pn_data_put_ulong(d, 1);
                           })),
            "dequeue: field 'ids' is ulong, expected array of ulong");
  EXPECT_EQ(error("junk").rfind("cannot decode message: ", 0), 0u);
}

// ---------------------------------------------------------------- attach properties

// Writes the properties, sends them through the AMQP encoding as an attach frame would, and
// reads them back from the decoded copy.
Result<QueueAttachProperties> ThroughTheWire(const std::string& uuid, const IdRanges* ids,
                                             std::optional<uint64_t> tail) {
  PnDataPtr written(pn_data(0));
  WriteQueueAttachProperties(written.get(), uuid, ids, tail);
  std::string buffer(1 << 16, '\0');
  const ssize_t size = pn_data_encode(written.get(), buffer.data(), buffer.size());
  EXPECT_GT(size, 0);
  PnDataPtr received(pn_data(0));
  EXPECT_EQ(pn_data_decode(received.get(), buffer.data(), static_cast<size_t>(size)), size);
  return ReadQueueAttachProperties(received.get());
}

TEST(WireFormatTest, BackupAttachPropertiesRoundTrip) {
  IdRanges ids;
  ids.AddRange(1, 10);
  ids.AddRange(20, 30);
  Result<QueueAttachProperties> read = ThroughTheWire("uuid-1", &ids, std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value().uuid, "uuid-1");
  EXPECT_EQ(read.value().ids, ids);
  EXPECT_FALSE(read.value().tail);

  IdRanges none;
  Result<QueueAttachProperties> empty = ThroughTheWire("uuid-2", &none, std::nullopt);
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty.value().ids.empty());
}

TEST(WireFormatTest, PrimaryAttachPropertiesRoundTrip) {
  Result<QueueAttachProperties> read = ThroughTheWire("uuid-1", nullptr, uint64_t{12345});
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value().uuid, "uuid-1");
  EXPECT_TRUE(read.value().ids.empty());
  EXPECT_EQ(read.value().tail, 12345u);
}

TEST(WireFormatTest, AttachPropertiesUseSymbolKeysAndAnArrayOfUlong) {
  PnDataPtr data(pn_data(0));
  IdRanges ids;
  ids.Add(7);
  WriteQueueAttachProperties(data.get(), "u", &ids, uint64_t{1});
  pn_data_rewind(data.get());
  ASSERT_TRUE(pn_data_next(data.get()));
  ASSERT_EQ(pn_data_type(data.get()), PN_MAP);
  pn_data_enter(data.get());
  ASSERT_TRUE(pn_data_next(data.get()));
  EXPECT_EQ(pn_data_type(data.get()), PN_SYMBOL);
  pn_data_exit(data.get());
  EXPECT_EQ(TypeOfEntry(data.get(), "qpid.ha-ids"), PN_ARRAY);
  EXPECT_EQ(TypeOfEntry(data.get(), "qpid.ha-tail"), PN_ULONG);

  // Writing again replaces what was there, and reading leaves the codec rewound.
  WriteQueueAttachProperties(data.get(), "v", nullptr, std::nullopt);
  Result<QueueAttachProperties> first = ReadQueueAttachProperties(data.get());
  Result<QueueAttachProperties> second = ReadQueueAttachProperties(data.get());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second.value().uuid, "v");
  EXPECT_TRUE(second.value().ids.empty());
  EXPECT_FALSE(second.value().tail);
}

TEST(WireFormatTest, AttachPropertiesErrors) {
  PnDataPtr data(pn_data(0));
  Result<QueueAttachProperties> absent = ReadQueueAttachProperties(data.get());
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().message(), "attach properties: field 'qpid.ha-uuid' missing");

  pn_data_put_list(data.get());
  Result<QueueAttachProperties> list = ReadQueueAttachProperties(data.get());
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "attach properties are list, expected map");

  pn_data_clear(data.get());
  pn_data_put_map(data.get());
  pn_data_enter(data.get());
  pn_data_put_symbol(data.get(), pn_bytes(12, "qpid.ha-uuid"));
  PutString(data.get(), "u");
  pn_data_put_symbol(data.get(), pn_bytes(12, "qpid.ha-tail"));
  PutString(data.get(), "12");
  pn_data_exit(data.get());
  Result<QueueAttachProperties> tail = ReadQueueAttachProperties(data.get());
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.status().message(),
            "attach properties: field 'qpid.ha-tail' is string, expected ulong");
}

}  // namespace
}  // namespace qpidd::ha
