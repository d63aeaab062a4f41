"""The earlier store front's API (DESIGN.md §5 aliases, §5.3 calls): its paths and shapes over the v1 services."""
