"""Bounces: VERP tokens, DSN/ARF parsing, classification, policy, sources, recording."""
