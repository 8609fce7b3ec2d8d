#include "client/table.h"

#include <algorithm>

namespace qpidd::client {

void Table::AddColumn(std::string heading, Align align) {
  columns_.push_back({std::move(heading), align});
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out, int indent) const {
  std::vector<size_t> widths;
  for (const auto& c : columns_) widths.push_back(c.heading.size());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  const std::string margin(indent, ' ');
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = margin;
    for (size_t i = 0; i < cells.size(); ++i) {
      bool last = i + 1 == cells.size();
      std::string pad(widths[i] - cells[i].size(), ' ');
      if (columns_[i].align == Align::kRight) {
        text += pad + cells[i];
      } else {
        text += cells[i] + (last ? "" : pad);
      }
      if (!last) text += "  ";
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  };
  std::vector<std::string> headings;
  size_t total = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    headings.push_back(columns_[i].heading);
    total += widths[i] + (i + 1 < columns_.size() ? 2 : 0);
  }
  line(headings);
  out << margin << std::string(total, '=') << '\n';
  for (const auto& row : rows_) line(row);
}

}  // namespace qpidd::client
