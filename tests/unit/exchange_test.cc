#include "broker/exchange.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/codec.h>
#include <proton/error.h>
#include <proton/message.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker/topic_pattern.h"

namespace qpidd::broker {
namespace {

using ::testing::HasSubstr;

// Writes one application-property value into a Proton map being built.
using PropertyWriter = std::function<void(pn_data_t*)>;
PropertyWriter Str(std::string s) {
  return [s = std::move(s)](pn_data_t* d) { pn_data_put_string(d, pn_bytes(s.size(), s.data())); };
}
PropertyWriter Long(int64_t v) {
  return [v](pn_data_t* d) { pn_data_put_long(d, v); };
}
PropertyWriter Int(int32_t v) {
  return [v](pn_data_t* d) { pn_data_put_int(d, v); };
}
PropertyWriter ULong(uint64_t v) {
  return [v](pn_data_t* d) { pn_data_put_ulong(d, v); };
}
PropertyWriter Double(double v) {
  return [v](pn_data_t* d) { pn_data_put_double(d, v); };
}
PropertyWriter Null() {
  return [](pn_data_t* d) { pn_data_put_null(d); };
}

using Properties = std::vector<std::pair<std::string, PropertyWriter>>;

// An encoded AMQP message, as a publisher would send it, decoded the way the broker does.
MessagePtr NewMessage(const std::string& subject, const Properties& properties = {}) {
  std::unique_ptr<pn_message_t, void (*)(pn_message_t*)> m(pn_message(), pn_message_free);
  pn_message_set_subject(m.get(), subject.c_str());
  if (!properties.empty()) {
    pn_data_t* data = pn_message_properties(m.get());
    pn_data_put_map(data);
    pn_data_enter(data);
    for (const auto& [name, write] : properties) {
      pn_data_put_string(data, pn_bytes(name.size(), name.data()));
      write(data);
    }
    pn_data_exit(data);
  }
  pn_data_put_string(pn_message_body(m.get()), pn_bytes(4, "body"));
  std::string bytes(256, '\0');
  for (;;) {
    size_t size = bytes.size();
    int rc = pn_message_encode(m.get(), bytes.data(), &size);
    if (rc == PN_OVERFLOW) {
      bytes.resize(bytes.size() * 2);
      continue;
    }
    EXPECT_EQ(rc, 0);
    bytes.resize(size);
    break;
  }
  Result<MessagePtr> decoded = Message::Decode(std::move(bytes));
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.value();
}

QueuePtr NewQueue(const std::string& name) {
  return std::make_shared<Queue>(name, QueueSettings{});
}

ExchangePtr NewExchange(std::string_view type, const std::string& name = "ex") {
  Result<ExchangePtr> made = MakeExchange(type, name, ExchangeSettings{});
  EXPECT_TRUE(made.ok()) << made.status().message();
  return made.value();
}

std::vector<std::string> Names(const std::vector<QueuePtr>& queues) {
  std::vector<std::string> names;
  for (const auto& q : queues) names.push_back(q->name());
  return names;
}

std::vector<std::string> RouteNames(const Exchange& exchange, const MessagePtr& message) {
  std::vector<QueuePtr> out;
  exchange.Route(*message, message->subject(), out);
  return Names(out);
}

std::vector<std::string> RouteNames(const Exchange& exchange, const std::string& subject) {
  return RouteNames(exchange, NewMessage(subject));
}

using NameList = std::vector<std::string>;

// ---- MakeExchange

TEST(MakeExchangeTest, MakesEachType) {
  for (std::string_view type : {"direct", "topic", "fanout", "headers"}) {
    ExchangeSettings settings;
    settings.durable = true;
    Result<ExchangePtr> made = MakeExchange(type, "x", settings, /*builtin=*/true);
    ASSERT_TRUE(made.ok()) << made.status().message();
    EXPECT_EQ(made.value()->type(), type);
    EXPECT_EQ(made.value()->name(), "x");
    EXPECT_TRUE(made.value()->settings().durable);
    EXPECT_TRUE(made.value()->builtin());
  }
  EXPECT_FALSE(NewExchange("direct")->builtin());
}

TEST(MakeExchangeTest, UnknownTypeNamesItAndTheKnownOnes) {
  Result<ExchangePtr> made = MakeExchange("xml", "x", ExchangeSettings{});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument);
  const std::string message = made.status().message();
  EXPECT_THAT(message, HasSubstr("'xml'"));
  for (const char* known : {"direct", "topic", "fanout", "headers"}) {
    EXPECT_THAT(message, HasSubstr(known));
  }
}

// ---- Behaviour every type shares. A binding (queue, "k", no arguments) matches a message with
// subject "k" in all four: exact key, literal pattern, fanout, headers `all` with nothing to match.

class EveryExchangeTest : public ::testing::TestWithParam<std::string> {
 protected:
  ExchangePtr exchange_ = NewExchange(GetParam(), "ex");
  QueuePtr q1_ = NewQueue("q1");
  QueuePtr q2_ = NewQueue("q2");
};

INSTANTIATE_TEST_SUITE_P(Types, EveryExchangeTest,
                         ::testing::Values("direct", "topic", "fanout", "headers"),
                         [](const auto& info) { return info.param; });

TEST_P(EveryExchangeTest, RoutesToBoundQueues) {
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{});
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  EXPECT_EQ(RouteNames(*exchange_, "k"), (NameList{"q1", "q2"}));
}

TEST_P(EveryExchangeTest, DuplicateBindIsANoOp) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  EXPECT_EQ(exchange_->Bindings().size(), 1u);
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{"q1"});
  // One unbind undoes both binds.
  ASSERT_TRUE(exchange_->Unbind("q1", "k").ok());
  EXPECT_TRUE(exchange_->Bindings().empty());
}

TEST_P(EveryExchangeTest, UnbindStopsRouting) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Unbind("q1", "k").ok());
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{"q2"});
  ASSERT_TRUE(exchange_->Unbind("q2", "k").ok());
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{});
  EXPECT_TRUE(exchange_->Bindings().empty());
}

TEST_P(EveryExchangeTest, UnbindMissingIsNotFoundNamingExchangeQueueAndKey) {
  Status never_bound = exchange_->Unbind("q1", "k");
  EXPECT_EQ(never_bound.code(), StatusCode::kNotFound);
  EXPECT_THAT(never_bound.message(), HasSubstr("'ex'"));
  EXPECT_THAT(never_bound.message(), HasSubstr("'q1'"));
  EXPECT_THAT(never_bound.message(), HasSubstr("'k'"));

  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  Status other_key = exchange_->Unbind("q1", "other");
  EXPECT_EQ(other_key.code(), StatusCode::kNotFound);
  EXPECT_THAT(other_key.message(), HasSubstr("'other'"));
  EXPECT_EQ(exchange_->Unbind("q2", "k").code(), StatusCode::kNotFound);
  EXPECT_EQ(exchange_->Bindings().size(), 1u);  // failed unbinds changed nothing
}

TEST_P(EveryExchangeTest, RemoveQueueDropsAllItsBindings) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q1_, "j", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  exchange_->RemoveQueue("q1");
  std::vector<BindingInfo> bindings = exchange_->Bindings();
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].queue, "q2");
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{"q2"});
  exchange_->RemoveQueue("not-bound");  // harmless
  EXPECT_EQ(exchange_->Bindings().size(), 1u);
}

TEST_P(EveryExchangeTest, QueueAlreadyInOutIsNotAppendedAgain) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  QueuePtr elsewhere = NewQueue("elsewhere");
  std::vector<QueuePtr> out = {elsewhere, q1_};
  MessagePtr message = NewMessage("k");
  exchange_->Route(*message, "k", out);
  EXPECT_EQ(Names(out), (NameList{"elsewhere", "q1", "q2"}));
}

TEST_P(EveryExchangeTest, DeletedQueuesAreSkipped) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  q1_->Delete();
  EXPECT_EQ(RouteNames(*exchange_, "k"), NameList{"q2"});
}

// A queue deleted and made again under the same name before its bindings were removed: binding
// the new one must not be taken for a duplicate of the old, dead binding.
TEST_P(EveryExchangeTest, NewQueueWithDeletedQueuesNameTakesTheBindingOver) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  q1_->Delete();
  QueuePtr reborn = NewQueue("q1");
  ASSERT_TRUE(exchange_->Bind(reborn, "k", {}).ok());
  std::vector<QueuePtr> out;
  exchange_->Route(*NewMessage("k"), "k", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], reborn);
  EXPECT_EQ(exchange_->Bindings().size(), 1u);
}

TEST_P(EveryExchangeTest, BindingsListsEveryBindingWithItsArguments) {
  const Arguments args = {{"note", std::string("kept")}, {"x-extra", int64_t{1}}};
  ASSERT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
  ASSERT_TRUE(exchange_->Bind(q1_, "k", args).ok());
  ASSERT_TRUE(exchange_->Bind(q1_, "j", {}).ok());
  std::vector<BindingInfo> bindings = exchange_->Bindings();
  ASSERT_EQ(bindings.size(), 3u);
  // Sorted by queue, then key.
  EXPECT_EQ(bindings[0].queue, "q1");
  EXPECT_EQ(bindings[0].key, "j");
  EXPECT_EQ(bindings[1].queue, "q1");
  EXPECT_EQ(bindings[1].key, "k");
  EXPECT_EQ(bindings[1].arguments, args);
  EXPECT_EQ(bindings[2].queue, "q2");
  for (const BindingInfo& b : bindings) EXPECT_EQ(b.exchange, "ex");
}

// Readers route while a writer binds and unbinds: nothing breaks and every routing sees a
// consistent state (the always-bound queue is always found). Meant for TSan runs too.
TEST_P(EveryExchangeTest, RoutesWhileBindingsChange) {
  ASSERT_TRUE(exchange_->Bind(q1_, "k", {}).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      EXPECT_TRUE(exchange_->Bind(q2_, "k", {}).ok());
      EXPECT_TRUE(exchange_->Unbind("q2", "k").ok());
    }
    stop = true;
  });
  MessagePtr message = NewMessage("k");
  std::vector<QueuePtr> out;
  bool consistent = true;
  while (!stop && consistent) {
    out.clear();
    exchange_->Route(*message, "k", out);
    consistent = !out.empty() && out[0] == q1_;
  }
  EXPECT_TRUE(consistent);
  writer.join();
}

// ---- direct

TEST(DirectExchangeTest, MatchesTheWholeKeyExactly) {
  ExchangePtr direct = NewExchange("direct");
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(direct->Bind(q, "a.b", {}).ok());
  EXPECT_EQ(RouteNames(*direct, "a.b"), NameList{"q"});
  EXPECT_EQ(RouteNames(*direct, "a"), NameList{});
  EXPECT_EQ(RouteNames(*direct, "a.b.c"), NameList{});
  EXPECT_EQ(RouteNames(*direct, "A.B"), NameList{});
}

TEST(DirectExchangeTest, WildcardsAreLiteral) {
  ExchangePtr direct = NewExchange("direct");
  ASSERT_TRUE(direct->Bind(NewQueue("q"), "a.#", {}).ok());
  EXPECT_EQ(RouteNames(*direct, "a.b"), NameList{});
  EXPECT_EQ(RouteNames(*direct, "a.#"), NameList{"q"});
}

TEST(DirectExchangeTest, EmptyKey) {
  ExchangePtr direct = NewExchange("direct");
  ASSERT_TRUE(direct->Bind(NewQueue("q"), "", {}).ok());
  EXPECT_EQ(RouteNames(*direct, ""), NameList{"q"});
  EXPECT_EQ(RouteNames(*direct, "k"), NameList{});
}

TEST(DirectExchangeTest, QueueUnderTwoKeysGetsEachKeysMessages) {
  ExchangePtr direct = NewExchange("direct");
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(direct->Bind(q, "a", {}).ok());
  ASSERT_TRUE(direct->Bind(q, "b", {}).ok());
  EXPECT_EQ(RouteNames(*direct, "a"), NameList{"q"});
  EXPECT_EQ(RouteNames(*direct, "b"), NameList{"q"});
}

// ---- fanout

TEST(FanoutExchangeTest, IgnoresTheKey) {
  ExchangePtr fanout = NewExchange("fanout");
  ASSERT_TRUE(fanout->Bind(NewQueue("q1"), "", {}).ok());
  ASSERT_TRUE(fanout->Bind(NewQueue("q2"), "whatever", {}).ok());
  EXPECT_EQ(RouteNames(*fanout, "anything"), (NameList{"q1", "q2"}));
  EXPECT_EQ(RouteNames(*fanout, ""), (NameList{"q1", "q2"}));
}

TEST(FanoutExchangeTest, QueueBoundUnderTwoKeysGetsTheMessageOnce) {
  ExchangePtr fanout = NewExchange("fanout");
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(fanout->Bind(q, "a", {}).ok());
  ASSERT_TRUE(fanout->Bind(q, "b", {}).ok());
  EXPECT_EQ(fanout->Bindings().size(), 2u);
  EXPECT_EQ(RouteNames(*fanout, "a"), NameList{"q"});
  ASSERT_TRUE(fanout->Unbind("q", "a").ok());
  EXPECT_EQ(RouteNames(*fanout, "a"), NameList{"q"});  // still bound under "b"
}

// ---- topic

TEST(TopicExchangeTest, RoutesByPattern) {
  ExchangePtr topic = NewExchange("topic");
  ASSERT_TRUE(topic->Bind(NewQueue("all"), "#", {}).ok());
  ASSERT_TRUE(topic->Bind(NewQueue("stocks"), "stock.#", {}).ok());
  ASSERT_TRUE(topic->Bind(NewQueue("ibm"), "stock.*.ibm", {}).ok());
  ASSERT_TRUE(topic->Bind(NewQueue("exact"), "stock.nyse.ibm", {}).ok());
  EXPECT_EQ(RouteNames(*topic, "stock.nyse.ibm"), (NameList{"all", "stocks", "ibm", "exact"}));
  EXPECT_EQ(RouteNames(*topic, "stock.lse.ibm"), (NameList{"all", "stocks", "ibm"}));
  EXPECT_EQ(RouteNames(*topic, "stock"), (NameList{"all", "stocks"}));
  EXPECT_EQ(RouteNames(*topic, "bond.x"), NameList{"all"});
  EXPECT_EQ(RouteNames(*topic, ""), NameList{"all"});
}

TEST(TopicExchangeTest, QueueWithTwoMatchingPatternsGetsTheMessageOnce) {
  ExchangePtr topic = NewExchange("topic");
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(topic->Bind(q, "a.*", {}).ok());
  ASSERT_TRUE(topic->Bind(q, "#.b", {}).ok());
  ASSERT_TRUE(topic->Bind(q, "a.b", {}).ok());
  EXPECT_EQ(topic->Bindings().size(), 3u);
  EXPECT_EQ(RouteNames(*topic, "a.b"), NameList{"q"});
  EXPECT_EQ(RouteNames(*topic, "x.b"), NameList{"q"});
}

TEST(TopicExchangeTest, EquivalentSpellingsAreOneBindingUnderTheNormalisedKey) {
  ExchangePtr topic = NewExchange("topic");
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(topic->Bind(q, "a.#.#", {}).ok());
  ASSERT_TRUE(topic->Bind(q, "a.#", {}).ok());  // duplicate once normalised
  std::vector<BindingInfo> bindings = topic->Bindings();
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].key, "a.#");
  ASSERT_TRUE(topic->Unbind("q", "a.#.#.#").ok());
  EXPECT_TRUE(topic->Bindings().empty());
}

TEST(TopicExchangeTest, OverlongPatternIsRefusedNamingTheBinding) {
  ExchangePtr topic = NewExchange("topic");
  Status s = topic->Bind(NewQueue("q"), std::string(TopicPattern::kMaxLength + 1, 'a'), {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'q'"));
  EXPECT_THAT(s.message(), HasSubstr("'ex'"));
  EXPECT_TRUE(topic->Bindings().empty());
  EXPECT_EQ(topic->Unbind("q", std::string(TopicPattern::kMaxLength + 1, 'a')).code(),
            StatusCode::kNotFound);
}

// ---- headers

class HeadersExchangeTest : public ::testing::Test {
 protected:
  Status Bind(const std::string& queue, const Arguments& args, const std::string& key = "") {
    return headers_->Bind(NewQueue(queue), key, args);
  }
  std::vector<std::string> Route(const Properties& properties) {
    return RouteNames(*headers_, NewMessage("ignored", properties));
  }

  ExchangePtr headers_ = NewExchange("headers", "match");
};

TEST_F(HeadersExchangeTest, AllIsTheDefaultAndNeedsEveryArgument) {
  ASSERT_TRUE(Bind("implicit", {{"a", int64_t{1}}, {"b", std::string("x")}}).ok());
  ASSERT_TRUE(Bind("explicit",
                   {{"x-match", std::string("all")}, {"a", int64_t{1}}, {"b", std::string("x")}})
                  .ok());
  EXPECT_EQ(Route({{"a", Long(1)}, {"b", Str("x")}}), (NameList{"implicit", "explicit"}));
  EXPECT_EQ(Route({{"a", Long(1)}, {"b", Str("x")}, {"c", Long(9)}}),
            (NameList{"implicit", "explicit"}));
  EXPECT_EQ(Route({{"a", Long(1)}}), NameList{});
  EXPECT_EQ(Route({{"a", Long(1)}, {"b", Str("y")}}), NameList{});
  EXPECT_EQ(Route({}), NameList{});
}

TEST_F(HeadersExchangeTest, AnyNeedsOneArgument) {
  ASSERT_TRUE(
      Bind("q", {{"x-match", std::string("any")}, {"a", int64_t{1}}, {"b", std::string("x")}})
          .ok());
  EXPECT_EQ(Route({{"a", Long(1)}}), NameList{"q"});
  EXPECT_EQ(Route({{"b", Str("x")}, {"a", Long(2)}}), NameList{"q"});
  EXPECT_EQ(Route({{"a", Long(2)}, {"b", Str("y")}}), NameList{});
  EXPECT_EQ(Route({}), NameList{});
}

TEST_F(HeadersExchangeTest, NullArgumentMatchesAnyValuePresent) {
  ASSERT_TRUE(Bind("q", {{"trace", Value()}}).ok());
  EXPECT_EQ(Route({{"trace", Str("on")}}), NameList{"q"});
  EXPECT_EQ(Route({{"trace", Long(0)}}), NameList{"q"});
  EXPECT_EQ(Route({{"trace", Null()}}), NameList{"q"});
  EXPECT_EQ(Route({{"other", Str("on")}}), NameList{});
}

TEST_F(HeadersExchangeTest, NumbersMatchByNumberWhateverTheirWidth) {
  ASSERT_TRUE(Bind("q", {{"n", int64_t{7}}}).ok());
  EXPECT_EQ(Route({{"n", Int(7)}}), NameList{"q"});
  EXPECT_EQ(Route({{"n", ULong(7)}}), NameList{"q"});
  EXPECT_EQ(Route({{"n", Double(7.0)}}), NameList{"q"});
  EXPECT_EQ(Route({{"n", Double(7.5)}}), NameList{});
  EXPECT_EQ(Route({{"n", Str("7")}}), NameList{});  // a string is not a number
}

TEST_F(HeadersExchangeTest, ArgumentsNamedXDashAreNotMatchedOn) {
  ASSERT_TRUE(
      Bind("q",
           {{"x-match", std::string("all")}, {"x-anything", std::string("v")}, {"a", int64_t{1}}})
          .ok());
  EXPECT_EQ(Route({{"a", Long(1)}}), NameList{"q"});
  // Kept as bound, for management and replication.
  ASSERT_EQ(headers_->Bindings().size(), 1u);
  EXPECT_EQ(headers_->Bindings()[0].arguments.count("x-anything"), 1u);
}

TEST_F(HeadersExchangeTest, NothingToMatch) {
  ASSERT_TRUE(Bind("all", {}).ok());
  ASSERT_TRUE(Bind("any", {{"x-match", std::string("any")}}).ok());
  // As in qpidd: `all` of nothing holds for every message, `any` of nothing for none.
  EXPECT_EQ(Route({}), NameList{"all"});
  EXPECT_EQ(Route({{"a", Long(1)}}), NameList{"all"});
}

TEST_F(HeadersExchangeTest, BadXMatchIsRefusedNamingIt) {
  Status word = Bind("q", {{"x-match", std::string("some")}});
  EXPECT_EQ(word.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(word.message(), HasSubstr("\"some\""));
  EXPECT_THAT(word.message(), HasSubstr("x-match"));
  EXPECT_THAT(word.message(), HasSubstr("'q'"));
  EXPECT_THAT(word.message(), HasSubstr("'match'"));
  Status number = Bind("q", {{"x-match", int64_t{1}}});
  EXPECT_EQ(number.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind("q", {{"x-match", std::string("ALL")}}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(headers_->Bindings().empty());
}

TEST_F(HeadersExchangeTest, RoutingKeyNamesTheBindingButIsNotMatched) {
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(headers_->Bind(q, "red", {{"colour", std::string("red")}}).ok());
  ASSERT_TRUE(headers_->Bind(q, "blue", {{"colour", std::string("blue")}}).ok());
  EXPECT_EQ(headers_->Bindings().size(), 2u);
  // Subjects differ from the binding keys on purpose.
  EXPECT_EQ(RouteNames(*headers_, NewMessage("x", {{"colour", Str("red")}})), NameList{"q"});
  EXPECT_EQ(RouteNames(*headers_, NewMessage("red", {{"colour", Str("blue")}})), NameList{"q"});
  ASSERT_TRUE(headers_->Unbind("q", "red").ok());
  EXPECT_EQ(RouteNames(*headers_, NewMessage("red", {{"colour", Str("red")}})), NameList{});
  EXPECT_EQ(RouteNames(*headers_, NewMessage("x", {{"colour", Str("blue")}})), NameList{"q"});
}

TEST_F(HeadersExchangeTest, QueueWithTwoMatchingBindingsGetsTheMessageOnce) {
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(headers_->Bind(q, "one", {{"a", int64_t{1}}}).ok());
  ASSERT_TRUE(headers_->Bind(q, "two", {{"b", int64_t{2}}}).ok());
  EXPECT_EQ(Route({{"a", Long(1)}, {"b", Long(2)}}), NameList{"q"});
}

TEST_F(HeadersExchangeTest, RebindWithOtherArgumentsIsANoOp) {
  QueuePtr q = NewQueue("q");
  ASSERT_TRUE(headers_->Bind(q, "k", {{"a", int64_t{1}}}).ok());
  ASSERT_TRUE(headers_->Bind(q, "k", {{"a", int64_t{2}}}).ok());
  EXPECT_EQ(Route({{"a", Long(1)}}), NameList{"q"});
  EXPECT_EQ(Route({{"a", Long(2)}}), NameList{});
  // Bad arguments are refused even when the (queue, key) binding exists.
  EXPECT_EQ(headers_->Bind(q, "k", {{"x-match", std::string("none")}}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qpidd::broker
