"""Reading provider JSON defensively: decode with a one-line reason, take values by path."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mailer.webhooks.errors import BadPayload

__all__ = ["dicts", "digest", "load_json", "text"]


def load_json(body: bytes) -> Any:
    """The decoded body; BadPayload with the decoder's own reason when it is not JSON."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BadPayload("malformed JSON: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadPayload(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:  # the decoder recurses once per nested array or object
        raise BadPayload("malformed JSON: nested too deeply") from None
    except ValueError:  # an integer longer than int() accepts (4,300 digits)
        raise BadPayload("malformed JSON: a number too long") from None


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def text(obj: Any, *path: str) -> str:
    """The string (or integer, written out) at the path of nested objects; "" for anything else."""
    value = _at(obj, path)
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def dicts(obj: Any, *path: str) -> list[dict[str, Any]]:
    """The objects of the list at the path; other list items and a missing list give nothing."""
    value = _at(obj, path) if path else obj
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def digest(obj: Any) -> str:
    """A stable id for an event that has none of its own: SHA-256 of its canonical JSON, which a
    redelivery of the same event repeats."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()
