"""Every command given bad input answers with one clear line and its exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


def _files(tmp: Path) -> dict[str, Path]:
    files = {
        "bad_yaml": ("people.yaml", "- handle: a\n  name: [unclosed\n"),
        "bad_people": ("people2.yaml", "- handle: A B\n  name: X\n  email: x@example.org\n"),
        "bad_phone": ("p3.yaml", "- {handle: ab, name: X, email: x@example.org, phones: [12]}\n"),
        "no_email_col": ("noemail.csv", "name,outlet\nA,B\n"),
        "binary": ("binary.csv", "\x00\x01\x02\x03"),
        "bad_toml": ("bad.toml", "database_url = \n"),
        "unknown_key": ("unknown.toml", "smtp = 'x'\n"),
        "vcard": ("broken.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\n"),
        # Found by tests/fuzz (each was an internal error, exit 70, or an unlocated one):
        "utf7": ("utf7.csv", "email,notes\na@example.org,x+2D0-y\n"),
        "smtputf8": ("intl.csv", "email\nann@münchen.example.org\njürgen@example.org\n"),
        "qp_nul": (
            "qpnul.vcf",
            "BEGIN:VCARD\nEMAIL:a@example.org\nNOTE;QUOTED-PRINTABLE:=00\nEND:VCARD\n",
        ),
        "deep_people": ("deep.yaml", "- handle: a\n  name: " + "[" * 3000 + "]" * 3000 + "\n"),
        "deep_release": ("deep.md", "---\ntitle: " + "{a: " * 3000 + "}" * 3000 + "\n---\nb\n"),
    }
    out = {}
    for key, (name, body) in files.items():
        path = tmp / name
        path.write_text(body, encoding="utf-8")
        out[key] = path
    return out


CASES: list[tuple[list[str], int, str]] = [
    (["contacts", "import", "{missing}"], 1, "missing.csv"),
    (["contacts", "import", "{no_email_col}"], 1, "no email column"),
    (["contacts", "import", "{binary}"], 1, "binary.csv"),
    (["contacts", "import", "{vcard}"], 1, "broken.vcf:1"),
    (["contacts", "import", "{utf7}", "--encoding", "utf-7"], 1, "utf7.csv:2: not utf-7 text"),
    (["contacts", "import", "{qp_nul}"], 1, "qpnul.vcf:3: quoted-printable value has a NUL"),
    (["contacts", "import", "{smtputf8}"], 1, "intl.csv:3: email: a non-ASCII local part"),
    (["contacts", "add", "jürgen@example.org"], 1, "command line: email: a non-ASCII local"),
    (["spokespeople", "import", "{deep_people}"], 1, "deep.yaml:1: invalid YAML: nested too"),
    (["release", "check", "{deep_release}"], 1, "deep.md:2: invalid YAML: nested too deeply"),
    (["contacts", "import", "{no_email_col}", "--region", "narnia"], 2, "unknown region 'narnia'"),
    (["contacts", "list", "--region", "central-asai"], 2, "did you mean central-asia"),
    (["contacts", "list", "--status", "happy"], 2, "--status must be one of"),
    (["contacts", "show", "nobody@example.org"], 1, "no contact with address"),
    (["contacts", "show", "not an address"], 2, "not a valid address"),
    (["contacts", "add", "bad@@example.org"], 1, "command line: email"),
    (["contacts", "add", "a@example.org", "--country", "Atlantis"], 1, "unknown country"),
    (["contacts", "add", "a@example.org", "--phone", "+1 555"], 1, "phone"),
    (["contacts", "add", "a@example.org", "--languages", "klingon-xx"], 1, "language"),
    (["contacts", "edit", "nobody@example.org", "--name", "X"], 1, "no contact"),
    (["contacts", "edit", "nobody@example.org"], 2, "nothing to change"),
    (["contacts", "remove", "nobody@example.org", "--yes"], 1, "no contact"),
    (["contacts", "remove", "nobody@example.org"], 2, "add --yes"),
    (["contacts", "forget", "nobody@example.org", "--yes"], 1, "no contact"),
    (["contacts", "export", "/nonexistent-dir/x.csv"], 1, "cannot write"),
    (["regions", "show", "atlantis"], 2, "unknown region"),
    (["spokespeople", "import", "{bad_yaml}"], 1, "opened at line 2"),
    (["spokespeople", "import", "{bad_people}"], 1, "people2.yaml:1: handle"),
    (["spokespeople", "import", "{bad_phone}"], 1, "p3.yaml:1: phones"),
    (["spokespeople", "show", "nobody"], 1, "no spokesperson 'nobody'"),
    (["spokespeople", "add", "x", "--name", "X", "--email", "nope"], 1, "email"),
    (["suppressions", "add", "not-an-address", "--reason", "x"], 2, "not a valid address"),
    (["suppressions", "add", "@", "--reason", "x"], 2, "not a valid domain"),
    (["suppressions", "remove", "a@example.org"], 1, "not on the suppression list"),
    (["--config", "{bad_toml}", "config", "show"], 2, "bad.toml:1: invalid TOML"),
    (["--config", "{unknown_key}", "config", "show"], 2, "unknown setting 'smtp'"),
    (["--config", "{missing}", "contacts", "list"], 2, "config file not found"),
    (["contacts", "frobnicate"], 2, "No such command"),
    (["contacts", "list", "--bogus"], 2, "No such option"),
]


@pytest.mark.parametrize(("args", "code", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_gives_one_clear_line(
    cli: Cli, tmp_path: Path, args: list[str], code: int, expected: str
) -> None:
    """The command fails with the documented exit code and a message saying what to fix."""
    files = {k: str(v) for k, v in _files(tmp_path).items()}
    files["missing"] = str(tmp_path / "missing.csv")
    result = cli(*[a.format(**files) for a in args])
    assert result.code == code, result
    assert expected in result.err, result
    assert "Traceback" not in result.out + result.err
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_database_that_cannot_be_opened(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable database is one line naming the problem, exit 1."""
    monkeypatch.setenv("MAILER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = cli("contacts", "list")
    assert result.code == 1, result
    assert result.err.startswith("error: cannot open database")
    assert len(result.err.strip().splitlines()) == 1


def test_every_problem_is_one_line_however_long(cli: Cli, tmp_path: Path) -> None:
    """Found by tests/fuzz: stderr was folded at the terminal width, so a long value split one
    problem over several lines; now each invalid row is one line, then the error line."""
    path = tmp_path / "long.csv"
    path.write_text("email,country\na@example.org," + "Narnia" * 60 + "\nb@example.org,XX\n")
    result = cli("contacts", "import", str(path))
    assert result.code == 1, result
    lines = result.err.splitlines()
    assert len(lines) == 3, result
    assert lines[0].startswith(f"{path}:2: country: unknown country 'NarniaNarnia"), result
    assert lines[0].endswith("Narnia'"), result
    assert lines[1] == f"{path}:3: country: unknown country 'XX'", result
