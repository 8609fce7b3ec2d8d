# src/common: (filled in by its part)
