"""Journalists: field validation, file readers, import, regions and queries."""
