// A plain-text table for the tools' listings: a header line, a rule of '=', then rows, each
// column as wide as its widest cell. Numeric columns are right-aligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace qpidd::client {

class Table {
 public:
  enum class Align { kLeft, kRight };

  void AddColumn(std::string heading, Align align = Align::kLeft);
  // A row with fewer cells than columns is padded with empty cells.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // `indent` spaces before every line.
  void Print(std::ostream& out, int indent = 0) const;

 private:
  struct Column {
    std::string heading;
    Align align;
  };
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace qpidd::client
