"""The one exception tree; every user-facing failure maps to a one-line message and an exit code.

MailerError                 exit 1, the base: something the user can fix
├── UsageError              exit 2, a bad argument or option value
│   └── UnknownRegionError  exit 2, a region slug that does not exist (with suggestions)
├── ConfigError             exit 2, mailer.toml or a MAILER_* variable is wrong
├── DataError               exit 1, bad input data, located by file, line and field
│   └── ImportRejected      exit 1, an import with invalid rows (each one listed)
├── NotFoundError           exit 1, the named record does not exist
└── ConflictError           exit 1, the change would break a rule (duplicate, suppressed)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ConflictError",
    "DataError",
    "ImportRejected",
    "Location",
    "MailerError",
    "NotFoundError",
    "UnknownRegionError",
    "UsageError",
]

# Input quoted in a message must not break its one line, nor reach a terminal as control codes.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


@dataclass(frozen=True)
class Location:
    """Where a piece of bad input sits: file, line (1-based) and field, each optional."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.file, str(self.line) if self.line else None) if p]
        where = ":".join(parts)
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return where


class MailerError(Exception):
    """Base of every error the user can act on; `str()` is the one line shown."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        where = str(self.location) if self.location else ""
        text = f"{where}: {self.message}" if where else self.message
        return text.translate(_UNPRINTABLE)


class UsageError(MailerError):
    """A command-line argument or option value that cannot be used."""

    exit_code = 2


class UnknownRegionError(UsageError):
    """A region slug that is neither built in nor defined by the user."""

    def __init__(self, slug: str, suggestions: Sequence[str] = ()) -> None:
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown region {slug!r}{hint}; `mailer regions list` shows them all")
        self.slug = slug
        self.suggestions = tuple(suggestions)


class ConfigError(MailerError):
    """Configuration that is missing, malformed or unsafe."""

    exit_code = 2


class DataError(MailerError):
    """Input data that is malformed; carries its location."""


class ImportRejected(DataError):
    """An import in which some rows are invalid; nothing was written."""

    def __init__(self, errors: Sequence[DataError], total: int, hint: str = "") -> None:
        self.errors = tuple(errors)
        rows = {(e.location.file, e.location.line) if e.location else id(e) for e in self.errors}
        hint = f"; {hint}" if hint else ""
        super().__init__(f"{len(rows)} of {total} rows invalid, nothing imported{hint}")


class NotFoundError(MailerError):
    """The record named on the command line does not exist."""


class ConflictError(MailerError):
    """The requested change contradicts a rule (duplicate, suppressed, forgotten)."""
