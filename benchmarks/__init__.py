"""Benchmarks: scripts that print figures (run them directly; they are not tests)."""
