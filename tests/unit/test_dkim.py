"""DKIM signing: every signature verifies with dkimpy, tampering breaks it, unsafe keys are refused."""

from __future__ import annotations

import base64
import logging
import re
import stat
from collections.abc import Callable
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

import mailer.send.dkim as dkim_module
from mailer.errors import ConfigError
from mailer.send.dkim import SIGNED_HEADERS, DkimAlgorithm, DkimSigner, generate_key

DOMAIN, SELECTOR = "press.example.org", "mailer2024"
NOW = 1_700_000_000
HEADERS = [
    ("From", "UNFFC Press <press@example.org>"),
    ("To", "Ana Reporter <ana@outlet.example.net>"),
    ("Subject", "Vaccination campaign reaches 1.2 million children"),
    ("Date", "Tue, 14 Nov 2023 22:13:20 +0000"),
    ("Message-ID", "<release-7.42@press.example.org>"),
    ("List-Unsubscribe", "<https://press.example.org/u/abc>, <mailto:u+abc@press.example.org>"),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=utf-8"),
]
BODIES = {
    "ascii": b"Hello,\r\n\r\nThe release is attached.\r\n",
    "utf-8": "Grüße aus Köln — 東京 — Приштина\r\nÇdo gjë në rregull.\r\n".encode(),
    "trailing blank lines": b"Last line.\r\n\r\n\r\n\r\n",
    "trailing spaces and tabs": b"spaces   \r\n\ttabs\t \r\nin  the \t middle\r\n \r\n",
    "no final CRLF": b"first line\r\nlast line without an ending",
    "empty": b"",
    "only blank lines": b"\r\n\r\n \r\n",
}
# What aiosmtplib does to a message on the wire: every line end becomes CRLF, a final one added.
LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")


def _wire(message: bytes) -> bytes:
    message = LINE_END.sub(b"\r\n", message)
    return message if message.endswith(b"\r\n") else message + b"\r\n"


def _message(body: bytes, headers: list[tuple[str, str]] = HEADERS) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode() + b"\r\n" + body


def _verifies(signer: DkimSigner, signed: bytes) -> bool:
    record = signer.dns_record().encode()
    expected = f"{signer.selector}._domainkey.{signer.domain}.".encode()

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == expected else None

    return bool(dkim.verify(signed, dnsfunc=dnsfunc))


def _tags(signature: bytes) -> dict[str, str]:
    value = signature.decode("ascii").split(":", 1)[1]
    value = re.sub(r"\s+", "", value)
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> dict[DkimAlgorithm, DkimSigner]:
    """One RSA-2048 and one Ed25519 signer, keys made by generate_key."""
    directory = tmp_path_factory.mktemp("keys")
    made = {}
    for algorithm in DkimAlgorithm:
        path = directory / f"{algorithm}.pem"
        generate_key(path, algorithm)
        made[algorithm] = DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    return made


@pytest.fixture(params=list(DkimAlgorithm), ids=str)
def signer(request: pytest.FixtureRequest, signers: dict[DkimAlgorithm, DkimSigner]) -> DkimSigner:
    """Each signer in turn."""
    return signers[request.param]


def test_public_surface_is_pinned() -> None:
    """The module exports exactly its documented names."""
    assert set(dkim_module.__all__) == {
        "SIGNED_HEADERS",
        "DkimAlgorithm",
        "DkimSigner",
        "generate_key",
    }


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_signed_messages_verify_with_dkimpy(signer: DkimSigner, body: bytes) -> None:
    """Each sample body, signed with RSA or Ed25519, passes dkimpy's verifier."""
    message = _message(body)
    assert _verifies(signer, signer.sign(message, now=NOW) + message)


def test_trailing_spaces_on_an_unterminated_last_line_match_the_wire(signer: DkimSigner) -> None:
    """A last line with trailing spaces and no CRLF verifies as SMTP delivers it (CRLF added)."""
    message = _message(b"text then spaces   ")
    assert _verifies(signer, _wire(signer.sign(message, now=NOW) + message))


def test_bare_line_feeds_are_signed_as_crlf(signer: DkimSigner) -> None:
    """A message with bare LF line ends is signed in its CRLF wire form."""
    message = _message(b"one\nthe next  \n\n").replace(b"\r\n", b"\n")
    assert _verifies(signer, _wire(signer.sign(message, now=NOW) + message))


def test_folded_headers_verify(signer: DkimSigner) -> None:
    """Folded header fields with runs of whitespace are canonicalized as a verifier does."""
    headers = [
        *HEADERS[:2],
        ("Subject", "A long subject\r\n\tthat   folds\r\n  onto three lines  "),
        ("To", "ana@outlet.example.net,\r\n bob@outlet.example.net"),
        *HEADERS[3:],
    ]
    message = _message(b"Body.\r\n", headers)
    assert _verifies(signer, signer.sign(message, now=NOW) + message)


def test_the_bottom_most_instance_of_a_repeated_header_is_signed(signer: DkimSigner) -> None:
    """With two Subject fields the lower one is signed: changing it breaks the signature."""
    headers = [*HEADERS, ("Subject", "Second subject")]
    message = _message(b"Body.\r\n", headers)
    signature = signer.sign(message, now=NOW)
    assert _verifies(signer, signature + message)
    assert _verifies(signer, signature + message.replace(b"1.2 million", b"2 million"))
    assert not _verifies(signer, signature + message.replace(b"Second", b"Third"))


@pytest.mark.parametrize(
    "alter",
    [
        lambda m: m.replace(b"attached", b"attachex"),
        lambda m: m.replace(b"1.2 million", b"1.3 million"),
        lambda m: m.replace(b"ana@outlet", b"eve@outlet"),
    ],
    ids=["one body byte", "the subject", "the recipient"],
)
def test_a_message_altered_after_signing_fails(
    signer: DkimSigner, alter: Callable[[bytes], bytes]
) -> None:
    """Changing a body byte or a signed header after signing makes verification fail."""
    message = _message(BODIES["ascii"])
    signature = signer.sign(message, now=NOW)
    assert alter(message) != message
    assert not _verifies(signer, signature + alter(message))


def test_signature_tags(signer: DkimSigner) -> None:
    """The header carries v, a, c=relaxed/relaxed, d, s, t, h, bh and b, and no l= tag."""
    tags = _tags(signer.sign(_message(b"Body.\r\n"), now=NOW))
    assert list(tags) == ["v", "a", "c", "d", "s", "t", "h", "bh", "b"]
    assert tags["a"] == signer.algorithm
    assert (tags["v"], tags["c"], tags["d"], tags["s"]) == (
        "1",
        "relaxed/relaxed",
        DOMAIN,
        SELECTOR,
    )
    assert tags["t"] == str(NOW)


def test_h_lists_the_signed_headers_present() -> None:
    """h= names the important headers that are present, in SIGNED_HEADERS order, lowercased."""
    signer = _signer_without_file()
    h = _tags(signer.sign(_message(b"x\r\n"), now=NOW))["h"].split(":")
    assert h == [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "mime-version",
        "content-type",
    ]
    assert set(h) <= set(SIGNED_HEADERS)


def test_h_always_includes_from_and_omits_absent_headers() -> None:
    """From is listed even when missing; absent optional headers are not listed."""
    signer = _signer_without_file()
    h = _tags(signer.sign(b"Subject: hi\r\nX-Other: y\r\n\r\nx\r\n", now=NOW))["h"]
    assert h == "from:subject"


def test_signature_header_is_folded_within_78_characters(signer: DkimSigner) -> None:
    """Each line of the DKIM-Signature field fits 78 characters and ends with CRLF."""
    signature = signer.sign(_message(b"Body.\r\n"), now=NOW)
    assert signature.startswith(b"DKIM-Signature: v=1;")
    assert signature.endswith(b"\r\n")
    assert not signature.endswith(b"\r\n\r\n")
    lines = signature[:-2].split(b"\r\n")
    assert all(len(line) <= 78 for line in lines)
    assert all(line[:1] in (b" ", b"\t") for line in lines[1:])


def test_timestamp_defaults_to_now(signer: DkimSigner) -> None:
    """Without `now`, t= is the current time."""
    import time

    before = int(time.time())
    t = int(_tags(signer.sign(_message(b"x\r\n")))["t"])
    assert before <= t <= int(time.time())


def test_dns_record_for_rsa(signers: dict[DkimAlgorithm, DkimSigner]) -> None:
    """The RSA record is v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo> of a 2048-bit key."""
    record = signers[DkimAlgorithm.RSA_SHA256].dns_record()
    prefix = "v=DKIM1; k=rsa; p="
    assert record.startswith(prefix)
    public = serialization.load_der_public_key(base64.b64decode(record[len(prefix) :]))
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048


def test_dns_record_for_ed25519(signers: dict[DkimAlgorithm, DkimSigner]) -> None:
    """The Ed25519 record is v=DKIM1; k=ed25519; p=<base64 of the raw 32-byte public key>."""
    record = signers[DkimAlgorithm.ED25519_SHA256].dns_record()
    prefix = "v=DKIM1; k=ed25519; p="
    assert record.startswith(prefix)
    assert len(base64.b64decode(record[len(prefix) :], validate=True)) == 32


def test_generated_key_is_private_pkcs8(tmp_path: Path) -> None:
    """generate_key writes an unencrypted PKCS#8 PEM that only its owner can read or write."""
    path = tmp_path / "dkim.pem"
    generate_key(path, DkimAlgorithm.ED25519_SHA256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")


def test_generate_key_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing file is left untouched and the error names it."""
    path = tmp_path / "dkim.pem"
    path.write_bytes(b"precious")
    with pytest.raises(ConfigError, match="already exists") as info:
        generate_key(path, DkimAlgorithm.ED25519_SHA256)
    assert str(path) in str(info.value)
    assert path.read_bytes() == b"precious"


def test_generate_key_refuses_short_rsa(tmp_path: Path) -> None:
    """RSA keys under 1024 bits are not generated, and no file is left behind."""
    path = tmp_path / "dkim.pem"
    with pytest.raises(ConfigError, match="1024"):
        generate_key(path, DkimAlgorithm.RSA_SHA256, bits=512)
    assert not path.exists()


def test_generate_key_in_a_missing_directory(tmp_path: Path) -> None:
    """A key path in a directory that does not exist is a ConfigError naming the path."""
    path = tmp_path / "nowhere" / "dkim.pem"
    with pytest.raises(ConfigError, match="cannot create") as info:
        generate_key(path, DkimAlgorithm.ED25519_SHA256)
    assert str(path) in str(info.value)


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    """A key file with mode 0644 is refused with a message naming the file and `chmod 600`."""
    path = tmp_path / "dkim.pem"
    generate_key(path, DkimAlgorithm.ED25519_SHA256)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600") as info:
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert str(path) in str(info.value)


def test_key_accessible_to_the_group_is_refused(tmp_path: Path) -> None:
    """Any group or other permission bit (here 0640) is refused."""
    path = tmp_path / "dkim.pem"
    generate_key(path, DkimAlgorithm.ED25519_SHA256)
    path.chmod(0o640)
    with pytest.raises(ConfigError, match="chmod 600"):
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is not a key\n", "not a PEM private key"),
        (b"", "not a PEM private key"),
        (b"\x00\xff" * 40, "not a PEM private key"),
    ],
    ids=["text", "empty", "binary"],
)
def test_garbage_key_file_is_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    """A private file that holds no PEM private key is a ConfigError naming the file."""
    path = _private_file(tmp_path / "dkim.pem", content)
    with pytest.raises(ConfigError, match=expected) as info:
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert str(path) in str(info.value)


def test_missing_key_file_is_refused(tmp_path: Path) -> None:
    """A key path that does not exist is a ConfigError naming it."""
    path = tmp_path / "absent.pem"
    with pytest.raises(ConfigError, match="does not exist") as info:
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert str(path) in str(info.value)


def test_unreadable_key_path_is_refused(tmp_path: Path) -> None:
    """A key path that cannot be read (a directory) is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="cannot be read") as info:
        DkimSigner.from_key_file(DOMAIN, SELECTOR, tmp_path)
    assert str(tmp_path) in str(info.value)


def test_public_key_file_is_refused(tmp_path: Path) -> None:
    """A PEM public key is not mistaken for a private one."""
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = _private_file(tmp_path / "dkim.pub", pem)
    with pytest.raises(ConfigError, match="not a PEM private key"):
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)


def test_encrypted_key_is_refused(tmp_path: Path) -> None:
    """A passphrase-protected key is refused: the mailer runs unattended."""
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    path = _private_file(tmp_path / "dkim.pem", pem)
    with pytest.raises(ConfigError, match="encrypted"):
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)


def test_unsupported_key_type_is_refused(tmp_path: Path) -> None:
    """An EC (P-256) key is refused: DKIM signs with RSA or Ed25519 only."""
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = _private_file(tmp_path / "dkim.pem", pem)
    with pytest.raises(ConfigError, match="not an RSA or Ed25519 key") as info:
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert str(path) in str(info.value)


def test_traditional_rsa_key_loads_and_warns_under_2048_bits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A traditional-format 1024-bit RSA key is accepted with a warning, and its signatures verify."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    path = _private_file(tmp_path / "dkim.pem", pem)
    with caplog.at_level(logging.WARNING, logger="mailer.send"):
        signer = DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert signer.algorithm is DkimAlgorithm.RSA_SHA256
    assert "bits=1024" in caplog.text
    message = _message(BODIES["utf-8"])
    assert _verifies(signer, signer.sign(message, now=NOW) + message)


def test_rsa_2048_loads_without_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A 2048-bit RSA key loads silently."""
    path = tmp_path / "dkim.pem"
    generate_key(path, DkimAlgorithm.RSA_SHA256)
    with caplog.at_level(logging.WARNING, logger="mailer.send"):
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)
    assert caplog.records == []


def test_rsa_key_under_1024_bits_is_refused(tmp_path: Path) -> None:
    """A 512-bit RSA key is refused (RFC 8301: at least 1024 bits)."""
    path = _private_file(tmp_path / "dkim.pem", _rsa_512_pem())
    with pytest.raises(ConfigError, match="512 bits"):
        DkimSigner.from_key_file(DOMAIN, SELECTOR, path)


@pytest.mark.parametrize(
    ("domain", "selector"),
    [("bad domain", SELECTOR), (DOMAIN, "sel;x=1"), ("", SELECTOR), (DOMAIN, "-x")],
)
def test_domain_and_selector_must_be_dns_names(domain: str, selector: str) -> None:
    """A d= or s= value that is not a DNS name would corrupt the header and is refused."""
    key = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(ConfigError, match="not a valid DNS name"):
        DkimSigner(domain, selector, DkimAlgorithm.ED25519_SHA256, key)


def test_algorithm_must_fit_the_key() -> None:
    """An Ed25519 key cannot be declared rsa-sha256."""
    key = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(ConfigError, match="does not fit"):
        DkimSigner(DOMAIN, SELECTOR, DkimAlgorithm.RSA_SHA256, key)


def test_repr_does_not_show_the_key(signer: DkimSigner) -> None:
    """The private key stays out of logs and tracebacks."""
    assert "key" not in repr(signer).lower().replace("dkim", "")


HEADER_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), include_characters="\t"), max_size=120
)
SIGNED_NAMES = st.sampled_from(["Subject", "To", "Reply-To", "List-ID", "Content-Language"])


@settings(max_examples=150, deadline=None)
@given(
    subject=HEADER_TEXT,
    extra=st.lists(st.tuples(SIGNED_NAMES, HEADER_TEXT), max_size=6),
    body=st.binary(max_size=3000),
    algorithm=st.sampled_from(list(DkimAlgorithm)),
)
def test_arbitrary_headers_and_bodies_verify(
    signers: dict[DkimAlgorithm, DkimSigner],
    subject: str,
    extra: list[tuple[str, str]],
    body: bytes,
    algorithm: DkimAlgorithm,
) -> None:
    """Any printable header values (repeated or not) and any body sign and verify on the wire."""
    signer = signers[algorithm]
    message = _message(body, [*HEADERS[:2], ("Subject", subject), *HEADERS[3:], *extra])
    assert _verifies(signer, _wire(signer.sign(message) + message))


def _signer_without_file() -> DkimSigner:
    key = ed25519.Ed25519PrivateKey.generate()
    return DkimSigner(DOMAIN, SELECTOR, DkimAlgorithm.ED25519_SHA256, key)


def _private_file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    path.chmod(0o600)
    return path


def _rsa_512_pem() -> bytes:
    # cryptography will not generate keys this small, so build one from two fixed 256-bit primes.
    p = 111878878645690975024889834280569093153373095136298342489595876645676862074851
    q = 96535916609678132788533963449014584856450879791901440185518142891334858813647
    e = 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
