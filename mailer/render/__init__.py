"""Rendering: release Markdown to safe HTML and text, email templates, MIME messages."""
