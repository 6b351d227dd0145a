"""Printing helpers shared by the commands: rich tables, JSON, and stderr messages."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["console", "err_console", "one_line", "print_json", "table", "warn"]

# Piped output is read by people in wide windows and by grep: do not fold it at 80 columns.
console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
# Each problem is one line on stderr however long (README "Errors and exit codes"): no folding.
err_console = Console(stderr=True, soft_wrap=True)


def print_json(value: Any) -> None:
    """Write one JSON document to stdout (no colour, no wrapping; for scripts)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A rich table with the given header and rows (values shown with str())."""
    tbl = Table(title=title, show_lines=False, header_style="bold")
    for name in columns:
        tbl.add_column(name, overflow="fold")
    for row in rows:
        tbl.add_row(*("" if v is None else str(v) for v in row))
    return tbl


# Control characters and the characters str.splitlines() and terminals break lines at.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """The text with control characters shown as escapes (\\x1e, \\n): a value read from a
    user's file cannot break a message into lines or drive the terminal."""
    return _BREAKING.sub(lambda found: repr(found.group())[1:-1], text)


def warn(message: str) -> None:
    """One warning line on stderr."""
    err_console.print(f"[yellow]warning:[/yellow] {escape(one_line(message))}", highlight=False)
