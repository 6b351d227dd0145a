"""YAML syntax errors as located, one-line DataErrors."""

from __future__ import annotations

import yaml

from mailer.errors import DataError, Location

__all__ = ["yaml_error"]


def yaml_error(exc: yaml.YAMLError | RecursionError, file: str, first_line: int = 1) -> DataError:
    """The error at the line PyYAML points to (1-based, offset for embedded YAML), saying where
    the unfinished construct opened when that is elsewhere."""
    if isinstance(exc, RecursionError):
        # PyYAML composes and constructs recursively: deep enough nesting exhausts the stack.
        return DataError("invalid YAML: nested too deeply", Location(file, first_line))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    message = (
        f"invalid YAML: {getattr(exc, 'problem', None) or getattr(exc, 'context', None) or exc}"
    )
    if context is not None and first_line + context.line != line:
        what = getattr(exc, "context", None) or "construct"
        message += f" ({what} opened at line {first_line + context.line})"
    return DataError(" ".join(message.split()), Location(file, line))
