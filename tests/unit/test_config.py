"""Settings: file, environment, precedence, provenance and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.config import Origin, load_settings
from mailer.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [
        "MAILER_CONFIG",
        "MAILER_DATABASE_URL",
        "MAILER_FROM",
        "MAILER_SMTP_URL",
        "MAILER_SECRET_KEY",
        "MAILER_REGIONS_FILE",
        "MAILER_PUBLIC_URL",
    ]:
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_any_file() -> None:
    """With no file and no variables, the embedded defaults apply: an SQLite file, no relay."""
    settings, origins, path = load_settings()
    assert settings.database_url == "sqlite:///mailer.db"
    assert settings.smtp_url is None
    assert settings.uses_default_secret
    assert path is None
    assert set(origins.values()) == {Origin.DEFAULT}


def test_file_in_working_directory_then_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    """./mailer.toml is read; a MAILER_* variable overrides the same key; origins say which."""
    Path("mailer.toml").write_text(
        'from = "Desk <desk@example.org>"\ndatabase_url = "sqlite:///a.db"\n'
    )
    monkeypatch.setenv("MAILER_DATABASE_URL", "sqlite:///b.db")
    settings, origins, path = load_settings()
    assert settings.from_ == "Desk <desk@example.org>"
    assert settings.database_url == "sqlite:///b.db"
    assert origins["from_"] == Origin.FILE
    assert origins["database_url"] == Origin.ENV
    assert path == Path("mailer.toml")


def test_mailer_config_variable_and_explicit_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """MAILER_CONFIG names the file; an explicit --config path beats it."""
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('bounce_domain = "a.example.org"\n')
    b.write_text('bounce_domain = "b.example.org"\n')
    monkeypatch.setenv("MAILER_CONFIG", str(a))
    assert load_settings()[0].bounce_domain == "a.example.org"
    assert load_settings(b)[0].bounce_domain == "b.example.org"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("database_url = \n", "a.toml:1"),
        ("nonsense = 1\n", "unknown setting 'nonsense'"),
        ("database_url = [1]\n", "database_url (or MAILER_DATABASE_URL)"),
        ('from = "A <a@example.org>\\nBcc: x@example.org"\n', "must be a single line"),
        # The composer refuses these too, but only later and naming no file or variable.
        (
            'from = "A <a@example.org>\\u2028Bcc: x@example.org"\n',
            "from (or MAILER_FROM): must be a single",
        ),
        ('list_name = "Press\\u0085releases"\n', "list_name (or MAILER_LIST_NAME): must be"),
    ],
)
def test_bad_file_is_a_located_config_error(tmp_path: Path, content: str, expected: str) -> None:
    """A malformed or unknown setting names the file (and line) and what is wrong."""
    path = tmp_path / "a.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    """A config file the user named must exist."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_newline_in_environment_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A header value from the environment with a line break is an error naming the variable."""
    monkeypatch.setenv("MAILER_FROM", "A <a@example.org>\r\nBcc: b@example.org")
    with pytest.raises(ConfigError, match="environment variable MAILER_FROM"):
        load_settings()
