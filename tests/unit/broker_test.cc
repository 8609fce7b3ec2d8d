#include <algorithm>
#include "broker/broker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/codec.h>
#include <proton/message.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "broker/request_scope.h"
#include "test_messages.h"

namespace qpidd::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Records configuration changes as short lines ("queue+ q", "bind e q k").
class RecordingConfigurationObserver : public ConfigurationObserver {
 public:
  void OnQueueCreated(const QueuePtr& q) override { Add("queue+ " + q->name()); }
  void OnQueueDeleted(const QueuePtr& q) override { Add("queue- " + q->name()); }
  void OnExchangeCreated(const ExchangePtr& e) override {
    Add("exchange+ " + e->name() + " " + std::string(e->type()));
  }
  void OnExchangeDeleted(const ExchangePtr& e) override { Add("exchange- " + e->name()); }
  void OnBind(const BindingInfo& b) override { Add("bind " + b.exchange + " " + b.queue + " " + b.key); }
  void OnUnbind(const BindingInfo& b) override {
    Add("unbind " + b.exchange + " " + b.queue + " " + b.key);
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  void Add(std::string e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
};

class RecordingListener : public QueueListener {
 public:
  void OnMessagesAvailable() override { ++available; }
  void OnQueueDeleted() override { ++deleted; }
  std::atomic<int> available{0};
  std::atomic<int> deleted{0};
};

// Refuses every connection, remembering what it was shown.
class RefusingAdmission : public ConnectionAdmission {
 public:
  AdmissionVerdict Admit(const ConnectionInfo& info) override {
    seen.push_back(info);
    AdmissionVerdict verdict;
    verdict.action = AdmissionVerdict::Action::kDrop;
    verdict.reason = "this node is a backup: connect to the primary";
    return verdict;
  }
  std::vector<ConnectionInfo> seen;
};

// A message with the given subject and application properties (all strings).
MessagePtr MessageWith(std::string_view subject,
                       const std::vector<std::pair<std::string, std::string>>& properties) {
  test::PnMessagePtr m = test::NewPnMessage();
  pn_message_set_subject(m.get(), std::string(subject).c_str());
  pn_data_t* p = pn_message_properties(m.get());
  pn_data_put_map(p);
  pn_data_enter(p);
  for (const auto& [k, v] : properties) {
    pn_data_put_string(p, pn_bytes(k.size(), k.data()));
    pn_data_put_string(p, pn_bytes(v.size(), v.data()));
  }
  pn_data_exit(p);
  pn_data_put_string(pn_message_body(m.get()), pn_bytes(4, "body"));
  return test::Decoded(test::Encode(m.get()));
}

BrokerConfig Config(std::string id) {
  BrokerConfig config;
  config.id = std::move(id);
  return config;
}

class BrokerTest : public ::testing::Test {
 protected:
  BrokerTest() : broker_(Config("0123abcd-rest-of-the-uuid")) {}

  QueuePtr MakeQueue(const std::string& name) {
    bool created = false;
    auto q = broker_.CreateQueue(name, QueueSettings{}, &created);
    EXPECT_TRUE(q.ok()) << q.status().message();
    EXPECT_TRUE(created);
    return q.ok() ? q.value() : nullptr;
  }

  ExchangePtr MakeExchange(const std::string& name, std::string_view type) {
    auto e = broker_.CreateExchange(name, type, ExchangeSettings{}, nullptr);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? e.value() : nullptr;
  }

  // Bindings of `queue`, as "exchange/key".
  std::vector<std::string> BindingsOf(const std::string& queue) const {
    std::vector<std::string> out;
    for (const auto& b : broker_.Bindings()) {
      if (b.queue == queue) out.push_back(b.exchange + "/" + b.key);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  size_t RouteVia(const std::string& exchange, const MessagePtr& m, PublishContext* c = nullptr) {
    ExchangePtr e = broker_.FindExchange(exchange);
    EXPECT_NE(e, nullptr) << exchange;
    return e ? broker_.Route(*e, m, c) : 0;
  }

  static uint64_t Enqueued(const QueuePtr& q) { return q->Stats().enqueued; }

  Broker broker_;
};

// --- Built-in exchanges --------------------------------------------------------------------

TEST_F(BrokerTest, BuiltInExchangesExistWithTheirTypes) {
  const std::pair<const char*, const char*> builtin[] = {
      {"amq.direct", "direct"}, {"amq.topic", "topic"}, {"amq.fanout", "fanout"},
      {"amq.match", "headers"}};
  for (const auto& [name, type] : builtin) {
    SCOPED_TRACE(name);
    ExchangePtr e = broker_.FindExchange(name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type(), type);
    EXPECT_TRUE(e->builtin());
    EXPECT_TRUE(e->settings().durable);
  }
  EXPECT_EQ(broker_.Exchanges().size(), 4u);
  EXPECT_THAT(broker_.Queues(), IsEmpty());
  EXPECT_THAT(broker_.Bindings(), IsEmpty());
}

TEST_F(BrokerTest, BuiltInExchangesCannotBeDeleted) {
  for (const char* name : {"amq.direct", "amq.topic", "amq.fanout", "amq.match"}) {
    SCOPED_TRACE(name);
    Status s = broker_.DeleteExchange(name);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kPreconditionFailed);
    EXPECT_THAT(s.message(), HasSubstr(name));
    EXPECT_NE(broker_.FindExchange(name), nullptr);
  }
}

TEST_F(BrokerTest, DeclaringABuiltInExchangeWithItsOwnTypeReturnsIt) {
  bool created = true;
  auto e = broker_.CreateExchange("amq.topic", "topic", ExchangeSettings{}, &created);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_FALSE(created);
  EXPECT_EQ(e.value(), broker_.FindExchange("amq.topic"));
}

// --- Queues --------------------------------------------------------------------------------

TEST_F(BrokerTest, CreateQueueTwiceReturnsTheExistingOne) {
  auto observer = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(observer);
  QueueSettings durable;
  durable.durable = true;
  bool created = false;
  auto first = broker_.CreateQueue("orders", durable, &created);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(created);
  auto second = broker_.CreateQueue("orders", QueueSettings{}, &created);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(first.value(), second.value());
  EXPECT_TRUE(second.value()->settings().durable) << "the first declare's settings stay";
  auto third = broker_.CreateQueue("orders", QueueSettings{}, nullptr);  // created is optional
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third.value(), first.value());
  EXPECT_THAT(observer->events(), ElementsAre("queue+ orders"));
  EXPECT_EQ(broker_.Queues().size(), 1u);
  EXPECT_EQ(broker_.FindQueue("orders"), first.value());
  EXPECT_EQ(broker_.FindQueue("Orders"), nullptr);
}

TEST_F(BrokerTest, BadQueueNamesAreRejectedNamingTheProblem) {
  struct Case {
    std::string name;
    const char* problem;
  };
  const Case cases[] = {
      {"", "empty"},
      {"bad\nname", "control character"},
      {std::string("nul\0inside", 10), "control character"},
      {"tab\there", "control character"},
      {"del\x7f", "control character"},
      {std::string(256, 'q'), "255"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.name));
    bool created = true;
    auto q = broker_.CreateQueue(c.name, QueueSettings{}, &created);
    ASSERT_FALSE(q.ok());
    EXPECT_FALSE(created);
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(q.status().message(), HasSubstr("queue"));
    EXPECT_THAT(q.status().message(), HasSubstr(c.problem));
  }
  EXPECT_THAT(broker_.Queues(), IsEmpty());
  // The limit itself is fine, and so is anything printable.
  EXPECT_TRUE(broker_.CreateQueue(std::string(255, 'q'), QueueSettings{}, nullptr).ok());
  EXPECT_TRUE(broker_.CreateQueue("amq.direct", QueueSettings{}, nullptr).ok())
      << "queue names are not reserved";
  EXPECT_TRUE(broker_.CreateQueue("ünïcødé/queue name!", QueueSettings{}, nullptr).ok());
}

TEST_F(BrokerTest, QueueDeclareArgumentsAreAppliedOrRejected) {
  QueueSettings settings;
  settings.arguments = {{"qpid.replicate", std::string("all")}};
  auto q = broker_.CreateQueue("replicated", settings, nullptr);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q.value()->settings().replicate, ReplicationLevel::kAll);

  settings.arguments = {{"qpid.replicate", std::string("sometimes")}};
  bool created = true;
  auto bad = broker_.CreateQueue("bad-args", settings, &created);
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(created);
  EXPECT_THAT(bad.status().message(), HasSubstr("sometimes"));
  EXPECT_EQ(broker_.FindQueue("bad-args"), nullptr);
}

TEST_F(BrokerTest, DeleteQueueRemovesItsBindingsAndDetachesConsumers) {
  QueuePtr q = MakeQueue("q");
  QueuePtr other = MakeQueue("other");
  MakeExchange("mine", "topic");
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.topic", "q", "a.#", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q", "", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.match", "q", "h", {{"x-match", std::string("any")}}).ok());
  ASSERT_TRUE(broker_.Bind("mine", "q", "#", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "other", "k", {}).ok());
  auto consumer = std::make_shared<RecordingListener>();
  EXPECT_TRUE(q->AddConsumer(consumer).ok());
  ASSERT_EQ(BindingsOf("q").size(), 5u);

  ASSERT_TRUE(broker_.DeleteQueue("q").ok());
  EXPECT_EQ(consumer->deleted, 1);
  EXPECT_TRUE(q->deleted());
  EXPECT_EQ(broker_.FindQueue("q"), nullptr);
  EXPECT_THAT(BindingsOf("q"), IsEmpty());
  EXPECT_THAT(BindingsOf("other"), ElementsAre("amq.direct/k")) << "other queues keep theirs";

  Status again = broker_.DeleteQueue("q");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("'q'"));
}

TEST_F(BrokerTest, QueueRecreatedAfterDeleteStartsWithoutTheOldBindings) {
  MakeQueue("q");
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k", {}).ok());
  ASSERT_TRUE(broker_.DeleteQueue("q").ok());
  QueuePtr fresh = MakeQueue("q");
  EXPECT_EQ(RouteVia("amq.direct", MessageWith("k", {})), 0u);
  EXPECT_EQ(Enqueued(fresh), 0u);
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k", {}).ok());
  EXPECT_EQ(RouteVia("amq.direct", MessageWith("k", {})), 1u);
  EXPECT_EQ(Enqueued(fresh), 1u);
}

TEST_F(BrokerTest, DeleteQueueWithAnExpectedQueueSparesALaterOneOfTheSameName) {
  QueuePtr old = MakeQueue("q");
  ASSERT_TRUE(broker_.DeleteQueue("q").ok());
  QueuePtr fresh = MakeQueue("q");
  Status s = broker_.DeleteQueue("q", old.get());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(broker_.FindQueue("q"), fresh);
  EXPECT_FALSE(fresh->deleted());
  EXPECT_TRUE(broker_.DeleteQueue("q", fresh.get()).ok());
  EXPECT_EQ(broker_.FindQueue("q"), nullptr);
}

// --- Exchanges -----------------------------------------------------------------------------

TEST_F(BrokerTest, ReservedExchangeNamesAreRefused) {
  for (const char* name : {"amq.mine", "amq.", "qpid.management", "qpid.anything"}) {
    SCOPED_TRACE(name);
    bool created = true;
    auto e = broker_.CreateExchange(name, "direct", ExchangeSettings{}, &created);
    ASSERT_FALSE(e.ok());
    EXPECT_FALSE(created);
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(e.status().message(), HasSubstr("reserved"));
    EXPECT_THAT(e.status().message(), HasSubstr(name));
    EXPECT_EQ(broker_.FindExchange(name), nullptr);
  }
  EXPECT_TRUE(broker_.CreateExchange("amqp.like", "direct", ExchangeSettings{}, nullptr).ok());
  EXPECT_TRUE(broker_.CreateExchange("my.amq.x", "direct", ExchangeSettings{}, nullptr).ok());
}

TEST_F(BrokerTest, BadExchangeNamesAreRejectedNamingTheProblem) {
  EXPECT_THAT(broker_.CreateExchange("", "direct", {}, nullptr).status().message(),
              HasSubstr("empty"));
  EXPECT_THAT(broker_.CreateExchange("a\rb", "direct", {}, nullptr).status().message(),
              HasSubstr("control character"));
  EXPECT_THAT(broker_.CreateExchange(std::string(300, 'e'), "direct", {}, nullptr).status().message(),
              HasSubstr("255"));
  EXPECT_EQ(broker_.Exchanges().size(), 4u);
}

TEST_F(BrokerTest, ExchangeOfAnotherTypeWithAnExistingNameIsAlreadyExists) {
  bool created = false;
  auto e = broker_.CreateExchange("events", "direct", ExchangeSettings{}, &created);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(created);
  auto same = broker_.CreateExchange("events", "direct", ExchangeSettings{}, &created);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(same.value(), e.value());

  auto other = broker_.CreateExchange("events", "topic", ExchangeSettings{}, &created);
  ASSERT_FALSE(other.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(other.status().message(), HasSubstr("events"));
  EXPECT_THAT(other.status().message(), HasSubstr("direct"));
  EXPECT_THAT(other.status().message(), HasSubstr("topic"));
  EXPECT_EQ(broker_.FindExchange("events")->type(), "direct");

  auto builtin = broker_.CreateExchange("amq.direct", "fanout", ExchangeSettings{}, nullptr);
  ASSERT_FALSE(builtin.ok());
  EXPECT_EQ(builtin.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(BrokerTest, UnknownExchangeTypeIsAnErrorNamingIt) {
  auto e = broker_.CreateExchange("x", "x-consistent-hash", ExchangeSettings{}, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr("x-consistent-hash"));
  EXPECT_EQ(broker_.FindExchange("x"), nullptr);
}

TEST_F(BrokerTest, ExchangeReplicateArgumentIsAppliedOrRejected) {
  ExchangeSettings settings;
  settings.arguments = {{"qpid.replicate", std::string("configuration")}};
  auto e = broker_.CreateExchange("replicated", "fanout", settings, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e.value()->settings().replicate, ReplicationLevel::kConfiguration);

  settings.arguments = {{"qpid.replicate", std::string("bogus")}};
  auto bad = broker_.CreateExchange("bad", "fanout", settings, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("qpid.replicate"));
  EXPECT_THAT(bad.status().message(), HasSubstr("bogus"));
  settings.arguments = {{"qpid.replicate", int64_t{3}}};
  EXPECT_FALSE(broker_.CreateExchange("bad", "fanout", settings, nullptr).ok());
  EXPECT_EQ(broker_.FindExchange("bad"), nullptr);
}

TEST_F(BrokerTest, DeleteExchangeRemovesItAndMissingOneIsNotFound) {
  MakeQueue("q");
  MakeExchange("gone", "direct");
  ASSERT_TRUE(broker_.Bind("gone", "q", "k", {}).ok());
  ASSERT_TRUE(broker_.DeleteExchange("gone").ok());
  EXPECT_EQ(broker_.FindExchange("gone"), nullptr);
  EXPECT_THAT(BindingsOf("q"), IsEmpty());
  Status s = broker_.DeleteExchange("gone");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("'gone'"));
  EXPECT_NE(broker_.FindQueue("q"), nullptr) << "its queues stay";
}

// --- Bindings ------------------------------------------------------------------------------

TEST_F(BrokerTest, BindWithAMissingExchangeOrQueueIsNotFoundNamingWhich) {
  MakeQueue("present-queue");
  Status no_exchange = broker_.Bind("absent-exchange", "present-queue", "k", {});
  EXPECT_EQ(no_exchange.code(), StatusCode::kNotFound);
  EXPECT_THAT(no_exchange.message(), HasSubstr("exchange 'absent-exchange'"));

  Status no_queue = broker_.Bind("amq.direct", "absent-queue", "k", {});
  EXPECT_EQ(no_queue.code(), StatusCode::kNotFound);
  EXPECT_THAT(no_queue.message(), HasSubstr("queue 'absent-queue'"));

  Status neither = broker_.Bind("absent-exchange", "absent-queue", "k", {});
  EXPECT_EQ(neither.code(), StatusCode::kNotFound);
  EXPECT_THAT(broker_.Bindings(), IsEmpty());
}

TEST_F(BrokerTest, UnbindWithAMissingExchangeOrBindingIsNotFoundNamingWhich) {
  MakeQueue("q");
  Status no_exchange = broker_.Unbind("absent-exchange", "q", "k");
  EXPECT_EQ(no_exchange.code(), StatusCode::kNotFound);
  EXPECT_THAT(no_exchange.message(), HasSubstr("exchange 'absent-exchange'"));

  Status no_queue = broker_.Unbind("amq.direct", "absent-queue", "k");
  EXPECT_EQ(no_queue.code(), StatusCode::kNotFound);
  EXPECT_THAT(no_queue.message(), HasSubstr("absent-queue"));

  Status not_bound = broker_.Unbind("amq.direct", "q", "k");
  EXPECT_EQ(not_bound.code(), StatusCode::kNotFound);
  EXPECT_THAT(not_bound.message(), HasSubstr("'q'"));
}

TEST_F(BrokerTest, BindUnbindRoundTrip) {
  MakeQueue("q");
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k1", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k2", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k1", {}).ok());  // again: no second binding
  EXPECT_THAT(BindingsOf("q"), ElementsAre("amq.direct/k1", "amq.direct/k2"));
  ASSERT_TRUE(broker_.Unbind("amq.direct", "q", "k1").ok());
  EXPECT_THAT(BindingsOf("q"), ElementsAre("amq.direct/k2"));
  EXPECT_EQ(broker_.Unbind("amq.direct", "q", "k1").code(), StatusCode::kNotFound);
}

TEST_F(BrokerTest, BadBindingArgumentsAreRejected) {
  MakeQueue("q");
  Status s = broker_.Bind("amq.match", "q", "h", {{"x-match", std::string("some")}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(BindingsOf("q"), IsEmpty());
}

// --- Addresses and routing -----------------------------------------------------------------

TEST_F(BrokerTest, ResolvePrefersAQueueOverAnExchangeOfTheSameName) {
  ExchangePtr e = MakeExchange("shared", "fanout");
  ExchangePtr only_exchange = MakeExchange("just-an-exchange", "direct");
  Node before = broker_.Resolve("shared");
  ASSERT_TRUE(std::holds_alternative<ExchangePtr>(before));
  EXPECT_EQ(std::get<ExchangePtr>(before), e);

  QueuePtr q = MakeQueue("shared");
  Node after = broker_.Resolve("shared");
  ASSERT_TRUE(std::holds_alternative<QueuePtr>(after));
  EXPECT_EQ(std::get<QueuePtr>(after), q);

  Node exchange = broker_.Resolve("just-an-exchange");
  ASSERT_TRUE(std::holds_alternative<ExchangePtr>(exchange));
  EXPECT_EQ(std::get<ExchangePtr>(exchange), only_exchange);
  EXPECT_TRUE(std::holds_alternative<QueuePtr>(broker_.Resolve("shared")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(broker_.Resolve("nothing")));
  EXPECT_TRUE(std::holds_alternative<ExchangePtr>(broker_.Resolve("amq.topic")));
}

TEST_F(BrokerTest, RouteThroughAmqDirectMatchesTheExactKey) {
  QueuePtr q1 = MakeQueue("q1");
  QueuePtr q2 = MakeQueue("q2");
  QueuePtr q3 = MakeQueue("q3");
  ASSERT_TRUE(broker_.Bind("amq.direct", "q1", "orders", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "q2", "orders", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "q3", "returns", {}).ok());
  EXPECT_EQ(RouteVia("amq.direct", MessageWith("orders", {})), 2u);
  EXPECT_EQ(Enqueued(q1), 1u);
  EXPECT_EQ(Enqueued(q2), 1u);
  EXPECT_EQ(Enqueued(q3), 0u);
  EXPECT_EQ(RouteVia("amq.direct", MessageWith("Orders", {})), 0u);
  EXPECT_EQ(RouteVia("amq.direct", MessageWith("returns", {})), 1u);
  EXPECT_EQ(Enqueued(q3), 1u);
}

TEST_F(BrokerTest, RouteThroughAmqTopicMatchesPatterns) {
  QueuePtr all = MakeQueue("all-stock");
  QueuePtr nyse = MakeQueue("nyse");
  QueuePtr bonds = MakeQueue("bonds");
  ASSERT_TRUE(broker_.Bind("amq.topic", "all-stock", "stock.#", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.topic", "nyse", "stock.*.nyse", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.topic", "bonds", "bond.#", {}).ok());
  EXPECT_EQ(RouteVia("amq.topic", MessageWith("stock.ibm.nyse", {})), 2u);
  EXPECT_EQ(RouteVia("amq.topic", MessageWith("stock.sap.xetra", {})), 1u);
  EXPECT_EQ(RouteVia("amq.topic", MessageWith("fx.eur", {})), 0u);
  EXPECT_EQ(Enqueued(all), 2u);
  EXPECT_EQ(Enqueued(nyse), 1u);
  EXPECT_EQ(Enqueued(bonds), 0u);
}

TEST_F(BrokerTest, RouteThroughAmqFanoutReachesEveryBoundQueue) {
  QueuePtr q1 = MakeQueue("q1");
  QueuePtr q2 = MakeQueue("q2");
  QueuePtr unbound = MakeQueue("unbound");
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q1", "", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q2", "ignored", {}).ok());
  EXPECT_EQ(RouteVia("amq.fanout", MessageWith("anything", {})), 2u);
  EXPECT_EQ(RouteVia("amq.fanout", MessageWith("", {})), 2u);
  EXPECT_EQ(Enqueued(q1), 2u);
  EXPECT_EQ(Enqueued(q2), 2u);
  EXPECT_EQ(Enqueued(unbound), 0u);
}

TEST_F(BrokerTest, RouteThroughAmqMatchComparesApplicationProperties) {
  QueuePtr red_small = MakeQueue("red-small");
  QueuePtr red_or_round = MakeQueue("red-or-round");
  QueuePtr blue = MakeQueue("blue");
  ASSERT_TRUE(broker_.Bind("amq.match", "red-small", "k1",
                           {{"x-match", std::string("all")},
                            {"colour", std::string("red")},
                            {"size", std::string("small")}}).ok());
  ASSERT_TRUE(broker_.Bind("amq.match", "red-or-round", "k2",
                           {{"x-match", std::string("any")},
                            {"colour", std::string("red")},
                            {"shape", std::string("round")}}).ok());
  ASSERT_TRUE(broker_.Bind("amq.match", "blue", "k3",
                           {{"x-match", std::string("all")}, {"colour", std::string("blue")}}).ok());
  EXPECT_EQ(RouteVia("amq.match", MessageWith("s", {{"colour", "red"}, {"size", "small"}})), 2u);
  EXPECT_EQ(RouteVia("amq.match", MessageWith("s", {{"colour", "green"}, {"shape", "round"}})), 1u);
  EXPECT_EQ(RouteVia("amq.match", MessageWith("s", {{"colour", "blue"}})), 1u);
  EXPECT_EQ(RouteVia("amq.match", MessageWith("s", {})), 0u);
  EXPECT_EQ(Enqueued(red_small), 1u);
  EXPECT_EQ(Enqueued(red_or_round), 2u);
  EXPECT_EQ(Enqueued(blue), 1u);
}

TEST_F(BrokerTest, RouteEnqueuesTheSameMessageWithThePublishersContext) {
  class ContextObserver : public QueueObserver {
   public:
    void OnEnqueue(const QueuedMessage& m, PublishContext* c) override {
      contexts.push_back(c);
      messages.push_back(m.message);
    }
    void OnAcquire(const QueuedMessage&) override {}
    void OnRequeue(const QueuedMessage&) override {}
    void OnDequeue(const QueuedMessage&) override {}
    std::vector<PublishContext*> contexts;
    std::vector<MessagePtr> messages;
  };
  QueuePtr q1 = MakeQueue("q1");
  QueuePtr q2 = MakeQueue("q2");
  auto o1 = std::make_shared<ContextObserver>();
  auto o2 = std::make_shared<ContextObserver>();
  q1->AddObserver(o1);
  q2->AddObserver(o2);
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q1", "", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q2", "", {}).ok());
  PublishContext context(nullptr, 1);
  MessagePtr m = MessageWith("s", {});
  EXPECT_EQ(RouteVia("amq.fanout", m, &context), 2u);
  EXPECT_THAT(o1->contexts, ElementsAre(&context));
  EXPECT_THAT(o2->contexts, ElementsAre(&context));
  EXPECT_THAT(o1->messages, ElementsAre(m)) << "one shared Message, not a copy per queue";
  EXPECT_THAT(o2->messages, ElementsAre(m));
}

TEST_F(BrokerTest, RouteDoesNotCountAQueueDeletedBehindTheRegistrysBack) {
  QueuePtr q1 = MakeQueue("q1");
  QueuePtr q2 = MakeQueue("q2");
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q1", "", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.fanout", "q2", "", {}).ok());
  q2->Delete();  // deleted, bindings not yet removed (as during DeleteQueue)
  EXPECT_EQ(RouteVia("amq.fanout", MessageWith("s", {})), 1u);
  EXPECT_EQ(Enqueued(q1), 1u);
}

// --- What the HA module observes -----------------------------------------------------------

TEST_F(BrokerTest, ConfigurationObserverSeesEveryChangeInOrderWithNames) {
  auto observer = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(observer);

  MakeQueue("q");
  MakeExchange("e", "topic");
  ASSERT_TRUE(broker_.Bind("e", "q", "a.*", {}).ok());
  ASSERT_TRUE(broker_.Bind("amq.direct", "q", "k", {}).ok());
  ASSERT_TRUE(broker_.Unbind("e", "q", "a.*").ok());
  ASSERT_TRUE(broker_.DeleteExchange("e").ok());
  ASSERT_TRUE(broker_.DeleteQueue("q").ok());

  // Nothing happened, so nothing is observed.
  (void)broker_.CreateQueue("", QueueSettings{}, nullptr);
  (void)broker_.CreateExchange("amq.direct", "direct", ExchangeSettings{}, nullptr);
  (void)broker_.Bind("amq.direct", "missing", "k", {});
  (void)broker_.Unbind("amq.direct", "missing", "k");
  (void)broker_.DeleteQueue("missing");
  (void)broker_.DeleteExchange("amq.fanout");

  EXPECT_THAT(observer->events(),
              ElementsAre("queue+ q", "exchange+ e topic", "bind e q a.*", "bind amq.direct q k",
                          "unbind e q a.*", "exchange- e", "queue- q"));
}

TEST_F(BrokerTest, BindObserverGetsTheBindingArguments) {
  class ArgsObserver : public RecordingConfigurationObserver {
   public:
    void OnBind(const BindingInfo& b) override { arguments = b.arguments; }
    Arguments arguments;
  };
  auto observer = std::make_shared<ArgsObserver>();
  broker_.AddConfigurationObserver(observer);
  MakeQueue("q");
  const Arguments args{{"x-match", std::string("all")}, {"colour", std::string("red")}};
  ASSERT_TRUE(broker_.Bind("amq.match", "q", "k", args).ok());
  EXPECT_EQ(observer->arguments, args);
}

TEST_F(BrokerTest, ObserverMayCallBackIntoTheBroker) {
  // Observers are called outside the registry lock, so one may look the new queue up.
  class LookingObserver : public RecordingConfigurationObserver {
   public:
    explicit LookingObserver(Broker* b) : broker_(b) {}
    void OnQueueCreated(const QueuePtr& q) override { found = broker_->FindQueue(q->name()); }
    void OnQueueDeleted(const QueuePtr& q) override { still_there = broker_->FindQueue(q->name()); }
    Broker* broker_;
    QueuePtr found;
    QueuePtr still_there;
  };
  auto observer = std::make_shared<LookingObserver>(&broker_);
  broker_.AddConfigurationObserver(observer);
  QueuePtr q = MakeQueue("q");
  EXPECT_EQ(observer->found, q);
  ASSERT_TRUE(broker_.DeleteQueue("q").ok());
  EXPECT_EQ(observer->still_there, nullptr);
}

TEST_F(BrokerTest, EveryObserverIsTold) {
  auto a = std::make_shared<RecordingConfigurationObserver>();
  auto b = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(a);
  broker_.AddConfigurationObserver(b);
  MakeQueue("q");
  EXPECT_THAT(a->events(), ElementsAre("queue+ q"));
  EXPECT_THAT(b->events(), ElementsAre("queue+ q"));
}

TEST_F(BrokerTest, ReplayReportsTheExistingConfigurationAlternatesFirst) {
  ExchangeSettings uses_dead;
  uses_dead.arguments["alternate-exchange"] = std::string("dead");
  ASSERT_TRUE(broker_.CreateExchange("dead", "fanout", ExchangeSettings{}, nullptr).ok());
  // "a-first" sorts before "dead" by name, but must be reported after it.
  ASSERT_TRUE(broker_.CreateExchange("a-first", "topic", uses_dead, nullptr).ok());
  MakeQueue("q");
  ASSERT_TRUE(broker_.Bind("a-first", "q", "k", {}).ok());

  auto observer = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(observer, /*replay=*/true);
  const auto events = observer->events();
  auto position = [&](const std::string& e) {
    return std::find(events.begin(), events.end(), e) - events.begin();
  };
  ASSERT_LT(position("exchange+ dead fanout"), static_cast<long>(events.size()));
  EXPECT_LT(position("exchange+ dead fanout"), position("exchange+ a-first topic"));
  EXPECT_LT(position("exchange+ a-first topic"), position("queue+ q"));
  EXPECT_LT(position("queue+ q"), position("bind a-first q k"));
  EXPECT_LT(position("exchange+ amq.topic topic"), static_cast<long>(events.size()))
      << "built-in exchanges are reported too; the observer decides what matters";

  MakeQueue("later");  // and then the changes, as they come
  EXPECT_EQ(observer->events().back(), "queue+ later");
}

TEST_F(BrokerTest, WithoutReplayAnObserverSeesOnlyLaterChanges) {
  MakeQueue("before");
  auto observer = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(observer);
  MakeQueue("after");
  EXPECT_THAT(observer->events(), ElementsAre("queue+ after"));
  broker_.RemoveConfigurationObserver(observer.get());
  MakeQueue("unseen");
  EXPECT_THAT(observer->events(), ElementsAre("queue+ after"));
}

TEST_F(BrokerTest, PrepareMayAddArgumentsOrRefuseAndInitComesBeforeTheQueueIsReachable) {
  class Preparing : public RecordingConfigurationObserver {
   public:
    explicit Preparing(Broker* b) : broker_(b) {}
    Status PrepareQueue(const std::string& name, QueueSettings& settings) override {
      ++prepared;
      if (name == "refused") return Status::InvalidArgument("queue 'refused' is not wanted");
      settings.arguments["qpid.max_count"] = uint64_t{5};
      return Status::Ok();
    }
    Status PrepareExchange(const std::string& name, std::string_view, ExchangeSettings&) override {
      if (name == "refused-e") return Status::InvalidArgument("exchange 'refused-e' is not wanted");
      return Status::Ok();
    }
    void InitQueue(const QueuePtr& q) override {
      reachable_at_init = broker_->FindQueue(q->name()) != nullptr;
      ++inits;
    }
    Broker* broker_;
    int prepared = 0;
    int inits = 0;
    bool reachable_at_init = true;
  };
  auto observer = std::make_shared<Preparing>(&broker_);
  broker_.AddConfigurationObserver(observer);
  QueuePtr q = MakeQueue("q");
  EXPECT_EQ(q->settings().max_count, 5u) << "arguments added by PrepareQueue are applied";
  EXPECT_EQ(observer->inits, 1);
  EXPECT_FALSE(observer->reachable_at_init);

  auto refused = broker_.CreateQueue("refused", QueueSettings{}, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "queue 'refused' is not wanted");
  EXPECT_EQ(broker_.FindQueue("refused"), nullptr);
  EXPECT_EQ(observer->inits, 1) << "a refused queue is never made";

  (void)broker_.CreateQueue("q", QueueSettings{}, nullptr);
  EXPECT_EQ(observer->prepared, 2) << "declaring an existing queue prepares nothing";

  auto e = broker_.CreateExchange("refused-e", "direct", ExchangeSettings{}, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "exchange 'refused-e' is not wanted");
  EXPECT_THAT(observer->events(), ElementsAre("queue+ q"));
}

TEST_F(BrokerTest, PrepareMayRefuseDeletesAndBindingsAndSeesWhoAsked) {
  // Refuses every change made within a request scope of a connection other than `allowed_id`.
  class Guarding : public RecordingConfigurationObserver {
   public:
    Status Judge(const std::string& what) {
      ++judged;
      const ConnectionInfo* requester = RequestScope::Current();
      if (requester != nullptr && requester->id != allowed_id) {
        return Status::Error(StatusCode::kPreconditionFailed, "refused: " + what);
      }
      return Status::Ok();
    }
    Status PrepareDeleteQueue(const QueuePtr& q) override { return Judge("delete " + q->name()); }
    Status PrepareDeleteExchange(const ExchangePtr& e) override {
      return Judge("delete " + e->name());
    }
    Status PrepareBind(const BindingInfo& b) override { return Judge("bind " + b.key); }
    Status PrepareUnbind(const BindingInfo& b) override { return Judge("unbind " + b.key); }
    uint64_t allowed_id = 1;
    int judged = 0;
  };
  auto observer = std::make_shared<Guarding>();
  broker_.AddConfigurationObserver(observer);
  QueuePtr q = MakeQueue("q");
  ASSERT_TRUE(broker_.CreateExchange("x", "direct", ExchangeSettings{}, nullptr).ok());
  ASSERT_TRUE(broker_.Bind("x", "q", "k", {}).ok()) << "outside any scope: the broker's own work";

  ConnectionInfo stranger;
  stranger.id = 2;
  {
    RequestScope scope(stranger);
    EXPECT_EQ(RequestScope::Current(), &stranger);
    EXPECT_EQ(broker_.DeleteQueue("q").message(), "refused: delete q");
    EXPECT_EQ(broker_.DeleteExchange("x").message(), "refused: delete x");
    EXPECT_EQ(broker_.Bind("x", "q", "k2", {}).message(), "refused: bind k2");
    EXPECT_EQ(broker_.Unbind("x", "q", "k").message(), "refused: unbind k");
    const int judged = observer->judged;
    EXPECT_EQ(broker_.DeleteQueue("nothing").code(), StatusCode::kNotFound)
        << "a change that fails anyway is not judged";
    EXPECT_EQ(observer->judged, judged);
  }
  EXPECT_EQ(RequestScope::Current(), nullptr);
  EXPECT_NE(broker_.FindQueue("q"), nullptr);
  EXPECT_NE(broker_.FindExchange("x"), nullptr);
  EXPECT_THAT(observer->events(), ElementsAre("queue+ q", "exchange+ x direct", "bind x q k"))
      << "refused changes are not reported";

  ConnectionInfo admin;
  admin.id = 1;
  RequestScope scope(admin);
  EXPECT_TRUE(broker_.Unbind("x", "q", "k").ok());
  EXPECT_TRUE(broker_.DeleteQueue("q").ok());
  EXPECT_TRUE(broker_.DeleteExchange("x").ok());
  EXPECT_EQ(broker_.FindQueue("q"), nullptr);
}

// --- Concurrent configuration changes ------------------------------------------------------
// Connections on every worker loop change the configuration at once. The HA module replays what
// ConfigurationObserver reports, so the reported order must be an order that really happened,
// and no change may land on an object that is already gone. These tests race two threads for a
// bounded time; a correct registry never fails them, a racy one fails them almost every run.

constexpr auto kRaceTime = std::chrono::milliseconds(300);

TEST_F(BrokerTest, ConcurrentCreateAndDeleteAreObservedInTheOrderTheyHappened) {
  auto observer = std::make_shared<RecordingConfigurationObserver>();
  broker_.AddConfigurationObserver(observer);
  std::atomic<bool> stop{false};
  std::latch start(3);
  std::thread creator([&] {
    start.arrive_and_wait();
    while (!stop) (void)broker_.CreateQueue("q", QueueSettings{}, nullptr);
  });
  std::thread deleter([&] {
    start.arrive_and_wait();
    while (!stop) (void)broker_.DeleteQueue("q");
  });
  start.arrive_and_wait();
  std::this_thread::sleep_for(kRaceTime);
  stop = true;
  creator.join();
  deleter.join();

  // Replay what was observed, as a backup would.
  bool exists = false;
  int impossible = 0;
  const auto events = observer->events();
  for (const std::string& e : events) {
    if (e == "queue+ q") {
      impossible += exists;  // created twice without a delete between
      exists = true;
    } else if (e == "queue- q") {
      impossible += !exists;  // deleted while it did not exist
      exists = false;
    }
  }
  EXPECT_EQ(impossible, 0) << "of " << events.size() << " observed events";
  EXPECT_EQ(exists, broker_.FindQueue("q") != nullptr)
      << "replaying the observed events does not give the broker's state";
}

TEST_F(BrokerTest, BindRacingDeleteQueueLeavesNoBindingToTheDeletedQueue) {
  std::atomic<bool> stop{false};
  std::latch start(2);
  std::thread binder([&] {
    start.arrive_and_wait();
    while (!stop) (void)broker_.Bind("amq.direct", "q", "k", {});
  });
  start.arrive_and_wait();
  int phantoms = 0;
  int rounds = 0;
  const auto deadline = std::chrono::steady_clock::now() + kRaceTime;
  while (std::chrono::steady_clock::now() < deadline && phantoms == 0) {
    ++rounds;
    (void)broker_.CreateQueue("q", QueueSettings{}, nullptr);
    ASSERT_TRUE(broker_.DeleteQueue("q").ok());
    std::this_thread::yield();  // let a Bind that was under way finish
    // This thread alone creates q, and q does not exist: any binding to q is to a dead queue.
    if (!broker_.Bindings().empty() && broker_.FindQueue("q") == nullptr) ++phantoms;
  }
  stop = true;
  binder.join();
  EXPECT_EQ(phantoms, 0) << "after " << rounds << " rounds, a binding to deleted queue q remained";
}

// --- Connections ---------------------------------------------------------------------------

TEST_F(BrokerTest, ConnectionsAreAdmittedWithoutAPolicy) {
  ConnectionInfo info;
  info.id = 1;
  info.remote_address = "10.0.0.1:5672";
  EXPECT_EQ(broker_.AdmitConnection(info).action, AdmissionVerdict::Action::kAdmit);
}

TEST_F(BrokerTest, InstalledAdmissionPolicyThatRefusesReturnsItsStatus) {
  auto policy = std::make_shared<RefusingAdmission>();
  broker_.SetConnectionAdmission(policy);
  ConnectionInfo info;
  info.id = 7;
  info.remote_address = "192.0.2.1:40000";
  info.container_id = "client-1";
  info.user = "anonymous";
  info.admin = true;
  AdmissionVerdict verdict = broker_.AdmitConnection(info);
  EXPECT_EQ(verdict.action, AdmissionVerdict::Action::kDrop);
  EXPECT_EQ(verdict.reason, "this node is a backup: connect to the primary");
  ASSERT_EQ(policy->seen.size(), 1u);
  EXPECT_EQ(policy->seen[0].id, 7u);
  EXPECT_EQ(policy->seen[0].remote_address, "192.0.2.1:40000");
  EXPECT_EQ(policy->seen[0].container_id, "client-1");
  EXPECT_TRUE(policy->seen[0].admin);

  broker_.SetConnectionAdmission(nullptr);  // uninstalled: admit again
  EXPECT_EQ(broker_.AdmitConnection(info).action, AdmissionVerdict::Action::kAdmit);
  EXPECT_EQ(policy->seen.size(), 1u);
}

TEST(ConnectionRegistryTest, IdsAreUniqueAndStartAtOne) {
  ConnectionRegistry registry;
  EXPECT_EQ(registry.NextId(), 1u);
  EXPECT_EQ(registry.NextId(), 2u);
  std::set<uint64_t> ids;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        const uint64_t id = registry.NextId();
        std::lock_guard lock(mutex);
        ids.insert(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 4000u);
  EXPECT_EQ(*ids.begin(), 3u);
}

TEST(ConnectionRegistryTest, AddRemoveAndSnapshotCounters) {
  ConnectionRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_THAT(registry.Snapshot(), IsEmpty());

  auto a = std::make_shared<ConnectionRecord>();
  a->info.id = registry.NextId();
  a->info.remote_address = "127.0.0.1:1000";
  a->info.container_id = "a";
  auto b = std::make_shared<ConnectionRecord>();
  b->info.id = registry.NextId();
  b->info.container_id = "b";
  b->info.backup_link = true;
  registry.Add(b);
  registry.Add(a);
  EXPECT_EQ(registry.size(), 2u);

  a->messages_in += 5;
  a->messages_out += 3;
  a->senders += 2;
  a->receivers += 1;
  auto snapshot = registry.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].info.container_id, "a") << "ordered by id";
  EXPECT_EQ(snapshot[0].info.remote_address, "127.0.0.1:1000");
  EXPECT_EQ(snapshot[0].messages_in, 5u);
  EXPECT_EQ(snapshot[0].messages_out, 3u);
  EXPECT_EQ(snapshot[0].senders, 2u);
  EXPECT_EQ(snapshot[0].receivers, 1u);
  EXPECT_EQ(snapshot[1].info.container_id, "b");
  EXPECT_TRUE(snapshot[1].info.backup_link);
  EXPECT_EQ(snapshot[1].messages_in, 0u);

  a->messages_in += 1;
  EXPECT_EQ(snapshot[0].messages_in, 5u) << "a snapshot is a copy";
  EXPECT_EQ(registry.Snapshot()[0].messages_in, 6u);

  registry.Remove(a->info.id);
  registry.Remove(999);  // unknown: harmless
  EXPECT_EQ(registry.size(), 1u);
  snapshot = registry.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].info.container_id, "b");
  registry.Remove(b->info.id);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(BrokerTest, BrokerOwnsAConnectionRegistry) {
  auto r = std::make_shared<ConnectionRecord>();
  r->info.id = broker_.connections().NextId();
  broker_.connections().Add(r);
  EXPECT_EQ(broker_.connections().size(), 1u);
  broker_.connections().Remove(r->info.id);
  EXPECT_EQ(broker_.connections().size(), 0u);
}

// --- Temporary names -----------------------------------------------------------------------

TEST_F(BrokerTest, TemporaryNamesAreUniqueAndCarryPrefixAndBrokerId) {
  std::set<std::string> names;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = broker_.NewTemporaryName("amq.topic.sub.");
    EXPECT_EQ(name.rfind("amq.topic.sub.0123abcd.", 0), 0u) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 1000u);

  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        std::string n = broker_.NewTemporaryName("dyn.");
        std::lock_guard lock(mutex);
        names.insert(std::move(n));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(names.size(), 3000u);
}

TEST(BrokerNamesTest, TemporaryNamesWorkWithAShortBrokerId) {
  Broker broker(Config("ab"));
  const std::string a = broker.NewTemporaryName("t.");
  const std::string b = broker.NewTemporaryName("t.");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("t.ab.", 0), 0u) << a;
  bool created = false;
  EXPECT_TRUE(broker.CreateQueue(a, QueueSettings{}, &created).ok());
  EXPECT_TRUE(created);
}

TEST(BrokerNamesTest, VersionIsNotEmpty) { EXPECT_STRNE(Broker::Version(), ""); }

}  // namespace
}  // namespace qpidd::broker
