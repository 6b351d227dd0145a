"""Sending: campaigns, queue, transport, workers, outcomes."""
