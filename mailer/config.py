"""Settings: mailer.toml (or --config / MAILER_CONFIG), overridden by MAILER_* variables."""

from __future__ import annotations

import os
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from mailer.errors import ConfigError, Location
from mailer.send.relays import RelayConfig, relay_from_url

__all__ = [
    "DEFAULT_SECRET",
    "Origin",
    "Settings",
    "env_name",
    "find_config_file",
    "load_settings",
    "public_name",
]

ENV_PREFIX = "MAILER_"
CONFIG_ENV = "MAILER_CONFIG"
CONFIG_NAME = "mailer.toml"
# The embedded demo signs its tokens with this; a real send refuses it (see require_secret).
DEFAULT_SECRET = "insecure-demo-secret-change-me"  # noqa: S105 - a documented placeholder
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")  # as the composer refuses


class Origin(StrEnum):
    """Where an effective setting came from, for `mailer config show`."""

    DEFAULT = "default"
    FILE = "file"
    ENV = "env"


class Settings(BaseSettings):
    """Every setting of the tool; field names are the public MAILER_* names without the prefix."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    database_url: str = Field(
        default="sqlite:///mailer.db",
        description="SQLAlchemy URL; sqlite:///FILE (default mailer.db) or postgresql+psycopg://...",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="one relay, smtp://user:pass@host:587 or smtps://...; none = outbox",
    )
    from_: str = Field(
        default="Press Office <press@newsroom.example.org>",
        # The env source reads aliases without the prefix, so MAILER_FROM is spelled out here;
        # "from" is the key in mailer.toml.
        validation_alias=AliasChoices("MAILER_FROM", "from"),
        description="From header with display name",
    )
    bounce_domain: str = Field(
        default="newsroom.example.org", description="domain of the VERP return path"
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="base URL of `mailer serve` (unsubscribe)"
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET), description="signs tokens; set a long random value"
    )
    dkim_domain: str | None = Field(default=None, description="d= of DKIM signatures")
    dkim_selector: str | None = Field(default=None, description="s= of DKIM signatures")
    dkim_key_file: Path | None = Field(default=None, description="PEM private key for DKIM")
    organisation: str = Field(default="Press Office", description="sender's name in the email")
    organisation_names: dict[str, str] = Field(
        default_factory=dict, description="the organisation's name per language, e.g. ru = ..."
    )
    logo_url: str | None = Field(default=None, description="https URL of a logo for the email")
    brand_color: str = Field(default="#1d5c96", description="accent colour, #rrggbb")
    postal_address: str = Field(default="", description="postal address for the email footer")
    postal_addresses: dict[str, str] = Field(
        default_factory=dict, description="the postal address per language, e.g. ru = ..."
    )
    reply_to: str | None = Field(
        default=None, description="Reply-To; default: the lead spokesperson's address"
    )
    list_name: str = Field(default="Press releases", description="the list's name (List-Id)")
    templates_dir: Path | None = Field(
        default=None, description="folder whose templates override the built-in ones"
    )
    attachment_max_bytes: int = Field(
        default=1_000_000, ge=0, description="larger files are linked instead of attached"
    )
    max_message_bytes: int = Field(
        default=10_000_000, ge=10_000, description="a message over this size is refused"
    )
    relays: list[RelayConfig] = Field(
        default_factory=list, description="[[relays]] tables in mailer.toml (see README)"
    )
    domain_concurrency: int = Field(
        default=4, ge=1, description="connections at once to one recipient domain"
    )
    domain_rate: float = Field(
        default=0.0, ge=0, description="messages/s to one recipient domain; 0 = no cap"
    )
    lease_seconds: float = Field(
        default=15.0,
        ge=1,
        le=600,
        description="a dead sender's deliveries are taken over after this",
    )
    retry_hours: float = Field(
        default=72.0, gt=0, description="deferred deliveries retry this long"
    )
    soft_bounce_limit: int = Field(
        default=3, ge=1, le=100, description="soft bounces that make a journalist bounced"
    )
    soft_bounce_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="window of those soft bounces (a delivery in between starts it again)",
    )
    # A link must keep working at least 30 days after the message (US CAN-SPAM, 16 CFR 316.5).
    unsubscribe_token_days: int = Field(
        default=365,
        ge=30,
        le=3650,
        description="unsubscribe links work this many days after their campaign was created",
    )
    outbox_dir: Path = Field(
        default=Path("outbox"), description="Maildir the embedded default delivers into"
    )
    regions_file: Path = Field(
        default=Path("contacts/regions.yaml"), description="user-defined regions (YAML)"
    )
    # Provider webhooks of `mailer serve` (README: Webhooks); a provider without its secret is off.
    webhook_max_bytes: int = Field(
        default=1_000_000, ge=10_000, le=50_000_000, description="larger webhook bodies get 413"
    )
    webhook_max_age_seconds: int = Field(
        default=900,
        ge=60,
        le=86_400,
        description="Mailgun and generic webhook timestamps further off than this are refused",
    )
    ses_topic_arns: list[str] = Field(
        default_factory=list,
        description="SNS topics whose SES notifications are accepted; none = SES off, * = any",
    )
    sns_cert_host_pattern: str = Field(
        default=r"sns\.[a-z0-9-]+\.amazonaws\.com",
        description="host of an SNS SigningCertURL or SubscribeURL (regular expression, full)",
    )
    sendgrid_public_key: str | None = Field(
        default=None, description="SendGrid signed event webhook verification key (base64 DER)"
    )
    mailgun_signing_key: SecretStr | None = Field(
        default=None, description="Mailgun HTTP webhook signing key"
    )
    postmark_webhook_user: str | None = Field(
        default=None, description="user name of the Postmark webhook's basic auth"
    )
    postmark_webhook_password: SecretStr | None = Field(
        default=None, description="password of the Postmark webhook's basic auth"
    )
    generic_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key of /webhooks/generic (README: Webhooks)"
    )

    @field_validator("brand_color")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError("must be a colour like #1d5c96")
        return value.lower()

    @field_validator("sns_cert_host_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("sendgrid_public_key")
    @classmethod
    def _ec_public_key(cls, value: str | None) -> str | None:
        if value is not None:
            # Imported here: it pulls in cryptography, which most commands never need.
            from mailer.webhooks.sendgrid import public_key

            public_key(value)
        return value

    @field_validator("mailgun_signing_key", "postmark_webhook_password", "generic_webhook_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator(
        "from_",
        "bounce_domain",
        "public_url",
        "dkim_domain",
        "dkim_selector",
        "organisation",
        "logo_url",
        "postal_address",
        "reply_to",
        "list_name",
    )
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        # A value that ends up in a header must never smuggle a line break (RFC 5322 2.2), nor
        # NEL, U+2028 or another control that ends a line for some reader.
        if value is not None and _CONTROL.search(value):
            raise ValueError("must be a single line")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file; the file comes in through init kwargs (see load_settings),
        # so it is placed last here to lose against the environment.
        return env_settings, init_settings

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file (the embedded default)."""
        return self.database_url.startswith("sqlite")

    def organisation_in(self, language: str) -> str:
        """The organisation's name as written in a language (exact tag, primary, default)."""
        return _localized(self.organisation_names, language, self.organisation)

    def postal_address_in(self, language: str) -> str:
        """The footer's postal address as written in a language."""
        return _localized(self.postal_addresses, language, self.postal_address)

    def relay_list(self) -> list[RelayConfig]:
        """The relays to use: [[relays]] from the file, else MAILER_SMTP_URL; empty = outbox."""
        if self.relays:
            return list(self.relays)
        if self.smtp_url is not None:
            return [relay_from_url(self.smtp_url.get_secret_value())]
        return []

    @property
    def uses_default_secret(self) -> bool:
        """True when no real secret was configured."""
        return self.secret_key.get_secret_value() in ("", DEFAULT_SECRET)


def _localized(values: dict[str, str], language: str, default: str) -> str:
    by_tag = {k.lower(): v for k, v in values.items()}
    for tag in (language.lower(), language.split("-")[0].lower()):
        if tag in by_tag:
            return by_tag[tag]
    return default


def find_config_file(explicit: Path | None) -> tuple[Path | None, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    if explicit is not None:
        return explicit, True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    default = Path(CONFIG_NAME)
    return (default, False) if default.is_file() else (None, False)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("config file not found", Location(file=str(path))) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror}", Location(str(path))) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the text: "Invalid value (at line 1, column 16)".
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(found[1]) if found else None
        msg = str(exc)[: found.start()].strip() if found else str(exc)
        raise ConfigError(f"invalid TOML: {msg}", Location(str(path), line)) from None


def env_name(field: str) -> str:
    """The environment variable that sets a field: MAILER_ + its public name."""
    return f"{ENV_PREFIX}{public_name(field).upper()}"


def public_name(field: str) -> str:
    """The name of a field in mailer.toml and in messages (`from_` is `from`)."""
    return field.rstrip("_")


def _env_fields() -> set[str]:
    present = {k.upper() for k in os.environ}
    return {name for name in Settings.model_fields if env_name(name) in present}


def _validation_message(exc: ValidationError, path: Path | None) -> ConfigError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "settings"
    where = str(path) if path else "settings"
    if err["type"] == "extra_forbidden":
        return ConfigError(f"unknown setting {field!r}", Location(where))
    field = public_name(field.lower().removeprefix(ENV_PREFIX.lower()))
    env = env_name(field)
    if env in {k.upper() for k in os.environ}:
        where = f"environment variable {env}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return ConfigError(f"{field} (or {env}): {msg}", Location(where))


def load_settings(config: Path | None = None) -> tuple[Settings, dict[str, Origin], Path | None]:
    """Load the effective settings, with the origin of each field and the file read (if any)."""
    path, required = find_config_file(config)
    data = _read_toml(path) if path is not None and (required or path.is_file()) else {}
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise _validation_message(exc, path) from None
    env = _env_fields()
    from_file = {f"{k}_" if f"{k}_" in Settings.model_fields else k for k in data}
    origins = {
        name: Origin.ENV if name in env else Origin.FILE if name in from_file else Origin.DEFAULT
        for name in Settings.model_fields
    }
    return settings, origins, path if data or required else None
