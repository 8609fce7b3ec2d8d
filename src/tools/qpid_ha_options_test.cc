#include "tools/qpid_ha_options.h"

#include <gtest/gtest.h>

namespace qpidd::tools::qpid_ha {
namespace {

// Parses `args` (the words after "qpid-ha") into `options`; the error message, or "" if none.
std::string ParseError(const std::vector<std::string>& args, Options& options) {
  auto error = Parse(args, options);
  return error ? error->message : "";
}

TEST(QpidHaOptionsTest, Defaults) {
  Options options;
  ASSERT_EQ("", ParseError({"status"}, options));
  EXPECT_EQ(Command::kStatus, options.command);
  EXPECT_EQ("localhost:5672", options.broker);
  EXPECT_EQ(std::chrono::milliseconds(10000), options.timeout);
  EXPECT_FALSE(options.help);
  EXPECT_FALSE(options.expect);
  EXPECT_FALSE(options.is_primary);
  EXPECT_FALSE(options.all);
  EXPECT_FALSE(options.cluster_manager);
}

TEST(QpidHaOptionsTest, EachCommand) {
  const std::pair<const char*, Command> commands[] = {
      {"ping", Command::kPing},       {"status", Command::kStatus}, {"query", Command::kQuery},
      {"promote", Command::kPromote}, {"help", Command::kHelp},
  };
  for (const auto& [word, command] : commands) {
    Options options;
    ASSERT_EQ("", ParseError({word}, options)) << word;
    EXPECT_EQ(command, options.command) << word;
  }
}

TEST(QpidHaOptionsTest, OptionsBeforeOrAfterTheCommand) {
  Options before;
  ASSERT_EQ("", ParseError({"-b", "node1:5673", "--timeout", "2.5", "status", "--all"}, before));
  Options after;
  ASSERT_EQ("", ParseError({"status", "--all", "-b", "node1:5673", "--timeout", "2.5"}, after));
  for (const Options* o : {&before, &after}) {
    EXPECT_EQ(Command::kStatus, o->command);
    EXPECT_EQ("node1:5673", o->broker);
    EXPECT_EQ(std::chrono::milliseconds(2500), o->timeout);
    EXPECT_TRUE(o->all);
  }
}

TEST(QpidHaOptionsTest, AttachedValues) {
  Options options;
  ASSERT_EQ("", ParseError({"--broker=guest/guest@node2", "ping", "--timeout=3"}, options));
  EXPECT_EQ("guest/guest@node2", options.broker);
  EXPECT_EQ(std::chrono::milliseconds(3000), options.timeout);
  Options short_form;
  ASSERT_EQ("", ParseError({"ping", "-bnode3:5672"}, short_form));
  EXPECT_EQ("node3:5672", short_form.broker);
}

TEST(QpidHaOptionsTest, Help) {
  for (const char* flag : {"-h", "--help"}) {
    Options options;
    ASSERT_EQ("", ParseError({flag}, options)) << flag;
    EXPECT_TRUE(options.help);
  }
  // With --help, the command is not needed, nor checked.
  Options options;
  EXPECT_EQ("", ParseError({"frobnicate", "--help"}, options));
  EXPECT_TRUE(options.help);
  // help [topic]: the usage all the same.
  Options topic;
  EXPECT_EQ("", ParseError({"help", "status"}, topic));
  EXPECT_EQ(Command::kHelp, topic.command);
}

TEST(QpidHaOptionsTest, Expect) {
  for (const char* state :
       {"standalone", "joining", "catchup", "ready", "recovering", "active", "primary"}) {
    Options options;
    ASSERT_EQ("", ParseError({"status", "--expect", state}, options)) << state;
    EXPECT_EQ(state, options.expect.value_or(""));
  }
  Options options;
  EXPECT_EQ(
      "invalid --expect 'actve': expected standalone, joining, catchup, ready, recovering, "
      "active or primary",
      ParseError({"status", "--expect", "actve"}, options));
  Options missing;
  EXPECT_EQ("option --expect needs a value", ParseError({"status", "--expect"}, missing));
}

TEST(QpidHaOptionsTest, ExpectMatchesAndIsPrimary) {
  EXPECT_TRUE(ExpectMatches("ready", "ready"));
  EXPECT_FALSE(ExpectMatches("ready", "catchup"));
  EXPECT_FALSE(ExpectMatches("active", "recovering"));
  // "primary" stands for both primary states, as the classic tool promised.
  EXPECT_TRUE(ExpectMatches("primary", "active"));
  EXPECT_TRUE(ExpectMatches("primary", "recovering"));
  EXPECT_FALSE(ExpectMatches("primary", "ready"));
  EXPECT_FALSE(ExpectMatches("primary", "standalone"));
  EXPECT_TRUE(IsPrimaryStatus("active"));
  EXPECT_TRUE(IsPrimaryStatus("recovering"));
  for (const char* other : {"standalone", "joining", "catchup", "ready", ""}) {
    EXPECT_FALSE(IsPrimaryStatus(other)) << other;
  }
}

TEST(QpidHaOptionsTest, IsPrimaryAndExpectTogether) {
  // Both are accepted; the tool lets --is-primary win.
  Options options;
  ASSERT_EQ("", ParseError({"status", "--is-primary", "--expect", "ready"}, options));
  EXPECT_TRUE(options.is_primary);
  EXPECT_EQ("ready", options.expect.value_or(""));
}

TEST(QpidHaOptionsTest, AllDoesNotCombineWithAMatch) {
  Options expect;
  EXPECT_EQ("option --all cannot be combined with --expect",
            ParseError({"status", "--all", "--expect", "ready"}, expect));
  Options is_primary;
  EXPECT_EQ("option --all cannot be combined with --is-primary",
            ParseError({"status", "--is-primary", "--all"}, is_primary));
}

TEST(QpidHaOptionsTest, Timeout) {
  Options zero;
  ASSERT_EQ("", ParseError({"ping", "--timeout", "0"}, zero));
  EXPECT_EQ(kNoTimeout, zero.timeout);
  Options fraction;
  ASSERT_EQ("", ParseError({"ping", "--timeout", "0.0001"}, fraction));
  EXPECT_EQ(std::chrono::milliseconds(1), fraction.timeout);  // never 0: that would be no wait
  for (const char* bad : {"soon", "", "-1", "5s", "inf", "nan", "86401"}) {
    Options options;
    EXPECT_EQ("invalid --timeout '" + std::string(bad) +
                  "': expected a number of seconds from 0 (no bound) to 86400",
              ParseError({"ping", "--timeout", bad}, options))
        << bad;
  }
}

TEST(QpidHaOptionsTest, UnknownCommand) {
  Options options;
  EXPECT_EQ("unknown command 'frobnicate'", ParseError({"frobnicate"}, options));
  Options none;
  EXPECT_EQ("no command given", ParseError({"-b", "node1"}, none));
  Options extra;
  EXPECT_EQ("unexpected argument 'node1' after 'status'", ParseError({"status", "node1"}, extra));
}

TEST(QpidHaOptionsTest, UnknownOption) {
  Options long_form;
  EXPECT_EQ("unknown option '--colour'", ParseError({"status", "--colour"}, long_form));
  Options short_form;
  EXPECT_EQ("unknown option '-x'", ParseError({"-x", "status"}, short_form));
  Options glued;
  EXPECT_EQ("unknown option '-hx'", ParseError({"-hx"}, glued));
  Options flag_value;
  EXPECT_EQ("option --all takes no value", ParseError({"status", "--all=yes"}, flag_value));
  Options missing;
  EXPECT_EQ("option --broker needs a value", ParseError({"ping", "-b"}, missing));
  Options empty;
  EXPECT_EQ("option --broker needs a non-empty address", ParseError({"ping", "-b", ""}, empty));
}

TEST(QpidHaOptionsTest, OptionsOnlyForTheirCommands) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"ping", "--all"}, "option --all does not apply to 'ping'"},
      {{"promote", "--all", "--cluster-manager"}, "option --all does not apply to 'promote'"},
      {{"query", "--expect", "ready"}, "option --expect does not apply to 'query'"},
      {{"query", "--is-primary"}, "option --is-primary does not apply to 'query'"},
      {{"status", "--cluster-manager"}, "option --cluster-manager does not apply to 'status'"},
  };
  for (const auto& [args, message] : cases) {
    Options options;
    EXPECT_EQ(message, ParseError(args, options));
  }
  Options query_all;
  ASSERT_EQ("", ParseError({"query", "--all"}, query_all));
  EXPECT_TRUE(query_all.all);
  Options promote;
  ASSERT_EQ("", ParseError({"promote", "--cluster-manager"}, promote));
  EXPECT_TRUE(promote.cluster_manager);
}

TEST(QpidHaOptionsTest, DoubleDashEndsOptions) {
  Options options;
  EXPECT_EQ("unknown command '--all'", ParseError({"--", "--all"}, options));
}

TEST(QpidHaOptionsTest, ReplicateTakesTwoWordsInAnyPlace) {
  Options options;
  ASSERT_EQ("", ParseError({"replicate", "-b", "node2", "node1", "orders"}, options));
  EXPECT_EQ(Command::kReplicate, options.command);
  EXPECT_EQ("node2", options.broker);
  EXPECT_EQ((std::vector<std::string>{"node1", "orders"}), options.arguments);
  Options short_of_one;
  EXPECT_EQ("'replicate' needs a source URL and a queue name",
            ParseError({"replicate", "node1"}, short_of_one));
  Options one_too_many;
  EXPECT_EQ("unexpected argument 'x' after 'replicate'",
            ParseError({"replicate", "node1", "orders", "x"}, one_too_many));
}

TEST(QpidHaOptionsTest, ReplicateStopAndReplicas) {
  Options stop;
  ASSERT_EQ("", ParseError({"replicate-stop", "orders"}, stop));
  EXPECT_EQ(Command::kReplicateStop, stop.command);
  EXPECT_EQ(std::vector<std::string>{"orders"}, stop.arguments);
  Options missing;
  EXPECT_EQ("'replicate-stop' needs a queue name", ParseError({"replicate-stop"}, missing));
  Options replicas;
  ASSERT_EQ("", ParseError({"replicas"}, replicas));
  EXPECT_EQ(Command::kReplicas, replicas.command);
  Options extra;
  EXPECT_EQ("unexpected argument 'orders' after 'replicas'",
            ParseError({"replicas", "orders"}, extra));
  Options all;
  EXPECT_EQ("option --all does not apply to 'replicas'", ParseError({"replicas", "--all"}, all));
}

TEST(QpidHaOptionsTest, UsageListsCommandsAndOptions) {
  std::string usage(UsageText());
  for (const char* word : {"ping", "status", "query", "promote", "replicate", "replicate-stop", "replicas",
                           "help", "--broker", "--timeout",
                           "--expect", "--is-primary", "--all", "--cluster-manager", "--help"}) {
    EXPECT_NE(std::string::npos, usage.find(word)) << word;
  }
}

}  // namespace
}  // namespace qpidd::tools::qpid_ha
