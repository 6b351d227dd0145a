"""Fuzz the contacts importer: CSV and vCard bytes either import cleanly or fail with located
one-line errors, and a refused import leaves the database exactly as it was."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, text
from sqlalchemy.exc import OperationalError

from mailer.contacts.importer import ImportOptions, import_contacts
from mailer.contacts.readers import FileFormat
from mailer.contacts.regions import Taxonomy
from mailer.db import make_engine, session_scope
from mailer.errors import DataError, ImportRejected, UsageError
from mailer.models import Contact, Suppression, SuppressionKind
from tests.conftest import Cli
from tests.fuzz.budget import bounded, fuzz

# --- what goes into a file ----------------------------------------------------------------------

HEADERS = [
    # canonical, Outlook and Google spellings, and some that map to nothing
    "email", "name", "first_name", "last_name", "outlet", "role", "beats", "country", "languages",
    "regions", "phone", "notes", "E-mail Address", "First Name", "Middle Name", "Last Name",
    "Job Title", "Title", "Company", "Business Phone", "Mobile Phone", "Business Country/Region",
    "Categories", "Given Name", "Additional Name", "Family Name", "E-mail 1 - Value",
    "Phone 1 - Value", "Group Membership", "Labels", "Organization 1 - Name",
    "Organization 1 - Title", "Address 1 - Country", "Birthday", "Web Page", "",
]  # fmt: skip
VALID = [
    "ann.lee@example.org", "ANN.LEE@EXAMPLE.ORG", "b.osmonova@outlet.example.org",
    "mailto:c@press.test", "d@blocked.example.org", "KG", "Kyrgyzstan", "Schweiz", "Kosovo",
    "+996 312 000 000", "0312 000 000", "fr;en", "sr-Latn-RS", "health; education", "central-asia",
    "western-balkans", "* myContacts ::: Health ::: Children", "+41 44 000 00 00 ::: +41 44 1",
    "'=1+2", "Le Monde", "Ms.", "Editor", "Ann", "Lee",
]  # fmt: skip
WEIRD = [
    "", " ", '"', '""', "'", ",", ";", "\t", "\n", "\r", "\r\n", "\x00", "\ufeff", "\u2028",
    "\x85", "\udcff", "é", "日本語", "ä@exämple.org", "a@b", "@", "x@-bad-.example.org",
    "not an address", "+", "99999999999999999999", "zz", "xx-YYYY-ZZ", "::: ", "=", "\\",
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(VALID),
    st.sampled_from(WEIRD),
    st.text(max_size=20),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "é", '"', "a,b"]), st.integers(100, 70_000)
    ),
)
header_rows = st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), max_size=14)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "latin-1", "utf-7", "koi8-r"]
NEWLINES = ["\n", "\r\n", "\r"]


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """A CSV-ish text: a header of known and unknown columns, rows written properly or naively."""
    header = draw(header_rows)
    if draw(st.booleans()):
        header = ["email", *header]
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(NEWLINES))
    if draw(st.booleans()):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
        writer.writerows([header, *rows])
        return out.getvalue()
    return newline.join(delimiter.join(row) for row in [header, *rows])


VCARD_LINES = [
    "VERSION:3.0", "VERSION:4.0", "VERSION:2.1", "FN:Ann Lee", "N:Lee;Ann;Maria;;",
    "EMAIL;TYPE=INTERNET,pref:ann.lee@example.org", "EMAIL;PREF=1:b@example.org",
    "EMAIL;PREF=x:c@press.test", "ORG:Le Monde;Health desk", "TITLE:Editor", "ROLE:Writer",
    "TEL;TYPE=cell:+996 312 000 000", "TEL;VALUE=uri:tel:+41-44-000-00-00",
    "ADR;TYPE=work:;;Street 1;Bishkek;;720000;KG", "LANG:fr", "LANG;PREF=1:sr-Latn",
    "CATEGORIES:health,children\\,rights", "NOTE:line one\\nline two\\; and \\\\",
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:caf=C3=A9 =", "X-MAILER-REGIONS:central-asia",
    "item1.EMAIL:d@example.org", 'X-PARAM;X="a:b";Y=c:value', "PHOTO;ENCODING=b:AAAA",
    "BEGIN:VCARD", "END:VCARD", ":no name", "no colon", "EMAIL:",
]  # fmt: skip
QP_CHARSETS = ["utf-8", "cp1252", "utf-7", "utf-16", "latin-1", "punycode", "bogus", "hex", ""]


def _encoded(value: str, charset: str) -> bytes:
    """The value in the charset where it has one, else in UTF-8 (surrogates kept)."""
    try:
        return value.encode(charset, "replace")
    except (LookupError, UnicodeError):
        return value.encode("utf-8", "surrogatepass")


@st.composite
def vcard_lines(draw: st.DrawFn) -> str:
    """One content line: a known one, a quoted-printable value in some charset, or anything."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        charset = draw(st.sampled_from(QP_CHARSETS))
        raw = draw(st.one_of(st.binary(max_size=12), cells.map(lambda v: _encoded(v, charset))))
        encoded = "".join(f"={byte:02X}" for byte in raw)
        name = draw(st.sampled_from(["NOTE", "FN", "EMAIL", "ORG", "N"]))
        return f"{name};ENCODING=QUOTED-PRINTABLE;CHARSET={charset}:{encoded}"
    if choice == 1:
        name = draw(st.sampled_from(["FN", "EMAIL", "NOTE", "TEL", "LANG", "ADR", "N", "ORG"]))
        return f"{name}:{draw(cells)}"
    if choice == 2:
        return draw(st.text(max_size=30))
    return draw(st.sampled_from(VCARD_LINES))


@st.composite
def vcard_texts(draw: st.DrawFn) -> str:
    """Cards of known and random lines, folded now and then, END:VCARD sometimes missing."""
    cards = []
    for _ in range(draw(st.integers(1, 4))):
        lines = ["BEGIN:VCARD", *draw(st.lists(vcard_lines(), max_size=10))]
        if draw(st.integers(0, 9)):
            lines.append("END:VCARD")
        cards.extend(lines)
    newline = draw(st.sampled_from(NEWLINES))
    fold = draw(st.sampled_from(["", " ", "\t"]))
    if fold:
        cards = [
            f"{line[:20]}{newline}{fold}{line[20:]}" if len(line) > 20 else line for line in cards
        ]
    return newline.join(cards) + newline * draw(st.integers(0, 2))


def _mutate(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes with a few flipped, cut or inserted, or the tail cut off."""
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if op == "flip":
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif op == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 8)) :]
        elif op == "insert":
            junk = draw(
                st.sampled_from([b"\x00", b"\xef\xbb\xbf", b'"', b"\r", b"\xff\xfe", b"\x85"])
            )
            data = data[:at] + junk + data[at:]
        else:
            data = data[:at]
    return data


@st.composite
def cases(draw: st.DrawFn) -> tuple[bytes, str, ImportOptions]:
    """A file (CSV, vCard or plain bytes) written in some encoding and mutated, with a name and
    the import options (--encoding often the one it was written in)."""
    kind = draw(st.sampled_from(["csv", "vcard", "bytes"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    if kind == "bytes":
        data, suffix = draw(st.binary(max_size=400)), draw(st.sampled_from([".csv", ".vcf", ""]))
    else:
        text = draw(csv_texts() if kind == "csv" else vcard_texts())
        data = _mutate(draw, _encoded(text, encoding))
        suffixes = [".csv", ".txt", ".tsv", ""] if kind == "csv" else [".vcf", ".vcard", ""]
        suffix = draw(st.sampled_from(suffixes))
    given = draw(st.sampled_from([None, None, encoding, "utf-8", "cp1252", "utf-16", "rot13"]))
    options = ImportOptions(
        regions=draw(st.sampled_from([(), ("central-asia",)])),
        update=draw(st.booleans()),
        skip_invalid=draw(st.booleans()),
        dry_run=draw(st.booleans()),
        encoding=given,
        format=draw(st.sampled_from([None, None, FileFormat.CSV, FileFormat.VCARD])),
    )
    return data, suffix, options


# --- the checks ---------------------------------------------------------------------------------

BASELINE = ("ann.lee@example.org", "bakyt@outlet.example.org")


def _reset(engine: Engine) -> None:
    """Two known journalists and one suppressed domain, nothing else."""
    with session_scope(engine) as session:
        session.execute(delete(Contact))
        session.execute(delete(Suppression))
        for email in BASELINE:
            session.add(Contact(email=email, email_key=email, name="", beats=["health"]))
        session.add(Suppression(target="@blocked.example.org", kind=SuppressionKind.DOMAIN))


def _snapshot(engine: Engine) -> list[tuple[object, ...]]:
    """Every contact and suppression row, in id order."""
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM contact ORDER BY id"))]
        rows += [tuple(r) for r in conn.execute(text("SELECT * FROM suppression ORDER BY id"))]
    return rows


_LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[a-z_]+): \S")


def _one_line(message: str) -> None:
    assert message
    assert "\n" not in message, repr(message)
    assert "\r" not in message, repr(message)


def _check_refusal(exc: DataError, path: Path) -> None:
    """A refused file: one line, naming the file; each invalid row as file:line: field: reason."""
    _one_line(str(exc))
    if not isinstance(exc, ImportRejected):
        assert exc.location is not None, str(exc)
        assert exc.location.file == str(path), str(exc)
        return
    assert exc.errors
    for err in exc.errors:
        _one_line(str(err))
        found = _LOCATED.match(str(err))
        assert found is not None, str(err)
        assert found["file"] == str(path), str(err)


def _import(engine: Engine, path: Path, taxonomy: Taxonomy, opts: ImportOptions) -> None:
    _reset(engine)
    before = _snapshot(engine)
    try:
        with session_scope(engine) as session:
            report = import_contacts(session, path, taxonomy, opts)
    except UsageError as exc:  # --encoding that is no text encoding
        _one_line(str(exc))
        assert opts.encoding is not None
        assert _snapshot(engine) == before
        return
    except DataError as exc:
        _check_refusal(exc, path)
        assert _snapshot(engine) == before
        return
    for err in report.invalid:
        _one_line(str(err))
        assert _LOCATED.match(str(err)), str(err)
    after = _snapshot(engine)
    if opts.dry_run:
        assert after == before
    else:
        assert len(after) == len(before) + report.created
    invalid_rows = {err.location.line for err in report.invalid if err.location}
    assert report.rows >= report.created + len(invalid_rows)


@fuzz(200)
@given(case=cases())
@bounded
def test_any_file_imports_cleanly_or_is_refused_without_a_write(
    fuzz_engine: Engine,
    fuzz_dir: Path,
    taxonomy: Taxonomy,
    case: tuple[bytes, str, ImportOptions],
) -> None:
    """Whatever the bytes and options: a report, or a located one-line DataError and no change."""
    data, suffix, opts = case
    path = fuzz_dir / f"contacts{suffix}"
    path.write_bytes(data)
    _import(fuzz_engine, path, taxonomy, opts)


# --- through the command line --------------------------------------------------------------------


@fuzz(30)
@given(case=cases())
# Found by Hypothesis: a column name holding U+001E, which splitlines() breaks at, printed raw.
@example(case=(b"email,0\x1e0", ".csv", ImportOptions()))
@bounded
def test_cli_import_answers_in_one_line_per_problem(
    sqlite_cli: Cli, tmp_path: Path, case: tuple[bytes, str, ImportOptions]
) -> None:
    """`mailer contacts import`: exit 0, or exit 1 with `error: ...` after located lines, exit 2
    for an unusable --encoding, never 70; a refused import adds nothing."""
    data, suffix, opts = case
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data)
    before = _count(sqlite_cli.db_url)
    args = ["contacts", "import", str(path), *(["--skip-invalid"] if opts.skip_invalid else [])]
    args += ["--encoding", opts.encoding] if opts.encoding else []
    result = sqlite_cli(*args)
    assert result.code in (0, 1, 2), result
    lines = result.err.splitlines()
    if result.code == 2:
        assert len(lines) == 1, result
        assert lines[0].endswith("is not a text encoding"), result
    elif result.code == 1:
        assert lines, result
        assert lines[-1].startswith("error: "), result
        for line in lines[:-1]:
            assert _LOCATED.match(line) or line.startswith("... "), result
        assert _count(sqlite_cli.db_url) == before
    else:
        assert all(line.startswith("warning: ") for line in lines), result


def _count(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM contact")).scalar_one())
    except OperationalError:  # no database before the first command
        return 0
    finally:
        engine.dispose()
