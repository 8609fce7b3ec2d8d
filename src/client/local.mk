# src/client: (filled in by its part)
