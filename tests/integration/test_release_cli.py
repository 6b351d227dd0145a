"""release check and preview from the command line: located errors, warnings, summary, overrides."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mailer.db import make_engine, session_scope
from mailer.models import Spokesperson
from tests.conftest import REPO, Cli

EXAMPLES = REPO / "examples"


def _setup(cli: Cli) -> None:
    assert cli("contacts", "import", str(REPO / "contacts" / "journalists.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0


def test_check_prints_summary_per_language_and_audience(cli: Cli) -> None:
    """A valid release: title per language, spokespeople, audience per region, message sizes."""
    _setup(cli)
    result = cli("release", "check", str(EXAMPLES / "immunization-release.md"), "--json")
    assert result.code == 0, result
    report = json.loads(result.out)
    assert set(report["variants"]) == {"en", "fr", "ru"}
    assert report["spokespeople"] == ["l-bytyqi", "a-bekova"]
    assert report["audience"] > 20
    assert set(report["audience_by_region"]) <= {"central-asia", "western-balkans"}
    assert all(v["bytes"] > 5000 for v in report["variants"].values())
    table = cli("release", "check", str(EXAMPLES / "immunization-release.md"))
    assert "spokespeople: l-bytyqi, a-bekova" in table.out


def test_check_reports_every_problem_with_file_and_line(cli: Cli, tmp_path: Path) -> None:
    """Unknown spokespeople and regions and a wrong type are file:line: messages, exit 1."""
    _setup(cli)
    path = tmp_path / "bad.md"
    path.write_text(
        "---\ntitle: A title\nlanguage: en\nspokespeople: [nobody]\nregions: [atlantis]\n"
        "kind: [not, text]\n---\nBody.\n",
        encoding="utf-8",
    )
    result = cli("release", "check", str(path))
    assert result.code == 1
    assert f"{path}:6: kind: kind must be text" in result.err
    assert "Traceback" not in result.err
    fixed = path.read_text().replace("kind: [not, text]\n", "")
    path.write_text(fixed, encoding="utf-8")
    again = cli("release", "check", str(path))
    assert again.code == 1
    assert f"{path}:4: spokespeople: unknown spokesperson 'nobody'" in again.err
    assert f"{path}:5: regions: unknown region 'atlantis'" in again.err


def test_a_roster_address_no_header_can_carry_is_a_located_problem(
    cli: Cli, tmp_path: Path
) -> None:
    """Found by tests/fuzz: a lead spokesperson whose address has a non-ASCII local part (the
    Reply-To) made `release check` fail with an internal error (exit 70). Import now refuses
    such an address at its line; one already in the roster is a problem at the spokespeople
    key. An international domain alone is fine (written in IDNA A-labels)."""
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        "- {handle: m-idn, name: Marta, email: marta@münchen.example.org}\n"
        "- {handle: j-idn, name: Jürgen, email: jürgen@example.org}\n",
        encoding="utf-8",
    )
    refused = cli("spokespeople", "import", str(roster))
    assert refused.code == 1, refused
    assert f"{roster}:2: email: a non-ASCII local part needs SMTPUTF8" in refused.err, refused
    roster.write_text(roster.read_text("utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert cli("spokespeople", "import", str(roster)).code == 0
    engine = make_engine(cli.db_url)
    with session_scope(engine) as session:  # as a roster imported before the rule holds it
        session.add(Spokesperson(handle="j-idn", name="Jürgen", email="jürgen@example.org"))
    engine.dispose()
    path = tmp_path / "r.md"
    path.write_text(
        "---\ntitle: A title\nlanguage: en\nspokespeople: [j-idn]\n---\nBody.\n", "utf-8"
    )
    result = cli("release", "check", str(path))
    assert result.code == 1, result
    assert f"{path}:4: spokespeople: Reply-To has a non-ASCII local part" in result.err, result
    path.write_text(path.read_text("utf-8").replace("j-idn", "m-idn"), "utf-8")
    assert cli("release", "check", str(path)).code == 0


def test_warnings_do_not_fail(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A past embargo and a large attachment (linked, not attached) are warnings, exit 0."""
    _setup(cli)
    (tmp_path / "big.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 50_000)
    path = tmp_path / "r.md"
    path.write_text(
        "---\ntitle: A title\nlanguage: en\nspokespeople: [a-bekova]\nregions: [central-asia]\n"
        "embargo: 2020-01-01T09:00:00+06:00\nattachments: [big.pdf]\n---\nBody.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MAILER_ATTACHMENT_MAX_BYTES", "10000")
    result = cli("release", "check", str(path))
    assert result.code == 0, result
    assert "embargo 2020-01-01T09:00:00+06:00 has passed" in result.err
    assert "big.pdf (50 KB) is over attachment_max_bytes" in result.err


def test_user_templates_override_the_built_in_ones(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A templates_dir with its own release.txt.j2 changes the text part; the HTML stays."""
    _setup(cli)
    mine = tmp_path / "mytemplates" / "email"
    mine.mkdir(parents=True)
    shutil.copy(REPO / "templates" / "email" / "release.txt.j2", mine / "release.txt.j2")
    text = (mine / "release.txt.j2").read_text(encoding="utf-8")
    (mine / "release.txt.j2").write_text("OUR HOUSE STYLE\n" + text, encoding="utf-8")
    monkeypatch.setenv("MAILER_TEMPLATES_DIR", str(mine.parent))
    result = cli(
        "preview", str(EXAMPLES / "statement-sq.md"), "--lang", "en", "--out", str(tmp_path / "out")
    )
    assert result.code == 0, result
    assert (tmp_path / "out" / "statement-sq.en.txt").read_text().startswith("OUR HOUSE STYLE")
    assert "<table" in (tmp_path / "out" / "statement-sq.en.html").read_text()
