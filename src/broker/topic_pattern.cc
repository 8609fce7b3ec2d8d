#include "broker/topic_pattern.h"

#include <algorithm>
#include <string>

namespace qpidd::broker {
namespace {

// Walks the words of a key or pattern in place: "" has no words, "a." has "a" and "".
// Small and copyable, so the matcher keeps a copy as its backtracking point.
class WordCursor {
 public:
  explicit WordCursor(std::string_view text) : text_(text), done_(text.empty()) { FindEnd(); }

  bool done() const { return done_; }
  std::string_view word() const { return text_.substr(begin_, end_ - begin_); }
  void Next() {
    if (end_ == text_.size()) {
      done_ = true;
    } else {
      begin_ = end_ + 1;
      FindEnd();
    }
  }

 private:
  void FindEnd() {
    size_t dot = text_.find('.', begin_);
    end_ = dot == std::string_view::npos ? text_.size() : dot;
  }

  std::string_view text_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool done_;
};

std::string Excerpt(std::string_view s) {
  constexpr size_t kShown = 64;
  return s.size() <= kShown ? std::string(s) : std::string(s.substr(0, kShown)) + "...";
}

}  // namespace

Result<TopicPattern> TopicPattern::Compile(std::string_view pattern) {
  if (pattern.size() > kMaxLength) {
    return Status::InvalidArgument("topic pattern '" + Excerpt(pattern) + "' is " +
                                   std::to_string(pattern.size()) + " bytes long; the limit is " +
                                   std::to_string(kMaxLength));
  }
  TopicPattern compiled;
  // Wildcards are gathered per run and written out when the run ends, `*`s first then one `#`:
  // "#.*.#" and "*.#" both mean "one word or more".
  size_t run_ones = 0;
  bool run_any = false;
  auto flush_run = [&] {
    for (; run_ones > 0; --run_ones) compiled.words_.push_back({WordKind::kOne, {}});
    if (run_any) compiled.words_.push_back({WordKind::kAny, {}});
    run_any = false;
  };
  for (WordCursor cursor(pattern); !cursor.done(); cursor.Next()) {
    std::string_view word = cursor.word();
    if (word == "*") {
      ++run_ones;
    } else if (word == "#") {
      run_any = true;
    } else {
      flush_run();
      compiled.words_.push_back({WordKind::kLiteral, std::string(word)});
    }
  }
  flush_run();

  for (const Word& w : compiled.words_) {
    if (&w != &compiled.words_.front()) compiled.text_ += '.';
    switch (w.kind) {
      case WordKind::kLiteral: compiled.text_ += w.text; break;
      case WordKind::kOne: compiled.text_ += '*'; break;
      case WordKind::kAny: compiled.text_ += '#'; break;
    }
  }
  const bool has_wildcard = std::any_of(compiled.words_.begin(), compiled.words_.end(),
                                        [](const Word& w) { return w.kind != WordKind::kLiteral; });
  if (!has_wildcard) {
    compiled.shape_ = Shape::kLiteral;
    compiled.words_.clear();  // matched by comparing whole strings
  } else if (compiled.words_.size() == 1 && compiled.words_[0].kind == WordKind::kAny) {
    compiled.shape_ = Shape::kMatchAll;
  } else {
    compiled.shape_ = Shape::kGeneral;
  }
  return compiled;
}

bool TopicPattern::Matches(std::string_view key) const {
  switch (shape_) {
    case Shape::kLiteral: return key == text_;
    case Shape::kMatchAll: return true;
    case Shape::kGeneral: return MatchWords(key);
  }
  return false;
}

// Glob matching over words, with `#` as the glob star and `*` as the single-item wildcard. On a
// mismatch only the most recent `#` is retried, made to swallow one more word: an earlier `#`
// never needs to take more, because anything it could take the later one can take as well. So
// the cost is bounded by pattern words x key words, with no recursion and no allocation.
bool TopicPattern::MatchWords(std::string_view key) const {
  const size_t n = words_.size();
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t p = 0;
  WordCursor k(key);
  size_t retry_p = kNone;  // the pattern index of the last `#` seen
  WordCursor retry_k = k;  // where the key stood when it was seen
  while (!k.done()) {
    if (p < n && words_[p].kind == WordKind::kAny) {
      retry_p = p++;
      retry_k = k;  // first try: `#` takes no words
      continue;
    }
    if (p < n && (words_[p].kind == WordKind::kOne || words_[p].text == k.word())) {
      ++p;
      k.Next();
      continue;
    }
    if (retry_p == kNone) return false;
    p = retry_p + 1;
    retry_k.Next();  // not done: it stands at or before k, which is not done
    k = retry_k;
  }
  while (p < n && words_[p].kind == WordKind::kAny) ++p;
  return p == n;
}

}  // namespace qpidd::broker
