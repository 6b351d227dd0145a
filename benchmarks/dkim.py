"""Benchmark: DKIM-sign an 8 KB two-part message; prints signatures/s on one core.

    python -m benchmarks.dkim [--copies 3000] [--dkimpy-copies 300]

Signs N copies (each with its own To and Message-ID, as a send does) with our OpenSSL-backed
signer for RSA-2048 and Ed25519, and N/10 with dkimpy's own pure-Python `dkim.sign` (RSA-2048)
for comparison. Figures are CPU time (time.process_time) of this one process. Target: at least
2,000 RSA-2048 signatures/s with our signer. Needs dkimpy installed (a dev dependency).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dkim

from mailer.send.dkim import DkimAlgorithm, DkimSigner, generate_key

HEADERS = (
    "From: UNFFC Press Office <press@unffc.example.org>\r\n"
    "To: Journalist {i} <journalist{i}@outlet.example.org>\r\n"
    "Subject: Measles vaccination campaign reaches 1.2 million children in the region\r\n"
    "Date: Tue, 14 May 2024 09:00:00 +0000\r\n"
    "Message-ID: <release-42.{i}@unffc.example.org>\r\n"
    "List-Unsubscribe: <https://press.unffc.example.org/u/{i}>,\r\n"
    " <mailto:unsubscribe+{i}@unffc.example.org>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="=_b"\r\n'
)


def _body() -> bytes:
    text = "Kampanja e vaksinimit arriti  1,2 milion fëmijë në rajon, sipas UNFFC. \r\n" * 50
    html = '    <p style="margin:0 0 1em">Kampanja e vaksinimit arriti fëmijët.</p>\r\n' * 50
    return (
        "\r\n--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{text}\r\n--=_b\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--=_b--\r\n"
    ).encode()


def _messages(copies: int) -> list[bytes]:
    body = _body()
    return [HEADERS.format(i=i).encode() + body for i in range(copies)]


def _rate(sign: Callable[[bytes], bytes], messages: list[bytes]) -> float:
    start = time.process_time()
    for message in messages:
        sign(message)
    return len(messages) / (time.process_time() - start)


def main() -> None:
    """Sign with each signer and print signatures per CPU second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3000)
    parser.add_argument("--dkimpy-copies", type=int, default=300)
    args = parser.parse_args()
    messages = _messages(args.copies)
    print(f"message size: {len(messages[0]):,} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        signers = {}
        for algorithm in DkimAlgorithm:
            path = Path(tmp) / f"{algorithm}.pem"
            generate_key(path, algorithm)
            signers[algorithm] = DkimSigner.from_key_file("unffc.example.org", "press", path)
        rsa_pem = (Path(tmp) / f"{DkimAlgorithm.RSA_SHA256}.pem").read_bytes()
    for algorithm, signer in signers.items():
        rate = _rate(signer.sign, messages)
        print(f"mailer {algorithm:<15} {rate:>9,.0f} signatures/s")

    def dkimpy_sign(message: bytes) -> bytes:
        return bytes(
            dkim.sign(
                message,
                b"press",
                b"unffc.example.org",
                rsa_pem,
                canonicalize=(b"relaxed", b"relaxed"),
            )
        )

    rate = _rate(dkimpy_sign, messages[: args.dkimpy_copies])
    print(f"dkimpy {DkimAlgorithm.RSA_SHA256:<15} {rate:>9,.0f} signatures/s")


if __name__ == "__main__":
    main()
