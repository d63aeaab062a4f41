"""Makerspace writes, split by domain."""
