"""The sample newsroom in contacts/ imports as contacts/README.md says, on both backends."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli

CONTACTS = REPO / "contacts"
CENTRAL_ASIA = {"KZ", "KG", "TJ", "TM", "UZ"}


def _journalists() -> list[dict[str, str]]:
    with (CONTACTS / "journalists.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_quick_start_imports_and_lists_central_asia_twice(cli: Cli) -> None:
    """The README's main job: import, list Central Asia; a second run changes nothing."""
    first = cli("contacts", "import", str(CONTACTS / "journalists.csv"))
    assert first.code == 0, first
    assert "98 new" in first.out
    assert cli("spokespeople", "import", str(CONTACTS / "spokespeople.yaml")).code == 0
    second = cli("contacts", "import", str(CONTACTS / "journalists.csv"))
    assert second.code == 0, second
    assert "0 new, 0 updated, 98 unchanged" in second.out
    listed = json.loads(cli("contacts", "list", "--region", "central-asia", "--json").out)
    expected = {
        r["email"].lower()
        for r in _journalists()
        if r["country"] in CENTRAL_ASIA or "central-asia" in r["regions"].split(";")
    }
    assert {c["email"].lower() for c in listed} == expected
    assert len(expected) >= 20
    # Kosovo is in the Western Balkans and in south-eastern Europe.
    kosovo = json.loads(cli("contacts", "list", "--country", "XK", "--json").out)
    balkans = json.loads(cli("contacts", "list", "--region", "western-balkans", "--json").out)
    assert kosovo
    assert {c["email"] for c in kosovo} <= {c["email"] for c in balkans}


def test_messy_files_merge_into_the_newsroom(cli: Cli) -> None:
    """Outlook (BOM, names of countries), Google and cp1252-semicolon exports merge by address."""
    assert cli("contacts", "import", str(CONTACTS / "journalists.csv")).code == 0
    outlook = cli("contacts", "import", str(CONTACTS / "messy" / "outlook-export.csv"))
    assert outlook.code == 0, outlook
    assert "utf-8-sig" in outlook.out
    assert "1 duplicate rows merged" in outlook.out
    assert "9 new" in outlook.out
    google = cli("contacts", "import", str(CONTACTS / "messy" / "google-contacts.csv"))
    assert google.code == 0, google
    assert "10 new" in google.out
    cp1252 = cli("contacts", "import", str(CONTACTS / "messy" / "semicolon-cp1252.csv"))
    assert cp1252.code == 0, cp1252
    assert "cp1252" in cp1252.out
    assert "11 new" in cp1252.out
    vcards = cli("contacts", "import", str(CONTACTS / "journalists.vcf"))
    assert vcards.code == 0, vcards
    total = json.loads(cli("contacts", "list", "--json").out)
    assert len(total) == 98 + 9 + 10 + 11 + 6
    shown = json.loads(
        cli("contacts", "show", "emilie.lefevre@echo-continents.example.org", "--json").out
    )
    assert shown["name"].startswith("Émilie")


def test_invalid_rows_are_each_reported_with_line_and_field(cli: Cli) -> None:
    """The four documented invalid rows are reported at lines 3, 5, 8 and 10; nothing imported."""
    path = CONTACTS / "messy" / "invalid-rows.csv"
    result = cli("contacts", "import", str(path))
    assert result.code == 1
    for line, field in ((3, "email"), (5, "country"), (8, "phone"), (10, "languages")):
        assert f"{path}:{line}: {field}:" in result.err, result.err
    assert "4 of 10 rows invalid, nothing imported" in result.err
    assert json.loads(cli("contacts", "list", "--json").out) == []
    partial = cli("contacts", "import", str(path), "--skip-invalid")
    assert partial.code == 0, partial
    assert "6 new" in partial.out


def test_spokespeople_yaml_and_csv_agree(cli: Cli) -> None:
    """The roster imports from YAML and from CSV to the same entries, phones in E.164."""
    assert cli("spokespeople", "import", str(CONTACTS / "spokespeople.yaml")).code == 0
    from_yaml = json.loads(cli("spokespeople", "list", "--json").out)
    again = cli("spokespeople", "import", str(CONTACTS / "spokespeople.csv"))
    assert again.code == 0, again
    assert "0 added, 7 updated" in again.out
    assert json.loads(cli("spokespeople", "list", "--json").out) == from_yaml
    assert len(from_yaml) >= 4
    assert len({p["office"] for p in from_yaml}) >= 4
    assert all(n.startswith("+") and n[1:].isdigit() for p in from_yaml for n in p["phones"])
    shown = cli("spokespeople", "show", from_yaml[0]["handle"])
    assert shown.code == 0
    assert from_yaml[0]["name"] in shown.out


def test_regions_list_counts_and_show(cli: Cli) -> None:
    """regions list counts active contacts per region; regions show lists countries and children."""
    assert cli("contacts", "import", str(CONTACTS / "journalists.csv")).code == 0
    regions = {r["slug"]: r for r in json.loads(cli("regions", "list", "--json").out)}
    listed = json.loads(cli("contacts", "list", "--region", "central-asia", "--json").out)
    assert regions["central-asia"]["contacts"] == len(listed)
    assert regions["world"]["contacts"] >= 90
    assert regions["seeca"]["builtin"] is False
    shown = json.loads(cli("regions", "show", "asia", "--json").out)
    assert "central-asia" in [s["slug"] for s in shown["subregions"]]
    assert {c["code"] for c in shown["countries"]} >= CENTRAL_ASIA


def test_no_real_domains_in_sample_data() -> None:
    """Every address in contacts/ uses a reserved domain (example.org/.com/.net or .test)."""
    import re

    found = set()
    for path in CONTACTS.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found |= {m.lower() for m in re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text)}
    allowed = re.compile(r"(^|\.)(example\.(org|com|net)|test)$")
    assert found
    assert sorted(d for d in found if not allowed.search(d)) == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_python_dash_m_and_completion(tmp_path: Path) -> None:
    """`python -m mailer` runs, and bash completion offers region slugs."""
    version = subprocess.run(
        [sys.executable, "-m", "mailer", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert version.returncode == 0
    assert version.stdout.startswith("mailer ")
    env = {
        "_MAILER_COMPLETE": "complete_bash",
        "COMP_WORDS": "mailer regions show central-a",
        "COMP_CWORD": "3",
        "PATH": str(Path(sys.executable).parent),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mailer"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=REPO,
    )
    assert "central-asia" in done.stdout, done
