#include "broker/topic_pattern.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qpidd::broker {
namespace {

TopicPattern Compiled(const std::string& pattern) {
  Result<TopicPattern> compiled = TopicPattern::Compile(pattern);
  EXPECT_TRUE(compiled.ok()) << pattern << ": " << compiled.status().message();
  return compiled.ok() ? compiled.value() : TopicPattern::Compile("").value();
}

bool Match(const std::string& pattern, const std::string& key) {
  return Compiled(pattern).Matches(key);
}

TEST(TopicPatternTest, LiteralMatchesOnlyItself) {
  EXPECT_TRUE(Match("a.b.c", "a.b.c"));
  EXPECT_FALSE(Match("a.b.c", "a.b"));
  EXPECT_FALSE(Match("a.b.c", "a.b.c.d"));
  EXPECT_FALSE(Match("a.b.c", "a.b.x"));
  EXPECT_FALSE(Match("a.b", "a.bc"));
  EXPECT_TRUE(Match("", ""));
  EXPECT_FALSE(Match("", "a"));
}

TEST(TopicPatternTest, StarMatchesExactlyOneWord) {
  EXPECT_TRUE(Match("a.*.c", "a.b.c"));
  EXPECT_TRUE(Match("a.*.c", "a..c"));  // the empty word is a word
  EXPECT_FALSE(Match("a.*.c", "a.c"));
  EXPECT_FALSE(Match("a.*.c", "a.b.b.c"));
  EXPECT_TRUE(Match("*", "a"));
  EXPECT_FALSE(Match("*", "a.b"));
  EXPECT_FALSE(Match("*", ""));  // the empty key has no words
  EXPECT_TRUE(Match("*.*", "a.b"));
  EXPECT_TRUE(Match("*.*", "."));
  EXPECT_FALSE(Match("*.*", "a"));
}

TEST(TopicPatternTest, HashMatchesZeroOrMoreWords) {
  EXPECT_TRUE(Match("a.#", "a"));
  EXPECT_TRUE(Match("a.#", "a.b"));
  EXPECT_TRUE(Match("a.#", "a.b.c"));
  EXPECT_FALSE(Match("a.#", "b.a"));
  EXPECT_FALSE(Match("a.#", "ab"));
  EXPECT_TRUE(Match("#.z", "z"));
  EXPECT_TRUE(Match("#.z", "a.b.z"));
  EXPECT_FALSE(Match("#.z", "z.a"));
  EXPECT_TRUE(Match("a.#.z", "a.z"));
  EXPECT_TRUE(Match("a.#.z", "a.b.c.z"));
  EXPECT_FALSE(Match("a.#.z", "a.b.c"));
}

TEST(TopicPatternTest, HashAloneMatchesEverything) {
  TopicPattern all = Compiled("#");
  EXPECT_TRUE(all.Matches(""));
  EXPECT_TRUE(all.Matches("a"));
  EXPECT_TRUE(all.Matches("a.b.c"));
  EXPECT_TRUE(all.Matches("..."));
}

TEST(TopicPatternTest, AdjacentAndMixedWildcards) {
  EXPECT_TRUE(Match("#.#", ""));
  EXPECT_TRUE(Match("#.#", "a.b"));
  EXPECT_TRUE(Match("a.#.#.c", "a.c"));
  EXPECT_TRUE(Match("a.#.#.c", "a.b.b.c"));
  EXPECT_FALSE(Match("#.*", ""));  // at least one word
  EXPECT_TRUE(Match("#.*", "a"));
  EXPECT_TRUE(Match("#.*", "a.b.c"));
  EXPECT_TRUE(Match("*.#.*", "a.b"));
  EXPECT_FALSE(Match("*.#.*", "a"));
  EXPECT_TRUE(Match("#.b.#", "b"));
  EXPECT_TRUE(Match("#.b.#", "a.b.c"));
  EXPECT_FALSE(Match("#.b.#", "a.c"));
  EXPECT_TRUE(Match("#.a.*.#.c", "x.a.y.z.c"));
  EXPECT_FALSE(Match("#.a.*.#.c", "x.a.c"));
}

// Needs the matcher to retry the last `#` after a partial match of what follows it.
TEST(TopicPatternTest, BacktracksOverPartialMatches) {
  EXPECT_TRUE(Match("#.a.b", "a.a.b"));
  EXPECT_TRUE(Match("#.a.b", "a.b.a.b"));
  EXPECT_TRUE(Match("a.#.b.#.c", "a.b.x.b.y.c"));
  EXPECT_FALSE(Match("a.#.b.#.c", "a.c.b"));
  EXPECT_TRUE(Match("#.x.*.y", "x.x.q.y"));
}

TEST(TopicPatternTest, EmptyWords) {
  EXPECT_TRUE(Match("a..b", "a..b"));
  EXPECT_FALSE(Match("a..b", "a.b"));
  EXPECT_TRUE(Match("a.*", "a."));  // "a." is "a" and ""
  EXPECT_TRUE(Match("*.a", ".a"));
  EXPECT_TRUE(Match("a.#", "a."));
  EXPECT_TRUE(Match("#", "."));
  EXPECT_FALSE(Match("a", "a."));
}

TEST(TopicPatternTest, WildcardsOnlyAsWholeWords) {
  EXPECT_TRUE(Match("a*.b", "a*.b"));
  EXPECT_FALSE(Match("a*.b", "ax.b"));
  EXPECT_FALSE(Match("a#", "a.b"));
}

TEST(TopicPatternTest, NormalisesRunsOfWildcards) {
  EXPECT_EQ(Compiled("#.#").text(), "#");
  EXPECT_EQ(Compiled("a.#.#.#.b").text(), "a.#.b");
  EXPECT_EQ(Compiled("#.*").text(), "*.#");
  EXPECT_EQ(Compiled("#.*.#.*.#").text(), "*.*.#");
  EXPECT_EQ(Compiled("a.#.*.b.*").text(), "a.*.#.b.*");
  EXPECT_EQ(Compiled("a.b").text(), "a.b");
  EXPECT_EQ(Compiled("a..").text(), "a..");
  EXPECT_EQ(Compiled("").text(), "");
}

TEST(TopicPatternTest, RejectsOverlongPatterns) {
  EXPECT_TRUE(TopicPattern::Compile(std::string(TopicPattern::kMaxLength, 'a')).ok());
  Result<TopicPattern> too_long =
      TopicPattern::Compile(std::string(TopicPattern::kMaxLength + 1, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("4097"), std::string::npos);
}

// Many `#` against a long non-matching key: exponential backtracking would never finish.
TEST(TopicPatternTest, ManyHashesStayFast) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "#.x.";
  pattern += "y";
  std::string key;
  for (int i = 0; i < 1000; ++i) key += "x.";
  key += "z";
  EXPECT_FALSE(Match(pattern, key));
}

// A brute-force reference: recursive, exponential, obviously right.
bool Reference(const std::vector<std::string>& p, size_t i, const std::vector<std::string>& k,
               size_t j) {
  if (i == p.size()) return j == k.size();
  if (p[i] == "#") {
    for (size_t take = j; take <= k.size(); ++take) {
      if (Reference(p, i + 1, k, take)) return true;
    }
    return false;
  }
  if (j == k.size()) return false;
  return (p[i] == "*" || p[i] == k[j]) && Reference(p, i + 1, k, j + 1);
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> words;
  if (s.empty()) return words;
  size_t begin = 0;
  for (;;) {
    size_t dot = s.find('.', begin);
    words.push_back(s.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (dot == std::string::npos) return words;
    begin = dot + 1;
  }
}

// Every pattern of up to 4 words from {a, "", *, #} against every key of up to 4 words from
// {a, b, ""}: the compiled matcher (normalisation included) agrees with the reference.
TEST(TopicPatternTest, AgreesWithBruteForce) {
  const std::vector<std::string> pattern_words = {"a", "", "*", "#"};
  const std::vector<std::string> key_words = {"a", "b", ""};
  std::vector<std::string> patterns = {""};
  std::vector<std::string> keys = {""};
  for (size_t len = 1, begin = 0; len <= 4; ++len) {
    size_t end = patterns.size();
    for (size_t i = begin; i < end; ++i) {
      for (const auto& w : pattern_words) patterns.push_back(len == 1 ? w : patterns[i] + "." + w);
    }
    begin = end;
  }
  for (size_t len = 1, begin = 0; len <= 4; ++len) {
    size_t end = keys.size();
    for (size_t i = begin; i < end; ++i) {
      for (const auto& w : key_words) keys.push_back(len == 1 ? w : keys[i] + "." + w);
    }
    begin = end;
  }
  for (const auto& pattern : patterns) {
    TopicPattern compiled = Compiled(pattern);
    for (const auto& key : keys) {
      EXPECT_EQ(compiled.Matches(key), Reference(Split(pattern), 0, Split(key), 0))
          << "pattern \"" << pattern << "\" key \"" << key << "\"";
    }
  }
}

}  // namespace
}  // namespace qpidd::broker
