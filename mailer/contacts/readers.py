"""Read a contacts file (CSV or vCard) into raw, unvalidated records with their line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import quopri
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from charset_normalizer import from_bytes

from mailer.errors import DataError, Location, UsageError

__all__ = [
    "CANONICAL_FIELDS",
    "ContactFile",
    "FileFormat",
    "RawRecord",
    "open_contacts",
    "split_multi",
]

CANONICAL_FIELDS = (
    "email",
    "name",
    "first_name",
    "last_name",
    "outlet",
    "role",
    "beats",
    "country",
    "languages",
    "regions",
    "phone",
    "notes",
)


class FileFormat(StrEnum):
    """The two contact file formats we read."""

    CSV = "csv"
    VCARD = "vcard"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One contact as found in the file: where it starts and its non-empty canonical fields."""

    line: int
    fields: dict[str, str]


@dataclass(frozen=True)
class ContactFile:
    """An opened contacts file: what was detected about it, and its records on demand."""

    path: Path
    format: FileFormat
    encoding: str
    delimiter: str | None
    columns: dict[str, str]
    ignored_columns: tuple[str, ...]
    _text: str = field(default="", repr=False, compare=False)
    _plan: _Plan | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """Characters of decoded text (a cheap measure of how much work the file is)."""
        return len(self._text)

    def records(self) -> Iterator[RawRecord]:
        """Stream the records; raises DataError (with a line) when the file's structure breaks."""
        if self._plan is not None and self.delimiter is not None:
            return _csv_records(self._text, str(self.path), self.delimiter, self._plan)
        return _vcard_records(self._text, str(self.path))


def split_multi(value: str) -> list[str]:
    """Split a multi-valued field on ';' or ',': stripped, non-empty, first occurrence kept."""
    if "," not in value and ";" not in value:
        # The common case (one value) without the generator machinery: imports call this
        # three times a row.
        single = value.strip()
        return [single] if single else []
    items = (item.strip() for item in value.replace(",", ";").split(";"))
    return list(dict.fromkeys(item for item in items if item))


def open_contacts(
    path: Path, *, encoding: str | None = None, format: FileFormat | None = None
) -> ContactFile:
    """Read, decode and inspect a contacts file; CSV headers are mapped here, records later."""
    file = str(path)
    data = _read_bytes(path)
    text, used = _decode(data, file, encoding)
    if "\x00" in text:
        raise DataError(_NOT_TEXT, Location(file, text.count("\n", 0, text.index("\x00")) + 1))
    if (odd := _SURROGATE.search(text)) is not None:  # UTF-7 and the escape codecs make them
        raise DataError(
            f"not {used} text: it decodes to an unpaired surrogate; pass --encoding with the "
            "file's encoding",
            Location(file, text.count("\n", 0, odd.start()) + 1),
        )
    if not text.strip():
        raise DataError("the file is empty", Location(file))
    kind = format or _detect_format(path, text)
    if kind is FileFormat.VCARD:
        return ContactFile(path, kind, used, None, {}, (), _text=text)
    delimiter = _sniff_delimiter(text)
    header, line = _read_header(text, file, delimiter)
    columns, ignored, plan = _map_header(header, file, line)
    return ContactFile(path, kind, used, delimiter, columns, ignored, _text=text, _plan=plan)


# --- reading and decoding -------------------------------------------------------------------

_NOT_TEXT = "not a text file (it has NUL bytes); save it as CSV or vCard, or pass --encoding"
_NO_ENCODING = "cannot tell the text encoding; pass --encoding (for example --encoding cp1252)"
_SURROGATE = re.compile("[\ud800-\udfff]")  # no text has them; a database cannot store them
# A BOM is the only reliable sign of UTF-16/32; UTF-32 first, its LE BOM starts like UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN_CODECS = frozenset({"cp1252", "latin_1", "iso8859_15"})
_WESTERN_EXTRA = frozenset("ŒœŠšŽžŸƒ€‚„…†‡ˆ‰‹›‘’“”•–—˜™")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SAMPLE_BYTES = 64 * 1024


def _read_bytes(path: Path) -> bytes:
    """The whole file, or a DataError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", Location(str(path))) from None
    except IsADirectoryError:
        raise DataError("is a directory, not a contacts file", Location(str(path))) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataError(f"cannot read the file: {reason}", Location(str(path))) from exc


def _decode(data: bytes, file: str, encoding: str | None) -> tuple[str, str]:
    """Decode with the given encoding, else a BOM, else UTF-8, else a detected legacy charset."""
    if encoding:
        name = _codec_name(encoding)
        return _decode_as(data, file, name), name
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, file, name), name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _decode_legacy(data, file)
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def _codec_name(encoding: str) -> str:
    """The canonical codec name for a user-supplied encoding, or a UsageError."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}") from None


def _decode_as(data: bytes, file: str, name: str) -> str:
    """Decode strictly; a bad byte becomes a DataError at its line. A leading BOM is dropped."""
    try:
        return data.decode(name).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        raise DataError(
            f"byte 0x{byte} is not valid {name}; pass --encoding with the file's encoding",
            Location(file, _line_at(data, exc.start)),
        ) from None
    except UnicodeError as exc:  # codecs such as idna raise the base class
        raise DataError(f"cannot decode as {name}: {exc}", Location(file)) from None
    except LookupError:  # a registered codec that is not a text encoding (rot13, hex)
        raise UsageError(f"{name!r} is not a text encoding") from None


def _decode_legacy(data: bytes, file: str) -> tuple[str, str]:
    """Decode bytes that are not UTF-8 with the first detected charset that fits the whole file."""
    if b"\x00" in data:
        raise DataError(_NOT_TEXT, Location(file, _line_at(data, data.find(b"\x00"))))
    for name in _legacy_candidates(_non_ascii_sample(data)):
        try:
            return data.decode(name), name
        except (UnicodeError, LookupError):
            continue
    raise DataError(_NO_ENCODING, Location(file))


def _legacy_candidates(sample: bytes) -> list[str]:
    """Charsets to try, best first; cp1252 leads when the text reads as Western European."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return []
    # Short samples give noisy chaos scores: any near-best Western reading, checked by us, wins.
    near = {n for m in matches if m.chaos <= best.chaos + 0.1 for n in m.could_be_from_charset}
    names = [m.encoding for m in matches]
    if not _reads_western(sample):  # e.g. Polish cp1250 that the detector scores as cp1252
        return sorted(names, key=lambda name: name in _WESTERN_CODECS)
    return (["cp1252"] if near & _WESTERN_CODECS else []) + names


def _reads_western(sample: bytes) -> bool:
    """Whether cp1252 turns the sample into Latin letters and punctuation, mostly ASCII letters."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    odd = {ch for ch in set(text) if ord(ch) > 0x7F}
    if not all(_is_western(ch) for ch in odd):
        return False
    letters = sum(1 for ch in text if ch.isalpha())
    foreign = sum(1 for ch in text if ch in odd and ch.isalpha())
    # Cyrillic or Greek read as cp1252 also gives Latin-1 letters, but whole words of them.
    return foreign * 10 <= letters * 3


def _is_western(ch: str) -> bool:
    """A character that Western European text in cp1252 plausibly contains."""
    if ch in _WESTERN_EXTRA or ch in "\xa0«»°©®£§·¡¿´ªº":
        return True
    return "\xc0" <= ch <= "\xff" and ch not in "×÷"


def _non_ascii_sample(data: bytes) -> bytes:
    """Up to 64 KB of the lines holding non-ASCII bytes: what the charset detector needs."""
    parts: list[bytes] = []
    size = pos = 0
    while size < _SAMPLE_BYTES and (match := _HIGH_BYTE.search(data, pos)):
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = min(len(data) if end < 0 else end + 1, start + _SAMPLE_BYTES)
        parts.append(data[start:end])
        size += end - start
        pos = end
    return b"".join(parts)


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line holding a byte offset."""
    return data.count(b"\n", 0, max(offset, 0)) + 1


_VCARD_START = re.compile(r"\s*BEGIN:VCARD\b", re.IGNORECASE)
_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".vcf": FileFormat.VCARD,
    ".vcard": FileFormat.VCARD,
}


def _detect_format(path: Path, text: str) -> FileFormat:
    """The format by extension, else vCard when the text starts with BEGIN:VCARD, else CSV."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension is not None:
        return by_extension
    return FileFormat.VCARD if _VCARD_START.match(text) else FileFormat.CSV


# --- CSV --------------------------------------------------------------------------------------

_DELIMITERS = ",;\t"
_SNIFF_CHARS = 8 * 1024
_QUOTED = re.compile(r'"[^"]*"')

Transform = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to build a record from a CSV row: per canonical field, its columns in priority order."""

    width: int
    sources: tuple[tuple[str, tuple[tuple[int, Transform | None], ...]], ...]
    middle: tuple[int, ...]


def _sniff_delimiter(text: str) -> str:
    """Sniff ',' ';' or tab in the first 8 KB; the header line overrules a guess it lacks."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    header = _NEWLINE.split(sample.lstrip("\r\n"), maxsplit=1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    # The sniffer's quote analysis backtracks without end on runs of quotes (a few hundred take
    # minutes); it only has to find the delimiter, so it sees no quoted text and no quotes.
    plain = _QUOTED.sub("", sample).replace('"', "").replace("'", "")
    try:
        sniffed: str | None = csv.Sniffer().sniff(plain, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and (counts[sniffed] or not any(counts.values())):
        return sniffed
    best = max(_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _is_blank(row: list[str]) -> bool:
    """A row with no value at all (an empty line, or only delimiters and spaces)."""
    return not "".join(row).strip()


def _rows(text: str, file: str, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """Non-blank rows with the line each starts on and the number of lines it spans."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    before = 0
    try:
        for row in reader:
            after = reader.line_num
            if not _is_blank(row):
                yield before + 1, after - before, row
            before = after
    except csv.Error as exc:
        hint = " (a quoted field never closed?)" if "field limit" in str(exc) else ""
        raise DataError(f"malformed CSV: {exc}{hint}", Location(file, before + 1)) from None


def _read_header(text: str, file: str, delimiter: str) -> tuple[list[str], int]:
    """The first non-blank row and its line, or a DataError when there is none."""
    for line, _, row in _rows(text, file, delimiter):
        return [cell.strip() for cell in row], line
    raise DataError("no header row", Location(file, 1, "header"))


def _csv_records(text: str, file: str, delimiter: str, plan: _Plan) -> Iterator[RawRecord]:
    """The rows after the header as records, each with the line it starts on."""
    rows = _rows(text, file, delimiter)
    next(rows, None)  # the header, mapped when the file was opened
    last = (0, 0)
    for line, span, row in rows:
        yield RawRecord(line, _row_fields(row, plan))
        last = (line, span)
    if last[1] > 1 and _ends_in_quote(text, last[0], delimiter):
        raise DataError("quoted field is never closed", Location(file, last[0]))


def _ends_in_quote(text: str, line: int, delimiter: str) -> bool:
    """Whether the text from `line` to the end is still inside a quoted field at EOF."""
    tail = "".join(io.StringIO(text, newline="").readlines()[line - 1 :])
    # Inside an open quote, an appended line break and delimiter join the field: one row only.
    buffer = io.StringIO(tail + "\n" + delimiter, newline="")
    rows = csv.reader(buffer, delimiter=delimiter, skipinitialspace=True)
    return sum(1 for _ in rows) == 1


def _row_fields(row: list[str], plan: _Plan) -> dict[str, str]:
    """The canonical fields of one row: first non-empty source per field, middle name appended."""
    width = len(row)
    if width < plan.width:
        row = row + [""] * (plan.width - width)
    fields: dict[str, str] = {}
    for name, sources in plan.sources:
        for index, transform in sources:
            value = row[index].strip()
            if value and transform is not None:
                value = transform(value)
            if value:
                fields[name] = value
                break
    if plan.middle:
        _append_middle(fields, row, plan.middle)
    if width != plan.width:
        fields["_error"] = f"row has {width} fields, header has {plan.width}"
    return fields


def _append_middle(fields: dict[str, str], row: list[str], columns: tuple[int, ...]) -> None:
    """Append the first non-empty middle name to the first name (Outlook, Google exports)."""
    middle = next((v for v in (row[i].strip() for i in columns) if v), "")
    if middle:
        first = fields.get("first_name")
        fields["first_name"] = f"{first} {middle}" if first else middle


def _google_labels(value: str) -> str:
    """Google's 'Group Membership'/'Labels' ("* myContacts ::: Health") as 'Health'."""
    labels = (label.strip() for label in value.split(":::"))
    return ";".join(label for label in labels if label and not label.startswith("*"))


def _google_first(value: str) -> str:
    """The first of several values Google packs in one cell ("+996 ... ::: +996 ...")."""
    return value.split(":::", 1)[0].strip()


# Per canonical field, the header spellings it accepts, highest priority first. Headers are
# compared normalised (case and punctuation ignored), so "E-mail Address" == "email address".
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "mail",
        "email address",
        "e-mail 1 - value",
        "e-mail 2 address",
        "e-mail 3 address",
        "e-mail 2 - value",
        "e-mail 3 - value",
    ),
    "name": ("name", "full name", "display name"),
    "first_name": ("first name", "given name", "forename"),
    "last_name": ("last name", "surname", "family name"),
    "outlet": (
        "outlet",
        "organization",
        "organisation",
        "company",
        "media",
        "publication",
        "organization 1 - name",
        "organization name",
    ),
    "role": (
        "role",
        "job title",
        "position",
        "title",
        "organization 1 - title",
        "organization title",
    ),
    "beats": ("beats", "topics", "categories", "tags", "group membership", "labels"),
    "country": (
        "country",
        "country code",
        "business country/region",
        "country/region",
        "home country/region",
        "other country/region",
        "address 1 - country",
    ),
    "languages": ("languages", "language", "lang"),
    "regions": ("regions", "region"),
    "phone": (
        "phone",
        "telephone",
        "mobile",
        "phone number",
        "business phone",
        "mobile phone",
        "primary phone",
        "home phone",
        "phone 1 - value",
        "phone 2 - value",
    ),
    "notes": ("notes", "note", "comments"),
}
_MIDDLE = ("middle name", "additional name")
_TRANSFORMS: dict[str, Transform] = {
    "groupmembership": _google_labels,
    "labels": _google_labels,
    **{f"{kind}{n}value": _google_first for kind in ("email", "phone") for n in (1, 2, 3)},
}
_NO_EMAIL = "no email column; expected one of: email, E-mail Address, E-mail 1 - Value"


def _normalise(header: str) -> str:
    """A header reduced to lower-case letters and digits: "E-mail Address" -> "emailaddress"."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def _alias_table() -> dict[str, tuple[str, int]]:
    """Normalised header -> (canonical field, priority); middle names feed first_name last."""
    table: dict[str, tuple[str, int]] = {}
    for canonical, aliases in _ALIASES.items():
        for rank, alias in enumerate(aliases):
            table.setdefault(_normalise(alias), (canonical, rank))
    for alias in _MIDDLE:
        table[_normalise(alias)] = ("first_name", -1)
    return table


_ALIAS_TABLE = _alias_table()


def _map_header(
    header: list[str], file: str, line: int
) -> tuple[dict[str, str], tuple[str, ...], _Plan]:
    """Map header cells to canonical fields; duplicates and unknown headers are ignored."""
    keys = [_normalise(cell) for cell in header]
    # Outlook's "Title" is a salutation ("Ms.") when a "Job Title" column is present.
    skip = {"title"} if "jobtitle" in keys else set()
    columns: dict[str, str] = {}
    ignored: list[str] = []
    chosen: list[tuple[str, int, int, str]] = []
    seen: set[str] = set()
    for index, (cell, key) in enumerate(zip(header, keys, strict=True)):
        target = None if key in seen or key in skip else _ALIAS_TABLE.get(key)
        seen.add(key)
        if target is None:
            ignored.extend([cell] if cell else [])
            continue
        columns[cell] = target[0]
        chosen.append((target[0], target[1], index, key))
    if not any(name == "email" for name, *_ in chosen):
        raise DataError(_NO_EMAIL, Location(file, line, "header"))
    return columns, tuple(ignored), _build_plan(chosen, len(header))


def _build_plan(chosen: Iterable[tuple[str, int, int, str]], width: int) -> _Plan:
    """Group the mapped columns by field, in priority then column order."""
    by_field: dict[str, list[tuple[int, int, Transform | None]]] = {}
    middle: list[int] = []
    for name, rank, index, key in chosen:
        if rank < 0:
            middle.append(index)
            continue
        by_field.setdefault(name, []).append((rank, index, _TRANSFORMS.get(key)))
    sources = tuple(
        (name, tuple((index, transform) for _, index, transform in sorted(entries, key=_rank)))
        for name, entries in by_field.items()
    )
    return _Plan(width, sources, tuple(middle))


def _rank(entry: tuple[int, int, Transform | None]) -> tuple[int, int]:
    """Sort key of a source column: alias priority, then position in the header."""
    return entry[0], entry[1]


# --- vCard (RFC 2426 for 3.0, RFC 6350 for 4.0, and the 2.1 habits exporters still have) --------

_NEWLINE = re.compile(r"\r\n|\r|\n")
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9-]+")
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_NO_PREF = 101  # RFC 6350 5.3: PREF runs 1 (most preferred) to 100


@dataclass(frozen=True, slots=True)
class _Property:
    """One content line: upper-case name without its group, parameters, still-escaped value."""

    name: str
    params: dict[str, list[str]]
    value: str


def _vcard_records(text: str, file: str) -> Iterator[RawRecord]:
    """Each BEGIN:VCARD ... END:VCARD block as a record located at its BEGIN line."""
    begin = 0
    props: list[_Property] = []
    for number, line in _logical_lines(text):
        prop = _parse_property(line, number, file)
        marker = prop.value.strip().upper() == "VCARD"
        if marker and prop.name == "BEGIN":
            if begin:
                raise DataError("vCard has no END:VCARD", Location(file, begin))
            begin, props = number, []
        elif marker and prop.name == "END":
            if not begin:
                raise DataError("END:VCARD without BEGIN:VCARD", Location(file, number))
            yield RawRecord(begin, _card_fields(props))
            begin = 0
        elif not begin:
            raise DataError("expected BEGIN:VCARD", Location(file, number))
        else:
            props.append(prop)
    if begin:
        raise DataError("vCard has no END:VCARD", Location(file, begin))


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded, non-blank content lines with the physical line each starts on.

    RFC 6350 3.2: a line break followed by a space or tab continues the line. vCard 2.1
    quoted-printable values instead end a line with "=" (a soft break) and continue unindented.
    """
    start, current, soft = 0, "", False
    for number, line in enumerate(_NEWLINE.split(text), 1):
        if soft and current.endswith("="):
            current = current[:-1] + line
        elif current and line[:1] in (" ", "\t"):
            current += line[1:]
        else:
            if current.strip():
                yield start, current
            start, current = number, line
            soft = "QUOTED-PRINTABLE" in line.partition(":")[0].upper()
    if current.strip():
        yield start, current


def _parse_property(line: str, number: int, file: str) -> _Property:
    """Split `[group.]NAME;PARAM=V:value`; a line that is not one is a DataError."""
    colon = _head_end(line)
    name, *items = _split_unquoted(line[:colon], ";") if colon > 0 else [""]
    name = name.rpartition(".")[2].strip().upper()
    if not _PROPERTY_NAME.fullmatch(name):
        raise DataError("not a vCard property line (expected NAME:value)", Location(file, number))
    params = _params(items)
    value = line[colon + 1 :]
    if "QUOTED-PRINTABLE" in (v.upper() for v in params.get("ENCODING", [])):
        value = _decode_qp(value, params)
        if "\x00" in value:
            raise DataError("quoted-printable value has a NUL byte", Location(file, number))
    return _Property(name, params, value)


def _head_end(line: str) -> int:
    """The index of the colon ending name and parameters (quoted parameter values may hold one)."""
    colon = line.find(":")
    if colon < 0 or '"' not in line[:colon]:
        return colon
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _split_unquoted(text: str, separator: str) -> list[str]:
    """Split on a separator outside double quotes."""
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    quoted, start = False, 0
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _params(items: list[str]) -> dict[str, list[str]]:
    """Parameters by upper-case name; vCard 2.1 bare ones (`TEL;CELL;PREF`) become TYPE values."""
    params: dict[str, list[str]] = {}
    for item in items:
        key, equals, values = item.partition("=")
        key = key.strip().upper()
        if not equals:
            key, values = ("ENCODING" if key in _BARE_ENCODINGS else "TYPE"), key
        found = (v.strip().strip('"') for v in _split_unquoted(values, ","))
        params.setdefault(key, []).extend(found)
    return params


def _decode_qp(value: str, params: dict[str, list[str]]) -> str:
    """Decode a quoted-printable value with its CHARSET (UTF-8 if absent or unknown)."""
    raw = quopri.decodestring(value.encode("utf-8"))
    charset = (params.get("CHARSET") or ["utf-8"])[0]
    try:
        text = raw.decode(charset)
    except (LookupError, UnicodeError):  # codecs such as punycode raise the base class
        return raw.decode("utf-8", errors="replace")
    # UTF-7 and the escape codecs can make unpaired surrogates, which no database stores.
    return raw.decode("utf-8", errors="replace") if _SURROGATE.search(text) else text


def _split_escaped(value: str, separator: str | None = None) -> list[str]:
    """Split on unescaped separators and undo the escapes `\\,` `\\;` `\\n` `\\\\`."""
    parts: list[str] = []
    chunk: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            chunk.append("\n" if escaped in ("n", "N") else _kept_escape(escaped))
        elif char == separator:
            parts.append("".join(chunk))
            chunk = []
        else:
            chunk.append(char)
    parts.append("".join(chunk))
    return parts


def _kept_escape(char: str) -> str:
    """The character an escape stands for; an unknown escape (`C:\\temp`) keeps its backslash."""
    return char if char in ",;:\\" else "\\" + char


def _unescape(value: str) -> str:
    """A text value with its escapes undone and surrounding space removed."""
    return _split_escaped(value)[0].strip()


def _pref(prop: _Property) -> int:
    """Preference rank, lower first: PREF=n (4.0), TYPE=pref (3.0 and 2.1) counts as 1."""
    ranks = [_NO_PREF]
    ranks += [int(v) for v in prop.params.get("PREF", []) if v.isascii() and v.isdigit()]
    if any(t.upper() == "PREF" for t in prop.params.get("TYPE", [])):
        ranks.append(1)
    return min(ranks)


def _card_fields(props: list[_Property]) -> dict[str, str]:
    """The canonical fields of one vCard; each property's values in preference order."""
    by_name: dict[str, list[_Property]] = {}
    for prop in sorted(props, key=_pref):
        by_name.setdefault(prop.name, []).append(prop)
    texts = {name: [_unescape(p.value) for p in group] for name, group in by_name.items()}
    fields = _name_fields(by_name.get("N", []), texts.get("FN", []))
    fields["email"] = _first(texts.get("EMAIL", []))
    fields["outlet"] = _first(_component(p, 0) for p in by_name.get("ORG", []))
    fields["role"] = _first(texts.get("TITLE", []) + texts.get("ROLE", []))
    fields["phone"] = _strip_tel(_first(texts.get("TEL", [])))
    fields["country"] = _first(_component(p, 6) for p in by_name.get("ADR", []))
    fields["languages"] = ";".join(v for v in texts.get("LANG", []) if v)
    fields["beats"] = ";".join(_categories(by_name.get("CATEGORIES", [])))
    fields["notes"] = "\n".join(v for v in texts.get("NOTE", []) if v)
    fields["regions"] = ";".join(v for v in texts.get("X-MAILER-REGIONS", []) if v)
    return {key: value for key, value in fields.items() if value}


def _name_fields(n_props: list[_Property], full_names: list[str]) -> dict[str, str]:
    """name from FN (else N's given and family names); first_name and last_name from N."""
    parts = _split_escaped(n_props[0].value, ";") if n_props else []
    family, given, middle = ([p.strip() for p in parts] + ["", "", ""])[:3]
    first = " ".join(p for p in (given, middle) if p)
    fallback = " ".join(p for p in (given, family) if p)
    return {"name": _first(full_names) or fallback, "first_name": first, "last_name": family}


def _component(prop: _Property, index: int) -> str:
    """One component of a structured value (ORG, ADR), unescaped, or '' when absent."""
    parts = _split_escaped(prop.value, ";")
    return parts[index].strip() if index < len(parts) else ""


def _categories(props: list[_Property]) -> Iterator[str]:
    """Every CATEGORIES value, split on unescaped commas."""
    for prop in props:
        yield from (v.strip() for v in _split_escaped(prop.value, ",") if v.strip())


def _first(values: Iterable[str]) -> str:
    """The first non-empty value, or ''."""
    return next((v for v in values if v), "")


def _strip_tel(value: str) -> str:
    """A TEL value without the `tel:` URI scheme vCard 4.0 allows."""
    return value[4:].strip() if value[:4].lower() == "tel:" else value
