"""DKIM signing of outgoing messages (RFC 6376, RFC 8463) with keys held by OpenSSL."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from mailer.errors import ConfigError

__all__ = ["SIGNED_HEADERS", "DkimAlgorithm", "DkimSigner", "generate_key"]

logger = logging.getLogger("mailer.send")

SIGNED_HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "mime-version",
    "content-type",
    "reply-to",
    "list-id",
    "content-language",
)
MIN_RSA_BITS = 1024  # RFC 8301 section 3.2: signers MUST use at least 1024 bits ...
GOOD_RSA_BITS = 2048  # ... and SHOULD use at least 2048

_SIGNED = tuple(name.encode() for name in SIGNED_HEADERS)
_WANTED = frozenset(_SIGNED)
_MAX_LINE = 78  # RFC 5322 section 2.1.1
_SPACE_RUN = re.compile(rb"  +")  # a literal prefix, so re scans with a fast search
_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")  # the normalisation aiosmtplib applies on the wire
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()

_Key: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


class DkimAlgorithm(StrEnum):
    """The a= tag: RSA (RFC 6376) or Ed25519 (RFC 8463), both over SHA-256."""

    RSA_SHA256 = "rsa-sha256"
    ED25519_SHA256 = "ed25519-sha256"


@dataclass(frozen=True)
class DkimSigner:
    """Signs messages for one d= domain and s= selector with one private key."""

    domain: str
    selector: str
    algorithm: DkimAlgorithm
    _key: _Key = field(repr=False)

    def __post_init__(self) -> None:
        for what, name in (("domain", self.domain), ("selector", self.selector)):
            if not _DNS_NAME.fullmatch(name):
                raise ConfigError(f"DKIM {what} {name!r} is not a valid DNS name")
        wanted = _algorithm_of(self._key)
        if wanted is not self.algorithm:
            raise ConfigError(f"DKIM algorithm {self.algorithm} does not fit a {wanted} key")

    @classmethod
    def from_key_file(cls, domain: str, selector: str, path: Path) -> DkimSigner:
        """Load a PEM private key (PKCS#8 or traditional RSA) that only its owner can read."""
        key = _parse_key(_read_key_file(path), path)
        if isinstance(key, rsa.RSAPrivateKey):
            _check_rsa_bits(key.key_size, str(path))
        return cls(domain, selector, _algorithm_of(key), key)

    def sign(self, message: bytes, now: int | None = None) -> bytes:
        """The DKIM-Signature header field, folded and CRLF-terminated, to prepend to `message`."""
        headers, body = _split(_wire_form(message))
        fields = _signed_fields(headers)
        # From is listed even when absent, so that nobody can add one (RFC 6376 5.4)
        names = [n for n in _SIGNED if n == b"from" or n in fields]
        when = int(time.time()) if now is None else now
        lines = _fold(self._tags(names, _body_hash(body), when))
        unsigned = "\r\n".join(lines)  # ends in "b=": RFC 6376 3.7 signs it with b= empty
        data = [n + b":" + _relaxed(fields[n]) + b"\r\n" for n in names if n in fields]
        data += [b"dkim-signature:", _relaxed(unsigned.split(":", 1)[1].encode())]
        b = base64.b64encode(self._signature(b"".join(data))).decode("ascii")
        return (unsigned + _fold_b(b, len(lines[-1])) + "\r\n").encode("ascii")

    def dns_record(self) -> str:
        """The TXT record to publish at <selector>._domainkey.<domain> (RFC 6376 3.6.1)."""
        public = self._key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            der = public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode('ascii')}"
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode('ascii')}"

    def _tags(self, names: list[bytes], body_hash: bytes, when: int) -> list[list[str]]:
        h = [n.decode("ascii") + ":" for n in names]  # FWS may follow each colon of h=
        h[-1] = h[-1][:-1] + ";"
        h[0] = "h=" + h[0]
        return [
            ["v=1;"],
            [f"a={self.algorithm};"],
            ["c=relaxed/relaxed;"],
            [f"d={self.domain};"],
            [f"s={self.selector};"],
            [f"t={when};"],
            h,
            [f"bh={base64.b64encode(body_hash).decode('ascii')};"],
        ]

    def _signature(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, _PKCS1, _SHA256)
        # RFC 8463 section 3: Ed25519 signs the SHA-256 hash of the data, not the data itself
        return self._key.sign(hashlib.sha256(data).digest())


def generate_key(path: Path, algorithm: DkimAlgorithm, bits: int = 2048) -> None:
    """Write a new unencrypted PKCS#8 PEM private key to `path` (mode 0600, never overwriting)."""
    key: _Key
    if algorithm is DkimAlgorithm.RSA_SHA256:
        _check_rsa_bits(bits, "new key")
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: never follow a planted symlink or replace a key; 0o600 from the first byte
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"DKIM key file {path} already exists; refusing to overwrite it"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create DKIM key file {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    except BaseException as exc:
        path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write DKIM key file {path}: {exc.strerror}") from exc
        raise


def _algorithm_of(key: object) -> DkimAlgorithm:
    if isinstance(key, rsa.RSAPrivateKey):
        return DkimAlgorithm.RSA_SHA256
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return DkimAlgorithm.ED25519_SHA256
    raise ConfigError(f"a {type(key).__name__} key cannot sign DKIM; use RSA or Ed25519")


def _check_rsa_bits(bits: int, what: str) -> None:
    if bits < MIN_RSA_BITS:
        raise ConfigError(
            f"DKIM RSA key ({what}) has {bits} bits; at least {MIN_RSA_BITS} are required"
        )
    if bits < GOOD_RSA_BITS:
        logger.warning("dkim_weak_key key=%r bits=%d recommended=%d", what, bits, GOOD_RSA_BITS)


def _read_key_file(path: Path) -> bytes:
    try:
        with path.open("rb") as src:
            if os.fstat(src.fileno()).st_mode & 0o077:
                raise ConfigError(f"DKIM key file {path} is readable by other users; chmod 600 it")
            return src.read()
    except FileNotFoundError:
        raise ConfigError(f"DKIM key file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"DKIM key file {path} cannot be read: {exc.strerror}") from exc


def _parse_key(pem: bytes, path: Path) -> _Key:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ConfigError(f"DKIM key file {path} is encrypted; it must be unencrypted") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(f"DKIM key file {path} is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ConfigError(f"DKIM key file {path} is not an RSA or Ed25519 key")
    return key


def _wire_form(message: bytes) -> bytes:
    """The message as SMTP carries it: CRLF line ends only, ending in CRLF (RFC 6376 5.3)."""
    lf = message.count(b"\n")
    if lf != message.count(b"\r\n") or lf != message.count(b"\r"):
        message = _LINE_END.sub(b"\r\n", message)
    return message if message.endswith(b"\r\n") else message + b"\r\n"


def _split(message: bytes) -> tuple[bytes, bytes]:
    """Header block (each field CRLF-terminated) and body, split at the first empty line."""
    if message.startswith(b"\r\n"):
        return b"", message[2:]
    end = message.find(b"\r\n\r\n")
    if end < 0:
        return message, b""
    return message[: end + 2], message[end + 4 :]


def _signed_fields(headers: bytes) -> dict[bytes, bytes]:
    """Raw values of the fields we sign, the bottom-most instance of each (RFC 6376 5.4.2)."""
    fields: dict[bytes, bytes] = {}
    name = b""
    for line in headers.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if name:
                fields[name] += b"\r\n" + line
            continue
        colon = line.find(b":")
        name = line[:colon].rstrip(b" \t").lower() if colon > 0 else b""
        if name in _WANTED:
            fields[name] = line[colon + 1 :]
        else:
            name = b""
    return fields


def _relaxed(value: bytes) -> bytes:
    """A header field value in relaxed form: unfolded, WSP runs as one space, trimmed (3.4.2)."""
    value = value.replace(b"\r\n", b"").replace(b"\t", b" ")
    if b"  " in value:
        value = _SPACE_RUN.sub(b" ", value)
    return value.strip(b" ")


def _body_hash(body: bytes) -> bytes:
    """SHA-256 of the body in relaxed form (RFC 6376 3.4.4); `body` is empty or ends in CRLF."""
    if b"\t" in body:
        body = body.replace(b"\t", b" ")
    if b"  " in body:
        body = _SPACE_RUN.sub(b" ", body)
    if b" \r\n" in body:
        body = body.replace(b" \r\n", b"\r\n")
    body = body.rstrip(b"\r\n")  # trailing empty lines go; an empty body hashes as empty
    digest = hashlib.sha256(body)
    if body:
        digest.update(b"\r\n")
    return digest.digest()


def _fold(tags: list[list[str]]) -> list[str]:
    """Lay tags (each a list of fragments that may fold apart) on lines of <= 78 characters."""
    lines = ["DKIM-Signature:"]
    for fragments in tags:
        sep = " "
        for fragment in fragments:
            if len(lines[-1]) + len(sep) + len(fragment) > _MAX_LINE:
                lines.append(" " + fragment)
            else:
                lines[-1] += sep + fragment
            sep = ""
    lines.append(" b=")
    return lines


def _fold_b(signature: str, used: int) -> str:
    """The b= value, broken anywhere: whitespace inside it is ignored (RFC 6376 3.5)."""
    first = _MAX_LINE - used
    rest = [signature[i : i + _MAX_LINE - 1] for i in range(first, len(signature), _MAX_LINE - 1)]
    return "\r\n ".join([signature[:first], *rest])
