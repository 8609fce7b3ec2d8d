#include "management/management_agent.h"

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>
#include <proton/message_id.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

#include "broker/broker.h"
#include "broker/message.h"
#include "management/protocol.h"
#include "management/value_codec.h"

namespace qpidd::management {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A reply, decoded.
struct Answer {
  int32_t code = 0;
  std::string description;
  AttributeMap body;
  proton::value raw_body;
};

class ManagementAgentTest : public ::testing::Test {
 protected:
  ManagementAgentTest() : broker_(broker::BrokerConfig{.id = "broker-1"}), agent_(broker_) {
    requester_.id = 7;
    requester_.remote_address = "127.0.0.1:40000";
    requester_.user = "admin";
  }

  static proton::message Request(const std::string& operation, const std::string& type,
                                 const std::string& name = "", const AttributeMap& body = {}) {
    proton::message m;
    m.id(proton::message_id(uint64_t{42}));
    m.reply_to("reply-address");
    if (!operation.empty()) m.properties().put("operation", operation);
    if (!type.empty()) m.properties().put("type", type);
    if (!name.empty()) m.properties().put("name", name);
    m.body(AttributeMapToProton(body));
    return m;
  }

  Answer Send(const proton::message& request) { return SendTo(agent_, request); }

  Answer SendTo(ManagementAgent& agent, const proton::message& request) {
    proton::message reply = agent.Handle(request, requester_);
    Answer a;
    EXPECT_TRUE(reply.properties().exists("statusCode"));
    EXPECT_TRUE(reply.properties().exists("statusDescription"));
    a.code = proton::get<int32_t>(reply.properties().get("statusCode"));
    a.description = proton::get<std::string>(reply.properties().get("statusDescription"));
    a.raw_body = reply.body();
    if (reply.body().type() == proton::MAP) {
      auto body = AttributeMapFromProton(reply.body(), "reply");
      EXPECT_TRUE(body.ok());
      if (body.ok()) a.body = body.value();
    }
    return a;
  }

  Answer Send(const std::string& operation, const std::string& type, const std::string& name = "",
              const AttributeMap& body = {}) {
    return Send(Request(operation, type, name, body));
  }

  // QUERY's results as rows of values.
  static std::vector<std::vector<proton::value>> Rows(const Answer& a) {
    std::vector<proton::value> results;
    proton::get(a.body.at("results"), results);
    std::vector<std::vector<proton::value>> rows;
    for (const auto& r : results) rows.push_back(proton::get<std::vector<proton::value>>(r));
    return rows;
  }

  static std::vector<std::string> Names(const Answer& a) {
    std::vector<proton::value> names;
    proton::get(a.body.at("attributeNames"), names);
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(proton::get<std::string>(n));
    return out;
  }

  // With `property`, the message carries the application property key=value; with `ttl`, a ttl.
  void Enqueue(const std::string& queue, const std::string& text,
               const std::pair<std::string, std::string>& property = {},
               std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
    proton::message m(text);
    if (!property.first.empty()) m.properties().put(property.first, property.second);
    if (ttl.count() > 0) m.ttl(proton::duration(ttl.count()));
    std::vector<char> bytes;
    m.encode(bytes);
    auto decoded = broker::Message::Decode(std::string(bytes.begin(), bytes.end()));
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    ASSERT_TRUE(broker_.FindQueue(queue)->Enqueue(decoded.value(), nullptr).ok());
  }

  static AttributeMap Arguments(const AttributeMap& arguments) {
    return {{"arguments", AttributeMapToProton(arguments)}};
  }

  static std::string String(const Answer& a, const std::string& attribute) {
    return proton::get<std::string>(a.body.at(attribute));
  }

  static uint64_t Ulong(const Answer& a, const std::string& attribute) {
    return proton::get<uint64_t>(a.body.at(attribute));
  }

  broker::Broker broker_;
  ManagementAgent agent_;
  broker::ConnectionInfo requester_;
};

// A consumer that never needs waking: the tests acquire directly.
class IdleListener : public broker::QueueListener {
 public:
  void OnMessagesAvailable() override {}
  void OnQueueDeleted() override {}
};

// --- queues ---------------------------------------------------------------------------------

TEST_F(ManagementAgentTest, CreateQueueReturnsCreatedWithItsAttributes) {
  Answer a = Send("CREATE", "queue", "q1",
                  {{"durable", true},
                   {"arguments", AttributeMapToProton({{"x-custom", int64_t{5}}})}});
  ASSERT_EQ(a.code, 201) << a.description;
  EXPECT_EQ(a.description, "Created");
  EXPECT_EQ(proton::get<std::string>(a.body.at("name")), "q1");
  EXPECT_EQ(proton::get<std::string>(a.body.at("type")), "queue");
  EXPECT_TRUE(proton::get<bool>(a.body.at("durable")));
  EXPECT_FALSE(proton::get<bool>(a.body.at("auto-delete")));
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("msgDepth")), 0u);
  ASSERT_NE(broker_.FindQueue("q1"), nullptr);
  EXPECT_TRUE(broker_.FindQueue("q1")->settings().durable);
  EXPECT_EQ(std::get<int64_t>(broker_.FindQueue("q1")->settings().arguments.at("x-custom")), 5);
}

TEST_F(ManagementAgentTest, CreateExistingQueueIsConflict) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("CREATE", "queue", "q1");
  EXPECT_EQ(a.code, 409);
  EXPECT_THAT(a.description, HasSubstr("'q1' already exists"));
}

TEST_F(ManagementAgentTest, CreateQueueWithReplicateSetsTheArgument) {
  Answer a = Send("CREATE", "queue", "rq", {{"replicate", std::string("all")}});
  ASSERT_EQ(a.code, 201) << a.description;
  EXPECT_EQ(proton::get<std::string>(a.body.at("replicate")), "all");
  EXPECT_EQ(broker_.FindQueue("rq")->settings().replicate, broker::ReplicationLevel::kAll);
  EXPECT_EQ(std::get<std::string>(broker_.FindQueue("rq")->settings().arguments.at(
                "qpid.replicate")),
            "all");
}

TEST_F(ManagementAgentTest, BadReplicateLevelIsBadRequestNamingIt) {
  Answer a = Send("CREATE", "queue", "rq", {{"replicate", std::string("sometimes")}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("sometimes"));
  EXPECT_EQ(broker_.FindQueue("rq"), nullptr);
}

TEST_F(ManagementAgentTest, ConflictingReplicateAttributeAndArgumentIsBadRequest) {
  Answer a = Send("CREATE", "queue", "rq",
                  {{"replicate", std::string("all")},
                   {"arguments", AttributeMapToProton({{"qpid.replicate", std::string("none")}})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("qpid.replicate"));
}

TEST_F(ManagementAgentTest, ReadQueueReportsStatistics) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Enqueue("q1", "one");
  Enqueue("q1", "two");
  Answer a = Send("READ", "queue", "q1");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("msgDepth")), 2u);
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("msgTotalEnqueues")), 2u);
  EXPECT_GT(proton::get<uint64_t>(a.body.at("byteDepth")), 0u);
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("consumerCount")), 0u);
  EXPECT_EQ(a.body.at("replicate").type(), proton::NULL_TYPE);
}

TEST_F(ManagementAgentTest, ReadByIdentityWorksLikeName) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  proton::message m = Request("READ", "queue");
  m.properties().put("identity", "q1");
  EXPECT_EQ(Send(m).code, 200);
}

TEST_F(ManagementAgentTest, ReadMissingQueueIsNotFoundNamingIt) {
  Answer a = Send("READ", "queue", "nope");
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("'nope'"));
}

TEST_F(ManagementAgentTest, DeleteQueueIsNoContent) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("DELETE", "queue", "q1");
  EXPECT_EQ(a.code, 204);
  EXPECT_EQ(a.description, "No Content");
  EXPECT_EQ(broker_.FindQueue("q1"), nullptr);
  EXPECT_EQ(Send("DELETE", "queue", "q1").code, 404);
}

TEST_F(ManagementAgentTest, DeleteIfEmptyRefusesAQueueWithMessages) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Enqueue("q1", "one");
  Answer a = Send("DELETE", "queue", "q1", {{"if-empty", true}});
  EXPECT_EQ(a.code, 409);
  EXPECT_THAT(a.description, HasSubstr("not empty"));
  EXPECT_NE(broker_.FindQueue("q1"), nullptr);
  EXPECT_EQ(Send("DELETE", "queue", "q1").code, 204);
}

TEST_F(ManagementAgentTest, PurgeRemovesMessagesAndSaysHowMany) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Enqueue("q1", "one");
  Enqueue("q1", "two");
  Answer a = Send("purge", "queue", "q1");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("messages")), 2u);
  EXPECT_EQ(broker_.FindQueue("q1")->Stats().depth, 0u);
}

TEST_F(ManagementAgentTest, UpdateIsNotImplemented) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("UPDATE", "queue", "q1", {{"durable", true}});
  EXPECT_EQ(a.code, 501);
  EXPECT_THAT(a.description, HasSubstr("UPDATE"));
  EXPECT_THAT(a.description, HasSubstr("queue"));
}

// --- queue policies, ordering and alternate exchanges -----------------------------------------

TEST_F(ManagementAgentTest, ReadQueueReportsTheSettingsInEffectWithTheBrokerDefault) {
  broker::Broker broker(broker::BrokerConfig{.id = "b", .default_queue_limit = 4096});
  ManagementAgent agent(broker);
  ASSERT_EQ(SendTo(agent, Request("CREATE", "queue", "plain")).code, 201);
  Answer a = SendTo(agent, Request("READ", "queue", "plain"));
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(String(a, "limit-policy"), "reject");
  EXPECT_EQ(Ulong(a, "maxCount"), 0u);
  EXPECT_EQ(Ulong(a, "maxSize"), 4096u);  // the broker's --default-queue-limit
  EXPECT_EQ(proton::get<uint32_t>(a.body.at("priorities")), 0u);
  EXPECT_EQ(a.body.at("lvqKey").type(), proton::NULL_TYPE);
  EXPECT_EQ(a.body.at("alternate-exchange").type(), proton::NULL_TYPE);
  EXPECT_FALSE(proton::get<bool>(a.body.at("flowStopped")));
  for (const char* counter :
       {"discardsRing", "discardsLvq", "discardsTtl", "discardsSubscriber", "reroutes"}) {
    EXPECT_EQ(Ulong(a, counter), 0u) << counter;
  }
}

TEST_F(ManagementAgentTest, ReadQueueReportsItsDeclaredLimitsAndPolicy) {
  ASSERT_EQ(Send("CREATE", "queue", "ring",
                 Arguments({{"qpid.max_count", int64_t{2}},
                            {"qpid.max_size", int64_t{100000}},
                            {"qpid.policy_type", std::string("ring")}}))
                .code,
            201);
  for (const char* text : {"one", "two", "three"}) Enqueue("ring", text);
  Answer a = Send("READ", "queue", "ring");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(String(a, "limit-policy"), "ring");
  EXPECT_EQ(Ulong(a, "maxCount"), 2u);
  EXPECT_EQ(Ulong(a, "maxSize"), 100000u);
  EXPECT_EQ(Ulong(a, "msgDepth"), 2u);
  EXPECT_EQ(Ulong(a, "discardsRing"), 1u);
}

TEST_F(ManagementAgentTest, ReadQueueReportsLastValueKeyAndReplacements) {
  ASSERT_EQ(Send("CREATE", "queue", "prices",
                 Arguments({{"qpid.last_value_queue_key", std::string("symbol")}}))
                .code,
            201);
  Enqueue("prices", "10", {"symbol", "ACME"});
  Enqueue("prices", "11", {"symbol", "ACME"});
  Answer a = Send("READ", "queue", "prices");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(String(a, "lvqKey"), "symbol");
  EXPECT_EQ(Ulong(a, "msgDepth"), 1u);
  EXPECT_EQ(Ulong(a, "discardsLvq"), 1u);
}

TEST_F(ManagementAgentTest, ReadQueueReportsPriorityLevels) {
  ASSERT_EQ(Send("CREATE", "queue", "jobs",
                 Arguments({{"qpid.priorities", int64_t{3}}, {"qpid.fairshare", int64_t{2}}}))
                .code,
            201);
  Answer a = Send("READ", "queue", "jobs");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(proton::get<uint32_t>(a.body.at("priorities")), 3u);
}

TEST_F(ManagementAgentTest, ReadQueueReportsFlowStopped) {
  ASSERT_EQ(Send("CREATE", "queue", "slow",
                 Arguments({{"qpid.max_count", int64_t{10}},
                            {"qpid.flow_stop_count", int64_t{2}},
                            {"qpid.flow_resume_count", int64_t{1}}}))
                .code,
            201);
  Enqueue("slow", "one");
  EXPECT_FALSE(proton::get<bool>(Send("READ", "queue", "slow").body.at("flowStopped")));
  Enqueue("slow", "two");
  EXPECT_TRUE(proton::get<bool>(Send("READ", "queue", "slow").body.at("flowStopped")));
}

TEST_F(ManagementAgentTest, CreateQueueWithAlternateExchangeSetsTheArgument) {
  ASSERT_EQ(Send("CREATE", "exchange", "dead", {{"exchange-type", std::string("fanout")}}).code,
            201);
  Answer a = Send("CREATE", "queue", "work", {{"alternate-exchange", std::string("dead")}});
  ASSERT_EQ(a.code, 201) << a.description;
  EXPECT_EQ(String(a, "alternate-exchange"), "dead");
  const broker::QueueSettings& settings = broker_.FindQueue("work")->settings();
  EXPECT_EQ(settings.alternate_exchange, "dead");
  EXPECT_EQ(std::get<std::string>(settings.arguments.at("alternate-exchange")), "dead");
  EXPECT_EQ(String(Send("READ", "queue", "work"), "alternate-exchange"), "dead");
}

TEST_F(ManagementAgentTest, AlternateExchangeAttributeAndArgumentMayAgree) {
  ASSERT_EQ(Send("CREATE", "exchange", "dead", {{"exchange-type", std::string("fanout")}}).code,
            201);
  AttributeMap body = Arguments({{"alternate-exchange", std::string("dead")}});
  body["alternate-exchange"] = std::string("dead");
  Answer a = Send("CREATE", "queue", "work", body);
  EXPECT_EQ(a.code, 201) << a.description;
}

TEST_F(ManagementAgentTest, ConflictingAlternateExchangeAttributeAndArgumentIsBadRequest) {
  for (const char* name : {"dead", "other"}) {
    ASSERT_EQ(Send("CREATE", "exchange", name, {{"exchange-type", std::string("fanout")}}).code,
              201);
  }
  AttributeMap body = Arguments({{"alternate-exchange", std::string("other")}});
  body["alternate-exchange"] = std::string("dead");
  Answer a = Send("CREATE", "queue", "work", body);
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("attribute 'alternate-exchange' is 'dead'"));
  EXPECT_THAT(a.description, HasSubstr("argument alternate-exchange is"));
  EXPECT_THAT(a.description, HasSubstr("other"));
  EXPECT_EQ(broker_.FindQueue("work"), nullptr);
}

TEST_F(ManagementAgentTest, AlternateExchangeThatIsNotANameIsBadRequest) {
  Answer a = Send("CREATE", "queue", "work", {{"alternate-exchange", int64_t{5}}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'alternate-exchange' must be a string"));
  a = Send("CREATE", "queue", "work", {{"alternate-exchange", std::string()}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("for alternate-exchange"));
  EXPECT_EQ(broker_.FindQueue("work"), nullptr);
}

TEST_F(ManagementAgentTest, MissingAlternateExchangeIsNotFoundNamingIt) {
  Answer a = Send("CREATE", "queue", "work", {{"alternate-exchange", std::string("nope")}});
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("alternate exchange 'nope'"));
  EXPECT_EQ(broker_.FindQueue("work"), nullptr);
  a = Send("CREATE", "exchange", "ex1",
           {{"exchange-type", std::string("direct")}, {"alternate-exchange", std::string("nope")}});
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("alternate exchange 'nope'"));
}

TEST_F(ManagementAgentTest, ReadQueueCountsRejectedExpiredAndRerouted) {
  ASSERT_EQ(Send("CREATE", "exchange", "dead", {{"exchange-type", std::string("fanout")}}).code,
            201);
  ASSERT_EQ(Send("CREATE", "queue", "work", {{"alternate-exchange", std::string("dead")}}).code,
            201);
  broker::QueuePtr queue = broker_.FindQueue("work");
  Enqueue("work", "short-lived", {}, std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(queue->PurgeExpired(), 1u);
  Enqueue("work", "refused");
  auto listener = std::make_shared<IdleListener>();
  auto acquired = queue->Acquire(listener);
  ASSERT_TRUE(acquired.has_value());
  queue->Reject(acquired->position);
  Answer a = Send("READ", "queue", "work");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(Ulong(a, "discardsTtl"), 1u);
  EXPECT_EQ(Ulong(a, "discardsSubscriber"), 1u);
  EXPECT_EQ(Ulong(a, "reroutes"), 2u);
  EXPECT_EQ(Ulong(a, "msgDepth"), 0u);
}

TEST_F(ManagementAgentTest, QueueAttributesListedAreTheAttributesReported) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  proton::message m = Request("GET-ATTRIBUTES", std::string(kManagementNodeType));
  m.properties().put("entityType", "queue");
  Answer attrs = Send(m);
  ASSERT_EQ(attrs.code, 200) << attrs.description;
  std::set<std::string> listed;
  for (const auto& v : proton::get<std::vector<proton::value>>(attrs.body.at("queue"))) {
    listed.insert(proton::get<std::string>(v));
  }
  std::set<std::string> reported;
  for (const auto& [name, value] : Send("READ", "queue", "q1").body) reported.insert(name);
  EXPECT_EQ(listed, reported);
  for (const char* name : {"alternate-exchange", "limit-policy", "maxCount", "maxSize", "lvqKey",
                           "priorities", "flowStopped", "discardsRing", "discardsLvq",
                           "discardsTtl", "discardsSubscriber", "reroutes"}) {
    EXPECT_TRUE(listed.count(name)) << name;
  }
}

// --- exchanges ------------------------------------------------------------------------------

TEST_F(ManagementAgentTest, CreateReadDeleteExchange) {
  Answer a = Send("CREATE", "exchange", "ex1", {{"exchange-type", std::string("topic")}});
  ASSERT_EQ(a.code, 201) << a.description;
  EXPECT_EQ(proton::get<std::string>(a.body.at("exchange-type")), "topic");
  EXPECT_EQ(proton::get<std::string>(a.body.at("type")), "exchange");
  EXPECT_FALSE(proton::get<bool>(a.body.at("builtin")));
  EXPECT_EQ(Send("READ", "exchange", "ex1").code, 200);
  EXPECT_EQ(Send("CREATE", "exchange", "ex1", {{"exchange-type", std::string("topic")}}).code,
            409);
  EXPECT_EQ(Send("DELETE", "exchange", "ex1").code, 204);
  EXPECT_EQ(broker_.FindExchange("ex1"), nullptr);
  EXPECT_EQ(Send("READ", "exchange", "ex1").code, 404);
}

TEST_F(ManagementAgentTest, CreateExchangeWithoutTypeIsBadRequest) {
  Answer a = Send("CREATE", "exchange", "ex1");
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("exchange-type"));
}

TEST_F(ManagementAgentTest, CreateExchangeOfUnknownTypeIsBadRequestNamingIt) {
  Answer a = Send("CREATE", "exchange", "ex1", {{"exchange-type", std::string("xml")}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("xml"));
}

TEST_F(ManagementAgentTest, BuiltinExchangeCannotBeDeleted) {
  Answer a = Send("DELETE", "exchange", "amq.direct");
  EXPECT_EQ(a.code, 403);
  EXPECT_THAT(a.description, HasSubstr("amq.direct"));
  EXPECT_NE(broker_.FindExchange("amq.direct"), nullptr);
  Answer read = Send("READ", "exchange", "amq.direct");
  ASSERT_EQ(read.code, 200);
  EXPECT_TRUE(proton::get<bool>(read.body.at("builtin")));
}

TEST_F(ManagementAgentTest, CreateExchangeWithAlternateExchange) {
  ASSERT_EQ(Send("CREATE", "exchange", "dead", {{"exchange-type", std::string("fanout")}}).code,
            201);
  Answer a = Send("CREATE", "exchange", "main",
                  {{"exchange-type", std::string("direct")},
                   {"alternate-exchange", std::string("dead")}});
  ASSERT_EQ(a.code, 201) << a.description;
  EXPECT_EQ(String(a, "alternate-exchange"), "dead");
  EXPECT_EQ(broker_.FindExchange("main")->settings().alternate_exchange, "dead");
  EXPECT_EQ(String(Send("READ", "exchange", "main"), "alternate-exchange"), "dead");
  EXPECT_EQ(Send("READ", "exchange", "dead").body.at("alternate-exchange").type(),
            proton::NULL_TYPE);
}

TEST_F(ManagementAgentTest, ExchangeInUseAsAlternateCannotBeDeletedNamingTheUser) {
  ASSERT_EQ(Send("CREATE", "exchange", "dead", {{"exchange-type", std::string("fanout")}}).code,
            201);
  ASSERT_EQ(Send("CREATE", "queue", "work", {{"alternate-exchange", std::string("dead")}}).code,
            201);
  Answer a = Send("DELETE", "exchange", "dead");
  EXPECT_EQ(a.code, 409);
  EXPECT_THAT(a.description, HasSubstr("queue 'work'"));
  EXPECT_NE(broker_.FindExchange("dead"), nullptr);

  ASSERT_EQ(Send("DELETE", "queue", "work").code, 204);
  ASSERT_EQ(Send("CREATE", "exchange", "main",
                 {{"exchange-type", std::string("topic")},
                  {"alternate-exchange", std::string("dead")}})
                .code,
            201);
  a = Send("DELETE", "exchange", "dead");
  EXPECT_EQ(a.code, 409);
  EXPECT_THAT(a.description, HasSubstr("exchange 'main'"));
  ASSERT_EQ(Send("DELETE", "exchange", "main").code, 204);
  EXPECT_EQ(Send("DELETE", "exchange", "dead").code, 204);
}

TEST_F(ManagementAgentTest, ExchangeAttributesListedAreTheAttributesReported) {
  proton::message m = Request("GET-ATTRIBUTES", std::string(kManagementNodeType));
  m.properties().put("entityType", "exchange");
  Answer attrs = Send(m);
  ASSERT_EQ(attrs.code, 200) << attrs.description;
  std::set<std::string> listed;
  for (const auto& v : proton::get<std::vector<proton::value>>(attrs.body.at("exchange"))) {
    listed.insert(proton::get<std::string>(v));
  }
  std::set<std::string> reported;
  for (const auto& [name, value] : Send("READ", "exchange", "amq.direct").body) {
    reported.insert(name);
  }
  EXPECT_EQ(listed, reported);
  EXPECT_TRUE(listed.count("alternate-exchange"));
}

// --- bindings -------------------------------------------------------------------------------

TEST_F(ManagementAgentTest, CreateReadQueryDeleteBinding) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  AttributeMap key{{"exchange", std::string("amq.topic")},
                   {"queue", std::string("q1")},
                   {"key", std::string("a.#")}};
  Answer created = Send("CREATE", "binding", "", key);
  ASSERT_EQ(created.code, 201) << created.description;
  EXPECT_EQ(proton::get<std::string>(created.body.at("key")), "a.#");

  Answer read = Send("READ", "binding", "", key);
  ASSERT_EQ(read.code, 200) << read.description;
  EXPECT_EQ(proton::get<std::string>(read.body.at("queue")), "q1");

  Answer q = Send("READ", "queue", "q1");
  EXPECT_EQ(proton::get<uint64_t>(q.body.at("bindingCount")), 1u);

  Answer deleted = Send("DELETE", "binding", "", key);
  EXPECT_EQ(deleted.code, 204) << deleted.description;
  EXPECT_EQ(Send("READ", "binding", "", key).code, 404);
  EXPECT_EQ(Send("DELETE", "binding", "", key).code, 404);
}

TEST_F(ManagementAgentTest, HeadersBindingKeepsItsArguments) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("CREATE", "binding", "",
                  {{"exchange", std::string("amq.match")},
                   {"queue", std::string("q1")},
                   {"arguments", AttributeMapToProton({{"x-match", std::string("all")},
                                                       {"color", std::string("red")}})}});
  ASSERT_EQ(a.code, 201) << a.description;
  auto args = ArgumentsFromProton(a.body.at("arguments"), "arguments");
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(std::get<std::string>(args.value().at("color")), "red");
}

TEST_F(ManagementAgentTest, BindingToMissingQueueOrExchangeIsNotFoundNamingIt) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("CREATE", "binding", "",
                  {{"exchange", std::string("amq.direct")}, {"queue", std::string("nope")}});
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("queue 'nope'"));
  a = Send("CREATE", "binding", "",
           {{"exchange", std::string("nox")}, {"queue", std::string("q1")}});
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("exchange 'nox'"));
}

TEST_F(ManagementAgentTest, BindingWithoutExchangeIsBadRequest) {
  Answer a = Send("CREATE", "binding", "", {{"queue", std::string("q1")}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'exchange'"));
}

// --- connections and the broker -------------------------------------------------------------

TEST_F(ManagementAgentTest, ConnectionsAreListedAndRead) {
  auto record = std::make_shared<broker::ConnectionRecord>();
  record->info.id = broker_.connections().NextId();
  record->info.remote_address = "127.0.0.1:5555";
  record->info.container_id = "client-1";
  record->info.user = "guest";
  record->info.admin = true;
  record->messages_in = 3;
  record->receivers = 1;
  broker_.connections().Add(record);
  std::string id = std::to_string(record->info.id);

  Answer a = Send("READ", "connection", id);
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(proton::get<std::string>(a.body.at("container-id")), "client-1");
  EXPECT_EQ(proton::get<std::string>(a.body.at("remote-address")), "127.0.0.1:5555");
  EXPECT_TRUE(proton::get<bool>(a.body.at("admin")));
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("msgsIn")), 3u);
  EXPECT_EQ(proton::get<uint32_t>(a.body.at("receiverCount")), 1u);

  Answer q = Send(Request("QUERY", "connection", "",
                          {{"attributeNames",
                            proton::value(std::vector<proton::value>{std::string("user")})}}));
  ASSERT_EQ(q.code, 200) << q.description;
  auto rows = Rows(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(proton::get<std::string>(rows[0][0]), "guest");

  EXPECT_EQ(Send("READ", "connection", "999").code, 404);
  EXPECT_EQ(Send("DELETE", "connection", id).code, 501);
}

TEST_F(ManagementAgentTest, ReadBrokerReportsVersionAndCounts) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("READ", "broker");
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_EQ(proton::get<std::string>(a.body.at("identity")), "broker-1");
  EXPECT_EQ(proton::get<std::string>(a.body.at("version")), broker::Broker::Version());
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("queueCount")), 1u);
  EXPECT_EQ(proton::get<uint64_t>(a.body.at("exchangeCount")), broker_.Exchanges().size());
  EXPECT_EQ(Send("READ", "broker", "broker-1").code, 200);
  EXPECT_EQ(Send("READ", "broker", "other").code, 404);
  EXPECT_EQ(Send("CREATE", "broker", "b2").code, 501);
}

// --- QUERY ----------------------------------------------------------------------------------

TEST_F(ManagementAgentTest, QueryWithoutAttributeNamesReturnsAll) {
  ASSERT_EQ(Send("CREATE", "queue", "a").code, 201);
  ASSERT_EQ(Send("CREATE", "queue", "b").code, 201);
  Answer a = Send("QUERY", "queue");
  ASSERT_EQ(a.code, 200) << a.description;
  std::vector<std::string> names = Names(a);
  EXPECT_EQ(names.front(), "name");
  auto rows = Rows(a);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), names.size());
  EXPECT_EQ(proton::get<std::string>(rows[0][0]), "a");
  EXPECT_EQ(proton::get<std::string>(rows[1][0]), "b");
}

TEST_F(ManagementAgentTest, QuerySelectsAttributesInTheOrderAsked) {
  ASSERT_EQ(Send("CREATE", "queue", "a").code, 201);
  Enqueue("a", "x");
  Answer a = Send("QUERY", "queue", "",
                  {{"attributeNames", proton::value(std::vector<proton::value>{
                                          std::string("msgDepth"), std::string("name")})}});
  ASSERT_EQ(a.code, 200) << a.description;
  EXPECT_THAT(Names(a), ElementsAre("msgDepth", "name"));
  auto rows = Rows(a);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(proton::get<uint64_t>(rows[0][0]), 1u);
  EXPECT_EQ(proton::get<std::string>(rows[0][1]), "a");
}

TEST_F(ManagementAgentTest, QueryByEntityTypeAsTheDraftSendsIt) {
  ASSERT_EQ(Send("CREATE", "exchange", "e1", {{"exchange-type", std::string("fanout")}}).code,
            201);
  proton::message m = Request("QUERY", std::string(kManagementNodeType));
  m.properties().put("entityType", "exchange");
  Answer a = Send(m);
  ASSERT_EQ(a.code, 200) << a.description;
  // The four built-in exchanges and e1.
  EXPECT_EQ(Rows(a).size(), broker_.Exchanges().size());
}

TEST_F(ManagementAgentTest, QueryOfAllTypesFillsMissingAttributesWithNull) {
  ASSERT_EQ(Send("CREATE", "queue", "q1").code, 201);
  Answer a = Send("QUERY", std::string(kManagementNodeType), "",
                  {{"attributeNames", proton::value(std::vector<proton::value>{
                                          std::string("type"), std::string("msgDepth")})}});
  ASSERT_EQ(a.code, 200) << a.description;
  bool saw_queue = false, saw_broker = false;
  for (const auto& row : Rows(a)) {
    std::string type = proton::get<std::string>(row[0]);
    if (type == "queue") saw_queue = row[1].type() == proton::ULONG;
    if (type == "broker") saw_broker = row[1].type() == proton::NULL_TYPE;
  }
  EXPECT_TRUE(saw_queue);
  EXPECT_TRUE(saw_broker);
}

TEST_F(ManagementAgentTest, QueryPagesWithOffsetAndCount) {
  for (const char* name : {"a", "b", "c", "d"}) ASSERT_EQ(Send("CREATE", "queue", name).code, 201);
  proton::message m = Request("QUERY", "queue", "",
                              {{"attributeNames", proton::value(std::vector<proton::value>{
                                                      std::string("name")})}});
  m.properties().put("offset", int64_t{1});
  m.properties().put("count", int64_t{2});
  auto rows = Rows(Send(m));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(proton::get<std::string>(rows[0][0]), "b");
  EXPECT_EQ(proton::get<std::string>(rows[1][0]), "c");
}

TEST_F(ManagementAgentTest, QueryOfUnknownAttributeIsBadRequestNamingIt) {
  Answer a = Send("QUERY", "queue", "",
                  {{"attributeNames",
                    proton::value(std::vector<proton::value>{std::string("colour")})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'colour'"));
}

TEST_F(ManagementAgentTest, GetTypesAttributesAndOperations) {
  Answer types = Send("GET-TYPES", std::string(kManagementNodeType));
  ASSERT_EQ(types.code, 200) << types.description;
  for (const char* t : {"queue", "exchange", "binding", "connection", "broker"}) {
    EXPECT_TRUE(types.body.count(t)) << t;
  }
  proton::message m = Request("GET-OPERATIONS", std::string(kManagementNodeType));
  m.properties().put("entityType", "queue");
  Answer ops = Send(m);
  ASSERT_EQ(ops.code, 200);
  ASSERT_EQ(ops.body.size(), 1u);
  auto list = proton::get<std::vector<proton::value>>(ops.body.at("queue"));
  std::vector<std::string> names;
  for (const auto& v : list) names.push_back(proton::get<std::string>(v));
  EXPECT_THAT(names, ElementsAre("CREATE", "READ", "DELETE", "PURGE", "QUERY"));
  Answer attrs = Send("GET-ATTRIBUTES", std::string(kManagementNodeType));
  ASSERT_EQ(attrs.code, 200);
  EXPECT_TRUE(attrs.body.count("connection"));
}

// --- replies --------------------------------------------------------------------------------

TEST_F(ManagementAgentTest, ReplyGoesToReplyToAndCorrelatesByMessageId) {
  proton::message reply = agent_.Handle(Request("READ", "broker"), requester_);
  EXPECT_EQ(reply.to(), "reply-address");
  EXPECT_EQ(proton::get<uint64_t>(reply.correlation_id()), 42u);
}

TEST_F(ManagementAgentTest, ReplyCorrelatesByCorrelationIdWhenTheRequestHasOne) {
  proton::message request = Request("READ", "broker");
  request.correlation_id(proton::message_id(std::string("abc")));
  proton::message reply = agent_.Handle(request, requester_);
  EXPECT_EQ(proton::get<std::string>(reply.correlation_id()), "abc");
}

TEST_F(ManagementAgentTest, ErrorRepliesAreCorrelatedToo) {
  proton::message reply = agent_.Handle(Request("", "queue"), requester_);
  EXPECT_EQ(reply.to(), "reply-address");
  EXPECT_EQ(proton::get<uint64_t>(reply.correlation_id()), 42u);
}

// --- bad requests: each class gets a code and a description naming the problem ---------------

TEST_F(ManagementAgentTest, MissingOperationIsBadRequest) {
  Answer a = Send("", "queue", "q1");
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'operation'"));
}

TEST_F(ManagementAgentTest, NonStringOperationIsBadRequest) {
  proton::message m = Request("", "queue", "q1");
  m.properties().put("operation", int32_t{3});
  Answer a = Send(m);
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'operation' must be a string"));
}

TEST_F(ManagementAgentTest, MissingTypeIsBadRequest) {
  Answer a = Send("CREATE", "", "q1");
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'type'"));
}

TEST_F(ManagementAgentTest, UnknownTypeIsNotFoundNamingIt) {
  Answer a = Send("CREATE", "topic", "t1");
  EXPECT_EQ(a.code, 404);
  EXPECT_THAT(a.description, HasSubstr("'topic'"));
  EXPECT_EQ(Send("QUERY", "topic").code, 404);
}

TEST_F(ManagementAgentTest, UnknownOperationIsNotImplementedNamingIt) {
  Answer a = Send("FROBNICATE", "queue", "q1");
  EXPECT_EQ(a.code, 501);
  EXPECT_THAT(a.description, HasSubstr("FROBNICATE"));
}

TEST_F(ManagementAgentTest, OperationOfAnotherTypeIsNotImplemented) {
  Answer a = Send("PURGE", "exchange", "amq.direct");
  EXPECT_EQ(a.code, 501);
  EXPECT_THAT(a.description, HasSubstr("PURGE"));
  EXPECT_THAT(a.description, HasSubstr("exchange"));
}

TEST_F(ManagementAgentTest, MissingNameIsBadRequest) {
  Answer a = Send("CREATE", "queue");
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'name'"));
}

TEST_F(ManagementAgentTest, BodyThatIsNotAMapIsBadRequest) {
  proton::message m = Request("CREATE", "queue", "q1");
  m.body(std::string("durable"));
  Answer a = Send(m);
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("must be a map"));
}

TEST_F(ManagementAgentTest, WrongAttributeTypeIsBadRequestNamingIt) {
  Answer a = Send("CREATE", "queue", "q1", {{"durable", std::string("yes")}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'durable' must be a boolean, not string"));
  EXPECT_EQ(broker_.FindQueue("q1"), nullptr);
}

TEST_F(ManagementAgentTest, UnknownAttributeIsBadRequestNamingIt) {
  Answer a = Send("CREATE", "queue", "q1", {{"durabel", true}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'durabel'"));
}

TEST_F(ManagementAgentTest, NestedArgumentIsBadRequestNamingTheArgument) {
  AttributeMap nested{{"inner", int64_t{1}}};
  Answer a = Send("CREATE", "queue", "q1",
                  {{"arguments", AttributeMapToProton({{"x-nested", AttributeMapToProton(nested)}})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'x-nested'"));
  proton::value list = std::vector<proton::value>{int64_t{1}};
  a = Send("CREATE", "queue", "q1", {{"arguments", AttributeMapToProton({{"x-list", list}})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'x-list'"));
  EXPECT_EQ(broker_.FindQueue("q1"), nullptr);
}

TEST_F(ManagementAgentTest, ArgumentsThatAreNotAMapAreBadRequest) {
  Answer a = Send("CREATE", "queue", "q1", {{"arguments", std::string("x=1")}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("'arguments' must be a map"));
}

TEST_F(ManagementAgentTest, BadArgumentValueIsBadRequestNamingIt) {
  Answer a = Send("CREATE", "queue", "q1",
                  {{"arguments", AttributeMapToProton({{"qpid.replicate", int64_t{3}}})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("qpid.replicate"));
}

TEST_F(ManagementAgentTest, UnsupportedArgumentTypeIsBadRequest) {
  Answer a = Send("CREATE", "queue", "q1",
                  {{"arguments", AttributeMapToProton({{"x-bin", proton::binary("ab")}})}});
  EXPECT_EQ(a.code, 400);
  EXPECT_THAT(a.description, HasSubstr("binary"));
}

TEST_F(ManagementAgentTest, NameAndIdentityThatDisagreeAreBadRequest) {
  proton::message m = Request("READ", "queue", "a");
  m.properties().put("identity", "b");
  EXPECT_EQ(Send(m).code, 400);
}

TEST_F(ManagementAgentTest, NameInTheBodyIsAccepted) {
  Answer a = Send("CREATE", "queue", "", {{"name", std::string("fromBody")}});
  EXPECT_EQ(a.code, 201) << a.description;
  EXPECT_NE(broker_.FindQueue("fromBody"), nullptr);
}

TEST_F(ManagementAgentTest, SymbolKeysAndValuesAreAccepted) {
  proton::message m = Request("CREATE", "queue", "q1");
  std::map<proton::symbol, proton::value> body{{proton::symbol("durable"), true}};
  m.body(body);
  Answer a = Send(m);
  EXPECT_EQ(a.code, 201) << a.description;
  EXPECT_TRUE(broker_.FindQueue("q1")->settings().durable);
}

TEST_F(ManagementAgentTest, BadQueueNameIsBadRequest) {
  Answer a = Send("CREATE", "queue", std::string("bad\x01name"));
  EXPECT_EQ(a.code, 400);
}

TEST_F(ManagementAgentTest, ConcurrentRequestsFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      broker::ConnectionInfo who;
      for (int i = 0; i < 50; ++i) {
        std::string name = "q" + std::to_string(t) + "-" + std::to_string(i);
        proton::message reply = agent_.Handle(Request("CREATE", "queue", name), who);
        EXPECT_EQ(proton::get<int32_t>(reply.properties().get("statusCode")), 201);
        agent_.Handle(Request("QUERY", "queue"), who);
        reply = agent_.Handle(Request("DELETE", "queue", name), who);
        EXPECT_EQ(proton::get<int32_t>(reply.properties().get("statusCode")), 204);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(broker_.Queues().empty());
}

}  // namespace
}  // namespace qpidd::management
