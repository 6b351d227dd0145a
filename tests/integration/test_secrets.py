"""Secrets never leak: the SMTP password, the token secret and the DKIM private key appear in no
output (verbose logs, `config show`, error messages, --json) and in no database column; a DKIM key
file others can read is refused."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli, CliResult
from tests.integration.database_scan import every_value
from tests.smtpd import Authenticator, RecordingHandler, start_server

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
PASSWORD = "Pw-relay-Zq81xK4mT2"
SECRET = "Tk-secret-Vb93nL7wQ5-0123456789abcdef"
WEBHOOK_SECRET = "Wh-secret-Jd62pR8sY1"


def _key_material(path: Path) -> list[str]:
    """Fragments of the private key as they could leak: PEM lines and the raw key bytes."""
    lines = [
        line
        for line in path.read_text().splitlines()
        if line and not line.startswith("-----") and len(line) >= 16
    ]
    raw = base64.b64decode("".join(lines))
    return [*(line[:24] for line in lines), raw[-24:].hex(), base64.b64encode(raw[-24:]).decode()]


@pytest.fixture
def relay() -> Iterator[tuple[RecordingHandler, int]]:
    """A recording SMTP server that wants the login press / PASSWORD."""
    handler = RecordingHandler()
    controller = start_server(handler, auth=Authenticator("press", PASSWORD))
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def configured(
    cli: Cli, tmp_path: Path, relay: tuple[RecordingHandler, int], monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, Path]:
    """Journalists, the roster, a relay with a password, a DKIM key and every secret set."""
    _handler, port = relay
    rows = "".join(
        f"j{i}@outlet{i}.example.org,Journalist {i},Outlet,,,KG,ru,,,\n" for i in range(3)
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    key = tmp_path / "dkim.pem"
    assert (
        cli("dkim", "keygen", str(key), "--selector", "s1", "--domain", "newsroom.test").code == 0
    )
    Path("mailer.toml").write_text(
        f'[[relays]]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        f'username = "press"\npassword = "{PASSWORD}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MAILER_SECRET_KEY", SECRET)
    monkeypatch.setenv("MAILER_GENERIC_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    monkeypatch.setenv("MAILER_DKIM_DOMAIN", "newsroom.test")
    monkeypatch.setenv("MAILER_DKIM_SELECTOR", "s1")
    monkeypatch.setenv("MAILER_DKIM_KEY_FILE", str(key))
    return cli, key


def _leaks(texts: list[str], secrets: list[str]) -> list[str]:
    return [s for s in secrets if any(s in t for t in texts)]


def test_no_secret_in_outputs_logs_errors_or_the_database(
    configured: tuple[Cli, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, key = configured
    results: list[CliResult] = [
        cli("config", "show"),
        cli("config", "show", "--json"),
        cli("-v", "send", str(RELEASE), "--region", "central-asia", "--yes", "--json"),
        cli("campaigns", "list", "--json"),
        cli("campaigns", "show", "1", "--json"),
        cli("report", "--json"),
        cli("bounces", "list", "--json"),
        cli("contacts", "export", "--subject", "j1@outlet1.example.org"),
    ]
    assert [r.code for r in results] == [0] * len(results), results
    # A refused login names the user, never the password.
    Path("mailer.toml").write_text(
        Path("mailer.toml").read_text().replace(PASSWORD, PASSWORD[::-1]), encoding="utf-8"
    )
    assert cli("contacts", "add", "late@outlet9.example.org", "--country", "KG").code == 0
    refused = cli("-v", "send", str(RELEASE), "--region", "central-asia", "--yes")
    assert refused.code == 2, refused
    assert "refused the login for 'press'" in refused.err
    results.append(refused)
    # Broken settings: the error names the setting, not its value.
    monkeypatch.setenv("MAILER_SECRET_KEY", SECRET + "\n")
    results.append(cli("config", "show"))
    secrets = [PASSWORD, PASSWORD[::-1], SECRET, WEBHOOK_SECRET, *_key_material(key)]
    texts = [r.out for r in results] + [r.err for r in results]
    assert _leaks(texts, secrets) == []
    assert (
        _leaks(["\n".join(value for _table, _column, value in every_value(cli.db_url))], secrets)
        == []
    )
    assert "Traceback" not in "".join(texts)


def test_a_dkim_key_others_can_read_is_refused(configured: tuple[Cli, Path]) -> None:
    cli, key = configured
    os.chmod(key, 0o644)
    result = cli("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code != 0
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.err
    assert str(key) in lines[0]
    assert "600" in lines[0]
    assert "Traceback" not in result.err
