// AMQP topic patterns, as the topic exchange binds them. Words are separated by '.'; in a pattern
// the word `*` matches exactly one word and `#` matches zero or more words. `*` and `#` are
// wildcards only as whole words ("a*" is a literal word). Empty words are words ("a..b" has three,
// "a." two); the empty string has none, so `#` matches it and `*` does not.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace qpidd::broker {

// A pattern compiled once at bind time and matched per message. Matching allocates nothing and
// takes at most O(pattern words x key words) steps, never exponential time, whatever the number
// of `#` words. Immutable, so safe to match from many threads.
class TopicPattern {
 public:
  // Longest pattern accepted, in bytes: bounds the per-message matching cost a binder can impose.
  static constexpr size_t kMaxLength = 4096;

  // Validates and normalises `pattern`: runs of wildcards are rewritten with every `*` first and
  // at most one `#` ("#.#" -> "#", "#.*" -> "*.#"), which matches exactly the same keys.
  static Result<TopicPattern> Compile(std::string_view pattern);

  // The normalised pattern: equal for patterns that match the same keys by the rule above, so it
  // identifies a binding.
  const std::string& text() const { return text_; }

  bool Matches(std::string_view key) const;

 private:
  enum class WordKind { kLiteral, kOne, kAny };  // a word, `*`, `#`
  struct Word {
    WordKind kind;
    std::string text;  // kLiteral only
  };
  // Shortcuts for the common shapes, decided once at compile time.
  enum class Shape {
    kLiteral,   // no wildcards: the key must equal text_
    kMatchAll,  // "#"
    kGeneral,
  };

  TopicPattern() = default;
  bool MatchWords(std::string_view key) const;

  std::string text_;
  std::vector<Word> words_;
  Shape shape_ = Shape::kLiteral;
};

}  // namespace qpidd::broker
