"""SMTP relay settings: one URL or a list in mailer.toml, validated once, up front."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from mailer.errors import ConfigError

__all__ = ["RelayConfig", "TlsMode", "is_loopback", "relay_from_url"]


class TlsMode(StrEnum):
    """How a relay connection is protected."""

    IMPLICIT = "implicit"  # TLS from the first byte (smtps, port 465; RFC 8314)
    STARTTLS = "starttls"  # plain then upgraded; required, never optional
    NONE = "none"  # no TLS: loopback only


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RelayConfig(BaseModel):
    """One relay (an MTA or a provider's SMTP endpoint)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    tls: TlsMode = TlsMode.STARTTLS
    verify: bool = True
    ca_file: Path | None = None
    username: str | None = None
    password: SecretStr | None = None
    max_connections: int = Field(default=16, ge=1, le=256)
    max_messages_per_connection: int = Field(default=1000, ge=1)
    rate: float = Field(default=0.0, ge=0, description="messages/s through this relay; 0 = no cap")
    timeout: float = Field(default=30.0, gt=0, description="seconds for connect and each command")

    @model_validator(mode="after")
    def _safe(self) -> RelayConfig:
        if self.tls == TlsMode.NONE and not is_loopback(self.host):
            raise ValueError(
                f"relay {self.host}: TLS 'none' is allowed on loopback only; "
                "use starttls or implicit"
            )
        return self

    @property
    def name(self) -> str:
        """host:port, as shown in reports and stored on deliveries."""
        return f"{self.host}:{self.port}"


def relay_from_url(url: str) -> RelayConfig:
    """smtp://user:pass@host:587 (STARTTLS; plain on loopback), smtps://host:465 (implicit TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            "smtp_url (or MAILER_SMTP_URL): expected smtp://host:port or "
            f"smtps://host:port, not {parts.scheme or '?'}://..."
        )
    host = parts.hostname
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 587)
    except ValueError:
        raise ConfigError("smtp_url (or MAILER_SMTP_URL): invalid port") from None
    tls = TlsMode.IMPLICIT if implicit else TlsMode.NONE if is_loopback(host) else TlsMode.STARTTLS
    try:
        return RelayConfig(
            host=host,
            port=port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=SecretStr(unquote(parts.password)) if parts.password else None,
        )
    except ValueError as exc:
        raise ConfigError(f"smtp_url (or MAILER_SMTP_URL): {exc}") from None
