"""Release files: Markdown with YAML front matter, and their translations, as Release values."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from mailer.contacts.fields import FieldError, normalize_language
from mailer.errors import DataError, Location
from mailer.yamlfile import yaml_error

__all__ = [
    "FRONT_MATTER_KEYS",
    "Release",
    "ReleaseInvalid",
    "ReleaseKind",
    "Variant",
    "load_release",
]

FRONT_MATTER_KEYS = (
    "title",
    "subtitle",
    "kind",
    "date",
    "dateline",
    "language",
    "spokespeople",
    "embargo",
    "regions",
    "attachments",
    "summary",
    "topics",
    "translations",
)
# A translation that leaves these out takes them from the main file; its words it must bring.
INHERITED = (
    "kind",
    "date",
    "dateline",
    "spokespeople",
    "embargo",
    "regions",
    "attachments",
    "topics",
)
_FENCE = re.compile(r"^---[ \t]*$")
_URL = re.compile(r"^https?://", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


class ReleaseKind(StrEnum):
    """What a release is; each has a localized label in the email."""

    PRESS_RELEASE = "press release"
    MEDIA_ADVISORY = "media advisory"
    STATEMENT = "statement"
    NEWS_NOTE = "news note"


class ReleaseInvalid(DataError):
    """A release with problems; every one is listed, each located by file, line and field."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = tuple(errors)
        n = len(self.errors)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the release; nothing was sent")


@dataclass(frozen=True)
class Variant:
    """One language version of a release, validated on its own."""

    path: Path
    language: str
    title: str
    body: str
    body_line: int
    subtitle: str | None = None
    kind: ReleaseKind = ReleaseKind.PRESS_RELEASE
    date: date | None = None
    dateline: str | None = None
    spokespeople: tuple[str, ...] = ()
    embargo: datetime | None = None
    regions: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    summary: str = ""
    topics: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str) -> Location:
        """The location of a front-matter key (or of the file) for messages."""
        return Location(str(self.path), self.lines.get(key, 1), key)

    def attachment_path(self, item: str) -> Path | None:
        """The local file of an attachment entry (None for a URL)."""
        return None if _URL.match(item) else (self.path.parent / item)


@dataclass(frozen=True)
class Release:
    """A release: its main variant, every translation, and a hash of all their sources."""

    path: Path
    main: Variant
    variants: dict[str, Variant]
    source_hash: str

    def variant_for(self, languages: list[str] | tuple[str, ...]) -> Variant:
        """The variant for a reader's languages in order of preference (RFC 4647 lookup)."""
        for wanted in languages:
            tag = wanted.lower()
            while tag:
                for lang, variant in self.variants.items():
                    if lang.lower() == tag:
                        return variant
                tag = tag.rpartition("-")[0]
        return self.main


class _Errors:
    """Problems found in one file, each located."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[DataError] = []

    def add(self, message: str, line: int | None, key: str | None = None) -> None:
        self.items.append(DataError(message, Location(str(self.path), line, key)))


def _split(text: str, errs: _Errors) -> tuple[str, int, str, int] | None:
    """(front matter, its first line, body, body's first line), or None after an error."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        errs.add("a release starts with front matter: a line '---', YAML keys, a line '---'", 1)
        return None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index].rstrip("\r\n")):
            return "".join(lines[1:index]), 2, "".join(lines[index + 1 :]), index + 2
    errs.add("front matter is never closed: add a line '---' after the keys", 1)
    return None


def _yaml_mapping(
    text: str, first_line: int, errs: _Errors
) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.load(text, Loader=yaml.BaseLoader) if root is not None else {}  # noqa: S506 - BaseLoader builds only str/list/dict
    except (yaml.YAMLError, RecursionError) as exc:
        errs.items.append(yaml_error(exc, str(errs.path), first_line))
        return {}, {}
    if root is None:
        return {}, {}
    if not isinstance(root, yaml.MappingNode) or not isinstance(values, dict):
        errs.add("front matter must be a mapping of keys (title: ..., language: ...)", first_line)
        return {}, {}
    lines = {str(k.value): first_line + k.start_mark.line for k, _ in root.value}
    return values, lines


def _text(
    values: dict[str, Any],
    key: str,
    errs: _Errors,
    lines: dict[str, int],
    *,
    required: bool = False,
    limit: int = 300,
) -> str | None:
    value = values.get(key)
    if value is None or value == "":
        if required:
            errs.add(f"{key} is required", lines.get(key, 1), key)
        return None
    if not isinstance(value, str):
        errs.add(f"{key} must be text, not a {type(value).__name__}", lines.get(key), key)
        return None
    if _CONTROL.search(value.strip()) or "\r" in value:
        # It ends up in a header or a single line of the email (RFC 5322 2.2: no bare breaks;
        # NEL, U+2028 or a vertical tab end a line for some readers too).
        errs.add(
            f"{key} must be a single line (no line breaks or control characters)",
            lines.get(key),
            key,
        )
        return None
    text = " ".join(value.split())
    if len(text) > limit:
        errs.add(f"{key} is longer than {limit} characters", lines.get(key), key)
    return text


def _list(
    values: dict[str, Any], key: str, errs: _Errors, lines: dict[str, int]
) -> tuple[str, ...]:
    value = values.get(key)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errs.add(f"{key} must be a list of text values", lines.get(key), key)
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _date(values: dict[str, Any], errs: _Errors, lines: dict[str, int]) -> date | None:
    text = _text(values, "date", errs, lines)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errs.add(f"date must be YYYY-MM-DD, not {text!r}", lines.get("date"), "date")
        return None


def _embargo(values: dict[str, Any], errs: _Errors, lines: dict[str, int]) -> datetime | None:
    text = _text(values, "embargo", errs, lines)
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        errs.add(
            f"embargo must be ISO 8601, e.g. 2026-12-18T09:00:00+06:00; not {text!r}",
            lines.get("embargo"),
            "embargo",
        )
        return None
    if when.tzinfo is None:
        errs.add(
            "embargo needs a time zone offset, e.g. +06:00 or Z", lines.get("embargo"), "embargo"
        )
        return None
    return when


def _kind(values: dict[str, Any], errs: _Errors, lines: dict[str, int]) -> ReleaseKind | None:
    text = _text(values, "kind", errs, lines)
    if text is None:
        return None
    try:
        return ReleaseKind(text.lower())
    except ValueError:
        kinds = ", ".join(k.value for k in ReleaseKind)
        errs.add(f"unknown kind {text!r}; one of: {kinds}", lines.get("kind"), "kind")
        return None


def _language(values: dict[str, Any], errs: _Errors, lines: dict[str, int]) -> str | None:
    text = _text(values, "language", errs, lines)
    if text is None:
        return None
    try:
        return normalize_language(text)
    except FieldError as exc:
        errs.add(str(exc), lines.get("language"), "language")
        return None


def _attachments(found: tuple[str, ...], path: Path, errs: _Errors, lines: dict[str, int]) -> None:
    for item in found:
        if not _URL.match(item) and not (path.parent / item).is_file():
            errs.add(
                f"attachment not found: {path.parent / item}",
                lines.get("attachments"),
                "attachments",
            )


def _read(path: Path, errs: _Errors) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        errs.add("file not found", None)
    except (OSError, UnicodeDecodeError) as exc:
        errs.add(f"cannot read: {exc}", None)
    return None


@dataclass
class _Parsed:
    """One file's front matter (validated values and key lines) and body."""

    path: Path
    fields: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    translations: dict[str, Path]
    raw: bytes


def _parse_file(path: Path, errs: _Errors, main: bool) -> _Parsed | None:
    text = _read(path, errs)
    if text is None:
        return None
    parts = _split(text, errs)
    if parts is None:
        return None
    front, front_line, body, body_line = parts
    values, lines = _yaml_mapping(front, front_line, errs)
    for key in values:
        if key not in FRONT_MATTER_KEYS:
            errs.add(
                f"unknown key {key!r}; keys: {', '.join(FRONT_MATTER_KEYS)}",
                lines.get(key),
                str(key),
            )
    if not main and "translations" in values:
        errs.add(
            "translations belong in the main file only", lines.get("translations"), "translations"
        )
    fields: dict[str, Any] = {
        "title": _text(values, "title", errs, lines, required=True, limit=200),
        "subtitle": _text(values, "subtitle", errs, lines),
        "summary": _text(values, "summary", errs, lines, limit=500),
        "dateline": _text(values, "dateline", errs, lines, limit=120),
        "kind": _kind(values, errs, lines),
        "date": _date(values, errs, lines),
        "embargo": _embargo(values, errs, lines),
        "language": _language(values, errs, lines),
    }
    for key in ("spokespeople", "regions", "attachments", "topics"):
        if key in values:
            fields[key] = _list(values, key, errs, lines)
    _attachments(fields.get("attachments", ()), path, errs, lines)
    if not body.strip():
        errs.add("the release has no text after the front matter", body_line)
    translations = _translations(values.get("translations"), path, errs, lines) if main else {}
    raw = text.encode("utf-8")
    return _Parsed(
        path,
        {k: v for k, v in fields.items() if v is not None or k in values},
        lines,
        body,
        body_line,
        translations,
        raw,
    )


def _translations(value: Any, path: Path, errs: _Errors, lines: dict[str, int]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for sibling in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        tag = sibling.name[len(path.stem) + 1 : -len(path.suffix) or None]
        try:
            found[normalize_language(tag)] = sibling
        except FieldError:
            continue  # release.v2.md and the like: not a translation
    if value is None:
        return found
    if not isinstance(value, dict):
        errs.add(
            "translations must map a language to a file, e.g. fr: release.fr.md",
            lines.get("translations"),
            "translations",
        )
        return found
    for lang, file in value.items():
        try:
            tag = normalize_language(str(lang))
        except FieldError as exc:
            errs.add(str(exc), lines.get("translations"), "translations")
            continue
        if not isinstance(file, str) or not (path.parent / file).is_file():
            errs.add(
                f"translation file for {tag} not found: {path.parent / str(file)}",
                lines.get("translations"),
                "translations",
            )
            continue
        found[tag] = path.parent / file
    return found


def _variant(parsed: _Parsed, language: str, inherited: dict[str, Any]) -> Variant:
    values = {**{k: v for k, v in inherited.items() if k in INHERITED}, **parsed.fields}
    return Variant(
        path=parsed.path,
        language=language,
        title=values.get("title") or "",
        body=parsed.body,
        body_line=parsed.body_line,
        subtitle=values.get("subtitle"),
        kind=values.get("kind") or ReleaseKind.PRESS_RELEASE,
        date=values.get("date"),
        dateline=values.get("dateline"),
        spokespeople=values.get("spokespeople", ()),
        embargo=values.get("embargo"),
        regions=values.get("regions", ()),
        attachments=values.get("attachments", ()),
        summary=values.get("summary") or "",
        topics=values.get("topics", ()),
        lines=parsed.lines,
    )


def load_release(path: Path) -> Release:
    """Read and validate a release and its translations; ReleaseInvalid lists every problem."""
    errs = _Errors(path)
    main = _parse_file(path, errs, main=True)
    if main is None:
        raise ReleaseInvalid(errs.items)
    language = main.fields.get("language")
    if language is None and "language" not in main.lines and not errs.items:
        errs.add(
            "language is required in the main file (a BCP 47 tag such as en or fr)", 1, "language"
        )
    variants: dict[str, Variant] = {}
    digest = hashlib.sha256(main.raw)
    if language:
        variants[language] = _variant(main, language, {})
    for tag, file in sorted(main.translations.items()):
        if tag == language:
            errs.add(
                f"translation {file.name} has the main file's language {tag}",
                main.lines.get("translations"),
                "translations",
            )
            continue
        sub_errs = _Errors(file)
        parsed = _parse_file(file, sub_errs, main=False)
        errs.items.extend(sub_errs.items)
        if parsed is None:
            continue
        own = parsed.fields.get("language")
        if own and own != tag:
            sub_errs.add(
                f"language {own} does not match the file's translation tag {tag}",
                parsed.lines.get("language"),
                "language",
            )
            errs.items.extend(sub_errs.items[-1:])
        variants[tag] = _variant(parsed, tag, main.fields)
        digest.update(b"\0" + tag.encode() + b"\0" + parsed.raw)
    if errs.items or not language:
        raise ReleaseInvalid(errs.items)
    return Release(
        path=path, main=variants[language], variants=variants, source_hash=digest.hexdigest()
    )
