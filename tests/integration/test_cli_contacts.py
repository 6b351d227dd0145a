"""The contacts commands end to end, on SQLite and PostgreSQL, with small files written here."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import Cli

HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
GOOD = (
    "aida@kabar.example.org,Aida Bekova,Kabar Daily,Editor,health;children,KG,ky;ru,,"
    "+996 312 660 000,\n"
    "ivan@vesti.example.org,Ivan Petrov,Vesti,Reporter,economy,Kazakhstan,ru;kk,,,\n"
    "arta@koha.example.org,Arta Krasniqi,Koha,Health desk,health,Kosovo,sq;en,,+383 44 123 456,\n"
    "jean@lemonde.example.org,Jean Martin,Le Monde,Foreign desk,migration,FR,fr,central-asia,,\n"
)


def _file(tmp_path: Path, body: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _count(cli: Cli) -> int:
    engine = create_engine(cli.db_url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM contact")).scalar_one())
    engine.dispose()
    return n


def _emails(cli: Cli, *args: str) -> list[str]:
    result = cli("contacts", "list", "--json", *args)
    assert result.code == 0, result
    return sorted(c["email"] for c in json.loads(result.out))


def test_import_then_list_by_region(cli: Cli, tmp_path: Path) -> None:
    """An import of valid rows writes them all; region filters use countries and explicit tags."""
    result = cli("contacts", "import", str(_file(tmp_path, GOOD)))
    assert result.code == 0, result
    assert "4 new" in result.out
    # Jean is in France but tagged central-asia, so he is in Central Asia's audience.
    assert _emails(cli, "--region", "central-asia") == [
        "aida@kabar.example.org",
        "ivan@vesti.example.org",
        "jean@lemonde.example.org",
    ]
    assert _emails(cli, "--region", "western-balkans") == ["arta@koha.example.org"]
    assert _emails(cli, "--region", "asia", "--language", "ky") == ["aida@kabar.example.org"]
    listed = json.loads(cli("contacts", "list", "--json", "--country", "XK").out)
    assert listed[0]["phone"] == "+38344123456"
    assert {"email", "name", "outlet", "country", "languages", "regions", "status"} <= set(
        listed[0]
    )


def test_invalid_row_writes_nothing_and_names_line_and_field(cli: Cli, tmp_path: Path) -> None:
    """One bad row rejects the whole file with file:line: field messages and exit 1."""
    bad = GOOD + "not-an-email,Nobody,,,,KG,,,,\nok@example.org,Ok,,,,Atlantis,,,,\n"
    path = _file(tmp_path, bad)
    result = cli("contacts", "import", str(path))
    assert result.code == 1
    assert f"{path}:6: email:" in result.err
    assert f"{path}:7: country: unknown country 'Atlantis'" in result.err
    assert "Traceback" not in result.err + result.out
    assert _count(cli) == 0
    skipped = cli("contacts", "import", str(path), "--skip-invalid")
    assert skipped.code == 0, skipped
    assert _count(cli) == 4


def test_duplicates_merge_and_update_overwrites(cli: Cli, tmp_path: Path) -> None:
    """Rows of one address in any case merge; re-import fills gaps, and --update overwrites."""
    body = (
        "Aida@Kabar.Example.org,Aida Bekova,Kabar,,health,KG,ky,,,\n"
        "AIDA@kabar.example.org,,,Editor,children,,ru,,,\n"
    )
    result = cli("contacts", "import", str(_file(tmp_path, body)))
    assert result.code == 0, result
    assert "1 duplicate rows merged" in result.out
    shown = json.loads(cli("contacts", "show", "aida@KABAR.example.org", "--json").out)
    assert shown["role"] == "Editor"
    assert shown["beats"] == ["health", "children"]
    assert shown["languages"] == ["ky", "ru"]
    again = _file(tmp_path, "aida@kabar.example.org,Aida B.,Kabar Daily,,,,,,,\n", "b.csv")
    assert cli("contacts", "import", str(again)).code == 0
    assert (
        json.loads(cli("contacts", "show", "aida@kabar.example.org", "--json").out)["outlet"]
        == "Kabar"
    )
    assert cli("contacts", "import", str(again), "--update").code == 0
    shown = json.loads(cli("contacts", "show", "aida@kabar.example.org", "--json").out)
    assert (shown["outlet"], shown["name"]) == ("Kabar Daily", "Aida B.")
    assert _count(cli) == 1


def test_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    """--dry-run reports what would happen and leaves the database empty."""
    result = cli("contacts", "import", str(_file(tmp_path, GOOD)), "--dry-run")
    assert result.code == 0, result
    assert "would import" in result.out
    assert _count(cli) == 0


def test_suppressed_and_forgotten_addresses_are_not_reimported(cli: Cli, tmp_path: Path) -> None:
    """A suppressed domain and a forgotten person stay out of later imports."""
    path = _file(tmp_path, GOOD)
    assert cli("contacts", "import", str(path)).code == 0
    assert cli("suppressions", "add", "@vesti.example.org", "--reason", "outlet closed").code == 0
    forget = cli("contacts", "forget", "ARTA@koha.example.org", "--yes")
    assert forget.code == 0, forget
    assert _count(cli) == 3
    statuses = {c["email"]: c["status"] for c in json.loads(cli("contacts", "list", "--json").out)}
    assert statuses["ivan@vesti.example.org"] == "suppressed"
    result = cli("contacts", "import", str(path))
    assert result.code == 0, result
    assert "arta@koha.example.org not imported: address was forgotten" in result.err
    assert "ivan@vesti.example.org not imported: domain @vesti.example.org" in result.err
    assert _count(cli) == 3
    assert cli("contacts", "add", "arta@koha.example.org").code == 1


def test_forget_leaves_only_a_hash(cli: Cli, tmp_path: Path) -> None:
    """After forget, no table holds the address or the name in clear."""
    assert cli("contacts", "import", str(_file(tmp_path, GOOD))).code == 0
    assert cli("suppressions", "add", "arta@koha.example.org", "--reason", "asked").code == 0
    assert cli("contacts", "forget", "arta@koha.example.org", "--yes").code == 0
    engine = create_engine(cli.db_url)
    with engine.connect() as conn:
        for table in ("contact", "suppression", "spokesperson", "forgotten_address"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            dump = repr(rows).lower()
            assert "arta" not in dump, table
            assert "krasniqi" not in dump, table
    engine.dispose()


def test_add_edit_show_remove(cli: Cli) -> None:
    """A contact added by hand can be edited (lists replaced), shown and removed."""
    added = cli(
        "contacts",
        "add",
        "Ana@Radio.example.org",
        "--name",
        "Ana Lupu",
        "--country",
        "Moldova",
        "--languages",
        "ro;ru",
        "--phone",
        "+373 22 123 456",
    )
    assert added.code == 0, added
    assert cli("contacts", "add", "ana@radio.example.org").code == 1
    edited = cli(
        "contacts",
        "edit",
        "ana@radio.example.org",
        "--beats",
        "health, climate",
        "--email",
        "ana.lupu@radio.example.org",
    )
    assert edited.code == 0, edited
    shown = json.loads(cli("contacts", "show", "ana.lupu@radio.example.org", "--json").out)
    assert shown["beats"] == ["health", "climate"]
    assert shown["country"] == "MD"
    assert shown["source"] == "added by hand"
    assert cli("contacts", "remove", "ana.lupu@radio.example.org", "--yes").code == 0
    assert cli("contacts", "show", "ana.lupu@radio.example.org").code == 1


def test_export_is_formula_safe_and_reimports(cli: Cli, tmp_path: Path) -> None:
    """Export escapes cells a spreadsheet would run, and the export imports back unchanged."""
    body = (
        'eve@example.org,"=HYPERLINK(""http://x.test"")",@outlet,-role,,FR,fr,,+33 1 23 45 67 89,\n'
    )
    assert cli("contacts", "import", str(_file(tmp_path, body))).code == 0
    out = tmp_path / "out.csv"
    assert cli("contacts", "export", str(out)).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["outlet"] == "'@outlet"
    assert rows[0]["phone"] == "'+33123456789"
    before = json.loads(cli("contacts", "show", "eve@example.org", "--json").out)
    assert cli("contacts", "remove", "eve@example.org", "--yes").code == 0
    assert cli("contacts", "import", str(out)).code == 0
    after = json.loads(cli("contacts", "show", "eve@example.org", "--json").out)
    for key in ("name", "outlet", "role", "phone", "country", "languages"):
        assert after[key] == before[key], key
